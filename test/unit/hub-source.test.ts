// The Hub source on the official @huggingface/hub client, against the loopback server speaking the Hub API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileUrl, hubHeaders, listRepoFiles, resolveRevision, searchModels } from '../../src/core/sources/hf/hub.js';
import { startHubServer, type HubServer } from '../support/hub-server.js';

let hub: HubServer;
const weights = new Uint8Array(20_000).map((_, i) => (i * 31) & 0xff);

beforeAll(async () => {
  hub = await startHubServer();
  hub.addRepo({ id: 'acme/tiny-bert', files: { 'config.json': '{}', 'onnx/model.onnx': weights }, downloads: 10, likes: 2, pipeline_tag: 'feature-extraction' });
  hub.addRepo({ id: 'other/unrelated', files: { 'README.md': 'x' } });
  hub.addRepo({ id: 'acme/private', files: { 'model.onnx': weights }, token: 'hf_abc' });
});
afterAll(() => hub.close());

describe('Hugging Face Hub source', () => {
  it('search returns repository ids (owner/name), not the Hub\'s internal ids', async () => {
    const found = await searchModels('tiny', { hubUrl: hub.url });
    expect(found.map((m) => m.id)).toEqual(['acme/tiny-bert']);
    expect(found[0]).toMatchObject({ downloads: 10, likes: 2, task: 'feature-extraction', gated: false });
  });

  it('lists files at a pinned commit with sizes and the LFS sha256', async () => {
    const sha = await resolveRevision('acme/tiny-bert', 'main', { hubUrl: hub.url });
    expect(sha).toBe(hub.repos.get('acme/tiny-bert')!.sha);
    const files = await listRepoFiles('acme/tiny-bert', sha, { hubUrl: hub.url });
    expect(files.map((f) => [f.path, f.size, f.sha256?.slice(0, 8)])).toEqual([
      ['config.json', 2, undefined],
      ['onnx/model.onnx', 20_000, hub.repos.get('acme/tiny-bert')!.file('onnx/model.onnx').sha256.slice(0, 8)],
    ]);
    expect(fileUrl('acme/tiny-bert', sha, 'onnx/model.onnx', { hubUrl: hub.url })).toBe(`${hub.url}/acme/tiny-bert/resolve/${sha}/onnx/model.onnx`);
  });

  it('a private repository needs the token, which goes to the Hub origin only', async () => {
    await expect(listRepoFiles('acme/private', 'main', { hubUrl: hub.url })).rejects.toMatchObject({ code: 'auth' });
    const files = await listRepoFiles('acme/private', 'main', { hubUrl: hub.url, accessToken: 'hf_abc' });
    expect(files).toHaveLength(1);
    expect(hubHeaders({ hubUrl: `${hub.url}/`, accessToken: 'hf_abc' })).toEqual({ headers: { Authorization: 'Bearer hf_abc' }, headersOrigin: hub.url });
    expect(hubHeaders({ hubUrl: hub.url })).toEqual({});
  });

  it('names a missing repository and refuses ids that are not owner/name', async () => {
    await expect(listRepoFiles('acme/nope', 'main', { hubUrl: hub.url })).rejects.toMatchObject({ code: 'not-found' });
    await expect(listRepoFiles('../etc', 'main', { hubUrl: hub.url })).rejects.toMatchObject({ code: 'usage' });
  });
});
