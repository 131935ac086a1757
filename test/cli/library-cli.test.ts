// `omnihub download | ls | rm | export` as a user runs them: the real binary, a real folder library, and the
// loopback hub server (HF_ENDPOINT points the CLI at it, as it would at a Hub mirror).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHubServer, type HubServer } from '../support/hub-server.js';
import { REPO, fixture } from '../support/paths.js';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const model = readFileSync(fixture('onnx/burn_mnist.onnx'));
let hub: HubServer;

/** Runs the CLI without blocking this process, which serves the hub the CLI talks to. */
function omnihub(home: string, args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [join(REPO, 'bin/omnihub.mjs'), ...args], {
      env: { ...process.env, OMNIHUB_HOME: home, HF_ENDPOINT: hub.url, HF_TOKEN: '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  hub = await startHubServer();
  hub.addRepo({ id: 'acme/mnist', files: { 'config.json': '{"model_type":"cnn"}', 'onnx/model.onnx': model } });
  hub.addRepo({ id: 'acme/gated', files: { 'model.onnx': model }, token: 'hf_secret' });
  hub.addFile('addnet.onnx', readFileSync(fixture('onnx/kotlindl__addnet.onnx')));
});
afterAll(() => hub.close());

describe('library CLI', () => {
  it('downloads a Hub repository, verified, lists it, exports it byte for byte and removes it', async () => {
    const home = mkdtempSync(join(tmpdir(), 'omnihub-home-'));
    const dl = await omnihub(home, ['download', 'hf:acme/mnist']);
    expect(dl.stderr).toMatch(/onnx\/model\.onnx: 1\.5 MB, sha256 1dc540ebf93a\w+, sha256 verified/);
    expect(dl.code).toBe(0);
    expect(dl.stdout.trim()).toMatch(/^huggingface\/acme--mnist \(2 files\) in /);

    const ls = await omnihub(home, ['ls', '--json']);
    const [entry] = JSON.parse(ls.stdout);
    expect(entry.id).toBe('huggingface/acme--mnist');
    expect(entry.source).toMatchObject({ kind: 'hf', repo: 'acme/mnist', revision: hub.repos.get('acme/mnist')!.sha });
    expect(entry.files.map((f: { path: string; size: number; sha256: string }) => [f.path, f.size, f.sha256])).toEqual([
      ['config.json', 20, sha256(Buffer.from('{"model_type":"cnn"}'))],
      ['onnx/model.onnx', model.length, sha256(model)],
    ]);

    const out = mkdtempSync(join(tmpdir(), 'omnihub-export-'));
    const exported = await omnihub(home, ['export', 'huggingface/acme--mnist', out]);
    expect(exported.code).toBe(0);
    expect(readFileSync(join(out, 'acme--mnist/onnx/model.onnx')).equals(model)).toBe(true);
    // Exporting again would overwrite: refused, one line, exit 1.
    const again = await omnihub(home, ['export', 'huggingface/acme--mnist', out]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/exists already/);

    expect((await omnihub(home, ['rm', 'huggingface/acme--mnist'])).code).toBe(0);
    expect((await omnihub(home, ['ls'])).stdout.trim()).toBe('The library is empty.');
  });

  it('resumes after the connection drops, and ends byte-identical', async () => {
    const home = mkdtempSync(join(tmpdir(), 'omnihub-home-'));
    const file = hub.repos.get('acme/mnist')!.file('onnx/model.onnx');
    file.faults.push({ cutAt: 600_000 }, { cutAt: 1_200_000 });
    const before = hub.requestsTo('/acme/mnist/resolve/').length;
    const dl = await omnihub(home, ['download', 'hf:acme/mnist/onnx/model.onnx']);
    expect(dl.code).toBe(0);
    expect(dl.stderr).toMatch(/retrying/);
    const gets = hub.requestsTo('/acme/mnist/resolve/').slice(before).filter((r) => r.method === 'GET');
    expect(gets.length).toBe(3);
    expect(gets.filter((r) => r.headers.range).length).toBe(2);
    const stored = readFileSync(join(home, 'huggingface/acme--mnist/onnx/model.onnx'));
    expect(stored.equals(model)).toBe(true);
  });

  it('rejects bytes whose hash does not match, and the library stays empty', async () => {
    const home = mkdtempSync(join(tmpdir(), 'omnihub-home-'));
    const file = hub.repos.get('acme/mnist')!.file('onnx/model.onnx');
    file.corrupt = true;
    try {
      const dl = await omnihub(home, ['download', 'hf:acme/mnist/onnx/model.onnx']);
      expect(dl.code).toBe(1);
      expect(dl.stderr.trim().split('\n').pop()).toMatch(/^omnihub: .*sha256/);
      expect((await omnihub(home, ['ls', '--json'])).stdout.trim()).toBe('[]');
    } finally {
      file.corrupt = false;
    }
  });

  it('sends HF_TOKEN to the Hub for a gated repository, and explains a missing token', async () => {
    const home = mkdtempSync(join(tmpdir(), 'omnihub-home-'));
    const denied = await omnihub(home, ['download', 'hf:acme/gated']);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/access token/);
    const ok = await omnihub(home, ['download', 'hf:acme/gated'], { HF_TOKEN: 'hf_secret' });
    expect(ok.code).toBe(0);
    expect(readFileSync(join(home, 'huggingface/acme--gated/model.onnx')).equals(model)).toBe(true);
  });

  it('downloads a plain URL (no published hash: sha256 recorded) and names unknown sources', async () => {
    const home = mkdtempSync(join(tmpdir(), 'omnihub-home-'));
    const dl = await omnihub(home, ['download', hub.fileUrl('addnet.onnx')]);
    expect(dl.code).toBe(0);
    expect(dl.stderr).toMatch(/not verified by hash/);
    expect(readdirSync(join(home, 'onnx'))).toEqual(['addnet.onnx']);
    const bad = await omnihub(home, ['download', 'zoo:whatever']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/unknown source 'zoo:whatever'/);
    const missing = await omnihub(home, ['download', 'keras:no-such-file.h5']);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
  });
});
