// The downloader against a real HTTP server (test/support/hub-server.ts) over real sockets with Node's fetch,
// writing into an in-memory DownloadTarget: resume after cuts, retries, integrity, abort, quota, tokens, progress.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChunkBuffer } from '../../src/core/download/chunk-buffer.js';
import { download, type DownloadEnv, type DownloadRequest } from '../../src/core/download/downloader.js';
import { parseContentRange, parseUnsatisfiedRange } from '../../src/core/download/http-range.js';
import { OmnihubError } from '../../src/core/errors.js';
import type { DownloadProgress, PartialState } from '../../src/core/library/types.js';
import { startHubServer, type HubServer } from '../support/hub-server.js';
import { MemoryTarget } from '../support/memory-target.js';

let hub: HubServer;
let other: HubServer; // a second origin (another port), for redirects and token scoping

beforeAll(async () => {
  [hub, other] = await Promise.all([startHubServer(), startHubServer()]);
});
afterAll(async () => {
  await Promise.all([hub?.close(), other?.close()]);
});

/** Deterministic pseudo-random bytes (xorshift32), different per seed. */
function bytesOf(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

interface Harness {
  target: MemoryTarget;
  delays: number[];
  events: DownloadProgress[];
  env: DownloadEnv;
}

/** An env with real fetch, recorded progress, and a sleep that records the backoff delays without waiting. */
function harness(extra: Partial<DownloadEnv> = {}, target = new MemoryTarget()): Harness {
  const delays: number[] = [];
  const events: DownloadProgress[] = [];
  const env: DownloadEnv = {
    fetch: globalThis.fetch,
    target,
    chunkBytes: 256 * 1024,
    retry: { attempts: 4, baseDelayMs: 100 },
    sleep: async (ms) => void delays.push(ms),
    onProgress: (p) => events.push(p),
    ...extra,
  };
  return { target, delays, events, env };
}

function request(url: string, key: string, extra: Partial<DownloadRequest> = {}): DownloadRequest {
  return { key, url, file: key, commitTo: { entryId: 'onnx/test', path: key }, ...extra };
}

async function failure(p: Promise<unknown>): Promise<OmnihubError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(OmnihubError);
  return e as OmnihubError;
}

describe('resume after dropped connections', () => {
  it('a 5 MB file cut after 1 KB, 1 MB and 4.9 MB resumes three times and ends byte-identical', async () => {
    const content = bytesOf(5_000_000, 1);
    const file = hub.addFile('cut.bin', content);
    file.faults.push({ cutAt: 1024 }, { cutAt: 1_000_000 }, { cutAt: 4_900_000 });
    const h = harness();

    const result = await download(request(hub.fileUrl('cut.bin'), 'cut', { expectedSha256: sha256(content), expectedSize: content.length }), h.env);

    const committed = h.target.committed.get('onnx/test/cut')!;
    expect(committed.size).toBe(5_000_000);
    expect(Buffer.compare(committed.bytes, content)).toBe(0);
    expect(committed.sha256).toBe(sha256(content));
    expect(result).toMatchObject({ size: 5_000_000, sha256: sha256(content), requests: 4, restarts: 0, resumedFrom: 0 });

    const sent = hub.requestsTo('/files/cut.bin');
    expect(sent.map((r) => r.status)).toEqual([200, 206, 206, 206]);
    const starts = sent.slice(1).map((r) => Number(/^bytes=(\d+)-$/.exec(String(r.headers.range))![1]));
    expect(starts).toHaveLength(3);
    // Everything received before each cut was stored, so each resume starts at (or, if the last bytes before the
    // cut were lost in a stream buffer, just before) the cut point.
    const cuts = [1024, 1_000_000, 4_900_000];
    starts.forEach((s, i) => {
      expect(s).toBeLessThanOrEqual(cuts[i]);
      expect(s).toBeGreaterThan(i === 0 ? 0 : cuts[i - 1]);
    });
    expect(sent.slice(1).every((r) => r.headers['if-range'] === file.etag)).toBe(true);
    // Each failure made progress, so each retry is a first retry (base delay): failures count only in a row.
    expect(h.delays).toEqual([100, 100, 100]);
    expect(h.target.calls.filter((c) => c.startsWith('begin'))).toEqual(['begin cut']);
    expect(h.target.appendSizes.every((n) => n <= 256 * 1024)).toBe(true);
    expect(h.target.appendSizes.reduce((a, b) => a + b, 0)).toBe(5_000_000);
    expect(h.events.filter((e) => e.status === 'retrying').map((e) => e.attempt)).toEqual([1, 1, 1]);
  });

  it('with a slow store (bytes queued in the stream are lost at the cut) it still resumes to identical bytes', async () => {
    const content = bytesOf(3_000_000, 16);
    hub.addFile('slowstore.bin', content).faults.push({ cutAt: 700_000 }, { cutAt: 2_000_000 });
    class SlowTarget extends MemoryTarget {
      override async append(key: string, bytes: Uint8Array, state: PartialState): Promise<void> {
        await new Promise((r) => setTimeout(r, 3));
        return super.append(key, bytes, state);
      }
    }
    const h = harness({ chunkBytes: 64 * 1024 }, new SlowTarget());
    const result = await download(request(hub.fileUrl('slowstore.bin'), 'slowstore', { expectedSha256: sha256(content) }), h.env);
    expect(result).toMatchObject({ requests: 3, size: 3_000_000, sha256: sha256(content) });
    const sent = hub.requestsTo('/files/slowstore.bin');
    // Bytes still queued in the response stream when the socket closed are dropped with the stream's error, so a
    // resume may start a little before the cut point; it never starts past it, and the last request sends the rest.
    const starts = sent.slice(1).map((r) => Number(/^bytes=(\d+)-$/.exec(String(r.headers.range))![1]));
    expect(starts[0]).toBeLessThanOrEqual(700_000);
    expect(starts[1]).toBeLessThanOrEqual(2_000_000);
    expect(starts[1]).toBeGreaterThan(starts[0]);
    expect(sent[2].bodyBytes).toBe(3_000_000 - starts[1]);
    expect(Buffer.compare(h.target.committed.get('onnx/test/slowstore')!.bytes, content)).toBe(0);
  });

  it('a partial holding the whole file is completed by a 416 without re-downloading', async () => {
    const content = bytesOf(300_000, 2);
    hub.addFile('whole.bin', content);
    const h = harness();
    const commit = h.target.commit.bind(h.target);
    h.target.commit = async () => {
      throw new Error('disk went away');
    };
    await expect(download(request(hub.fileUrl('whole.bin'), 'whole'), h.env)).rejects.toThrow('disk went away');
    expect((await h.target.resumeState('whole'))!.received).toBe(300_000);

    h.target.commit = commit;
    const result = await download(request(hub.fileUrl('whole.bin'), 'whole', { expectedSha256: sha256(content) }), h.env);
    const second = hub.requestsTo('/files/whole.bin')[1];
    expect(second.headers.range).toBe('bytes=300000-');
    expect(second.status).toBe(416);
    expect(second.bodyBytes).toBe(0);
    expect(result).toMatchObject({ resumedFrom: 300_000, requests: 1, size: 300_000, sha256: sha256(content) });
    expect(Buffer.compare(h.target.committed.get('onnx/test/whole')!.bytes, content)).toBe(0);
  });

  it('a file that changed between attempts (new ETag) restarts from zero and ends as the new content', async () => {
    const v1 = bytesOf(1_000_000, 3);
    const v2 = bytesOf(1_200_000, 4);
    const file = hub.addFile('changing.bin', v1);
    const oldEtag = file.etag;
    file.faults.push({ cutAt: 300_000, replaceAfter: v2 });
    const h = harness();

    const result = await download(request(hub.fileUrl('changing.bin'), 'changing'), h.env);

    expect(file.etag).not.toBe(oldEtag);
    const sent = hub.requestsTo('/files/changing.bin');
    expect(sent).toHaveLength(2);
    expect(sent[1].headers['if-range']).toBe(oldEtag);
    expect(sent[1].headers.range).toMatch(/^bytes=\d+-$/);
    expect(sent[1].status).toBe(200); // If-Range did not match: the whole new file
    expect(sent[1].bodyBytes).toBe(1_200_000);
    expect(result).toMatchObject({ restarts: 1, size: 1_200_000, sha256: sha256(v2) });
    expect(Buffer.compare(h.target.committed.get('onnx/test/changing')!.bytes, v2)).toBe(0);
    expect(h.target.calls.filter((c) => c.startsWith('begin'))).toHaveLength(2);
    const restart = h.events.findIndex((e) => e.status === 'starting' && e.loaded === 0 && e.message);
    expect(restart).toBeGreaterThan(0);
    expect(h.events[restart - 1].loaded).toBeGreaterThan(0);
  });
});

describe('integrity', () => {
  it('bytes whose sha256 differs from the advertised one are rejected, discarded and never committed', async () => {
    const content = bytesOf(400_000, 5);
    const file = hub.addFile('corrupt.bin', content);
    file.corrupt = true;
    const served = content.slice();
    served[content.length >> 1] ^= 0xff;
    const h = harness();

    const e = await failure(download(request(hub.fileUrl('corrupt.bin'), 'corrupt', { expectedSha256: sha256(content) }), h.env));

    expect(e.code).toBe('integrity');
    expect(e.message).toContain(sha256(content));
    expect(e.message).toContain(sha256(served));
    expect(h.target.calls).toContain('discard corrupt');
    expect(h.target.calls.some((c) => c.startsWith('commit'))).toBe(false);
    expect(h.target.committed.size).toBe(0);
    expect(await h.target.partials()).toEqual([]);
    expect(h.events.at(-1)).toMatchObject({ status: 'error', loaded: 400_000 });
  });

  it('a size other than the expected one is rejected the same way', async () => {
    hub.addFile('short.bin', bytesOf(1000, 6));
    const h = harness();
    const e = await failure(download(request(hub.fileUrl('short.bin'), 'short', { expectedSize: 1001 }), h.env));
    expect(e.code).toBe('integrity');
    expect(e.message).toMatch(/expected 1001 .* 1000/);
    expect(h.target.calls.at(-1)).toBe('discard short');
    expect(h.target.committed.size).toBe(0);
  });
});

describe('md5, for sources that publish only an md5 (Keras)', () => {
  const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');

  it('checks the md5 across a resume (its state is saved with every chunk) and rejects a wrong one', async () => {
    const content = bytesOf(1_500_000, 11);
    const file = hub.addFile('keras-like.h5', content);
    file.faults.push({ cutAt: 700_000 });
    const h = harness();
    const result = await download(request(hub.fileUrl('keras-like.h5'), 'md5-ok', { expectedMd5: md5(content) }), h.env);
    expect(result.sha256).toBe(sha256(content));
    expect(result.resumedFrom).toBe(0);
    expect(hub.requestsTo('/files/keras-like.h5').filter((r) => r.headers.range).length).toBe(1);
    expect(Buffer.from(h.target.committed.get('onnx/test/md5-ok')!.bytes).equals(Buffer.from(content))).toBe(true);

    const wrong = harness();
    const e = await failure(download(request(hub.fileUrl('keras-like.h5'), 'md5-bad', { expectedMd5: md5(content).replace(/^./, (c) => (c === '0' ? '1' : '0')) }), wrong.env));
    expect(e.code).toBe('integrity');
    expect(e.message).toMatch(/md5 mismatch/);
    expect(wrong.target.committed.size).toBe(0);
  });
});

describe('abort', () => {
  it('stops mid-download, keeps a resumable partial, and the next call fetches only the rest', async () => {
    const content = bytesOf(2_000_000, 7);
    const file = hub.addFile('slow.bin', content);
    file.bytesPerSecond = 4_000_000;
    const controller = new AbortController();
    const h = harness({
      chunkBytes: 64 * 1024,
      signal: controller.signal,
      onProgress: (p) => {
        h.events.push(p);
        if (p.loaded >= 500_000) controller.abort();
      },
    });

    const commitTo = { entryId: 'onnx/test', path: 'slow', entry: { framework: 'onnx' as const, name: 'test', source: { kind: 'url' as const, url: hub.fileUrl('slow.bin') } } };
    const e = await failure(download(request(hub.fileUrl('slow.bin'), 'slow', { expectedSha256: sha256(content), commitTo }), h.env));

    expect(e.code).toBe('aborted');
    expect(h.events.at(-1)!.status).toBe('aborted');
    expect(h.target.committed.size).toBe(0);
    const partial = (await h.target.resumeState('slow'))!;
    // What a resume button needs is in the partial, including the library's `meta.entry` convention.
    expect(partial.meta).toEqual({
      entry: { framework: 'onnx', name: 'test', source: { kind: 'url', url: hub.fileUrl('slow.bin') } },
      file: 'slow',
      entryId: 'onnx/test',
      path: 'slow',
      expectedSha256: sha256(content),
    });
    expect(partial.etag).toBe(file.etag);
    expect(partial.total).toBe(2_000_000);
    expect(partial.received).toBeGreaterThanOrEqual(500_000);
    expect(partial.received).toBeLessThan(2_000_000);
    expect(Buffer.compare(h.target.partialBytes('slow')!, content.subarray(0, partial.received))).toBe(0);
    expect(h.delays).toEqual([]);

    file.bytesPerSecond = undefined;
    const again = harness({}, h.target);
    const result = await download(request(hub.fileUrl('slow.bin'), 'slow', { expectedSha256: sha256(content) }), again.env);

    const resumed = hub.requestsTo('/files/slow.bin')[1];
    expect(resumed.headers.range).toBe(`bytes=${partial.received}-`);
    expect(resumed.status).toBe(206);
    expect(resumed.bodyBytes).toBe(2_000_000 - partial.received);
    expect(result).toMatchObject({ resumedFrom: partial.received, requests: 1, sha256: sha256(content) });
    expect(Buffer.compare(h.target.committed.get('onnx/test/slow')!.bytes, content)).toBe(0);
    expect(again.events[0]).toMatchObject({ status: 'starting', loaded: partial.received });
  });

  it('an already aborted signal fails before any request', async () => {
    hub.addFile('never.bin', bytesOf(10, 8));
    const h = harness({ signal: AbortSignal.abort() });
    expect((await failure(download(request(hub.fileUrl('never.bin'), 'never'), h.env))).code).toBe('aborted');
    expect(hub.requestsTo('/files/never.bin')).toHaveLength(0);
  });
});

describe('retries and HTTP errors', () => {
  it('retries two 500s with exponentially growing delays, then succeeds', async () => {
    const content = bytesOf(100_000, 9);
    hub.addFile('flaky.bin', content).faults.push({ status: 500, times: 2 });
    const h = harness();
    const result = await download(request(hub.fileUrl('flaky.bin'), 'flaky'), h.env);
    expect(h.delays).toEqual([100, 200]);
    expect(hub.requestsTo('/files/flaky.bin').map((r) => r.status)).toEqual([500, 500, 200]);
    expect(h.events.filter((e) => e.status === 'retrying').map((e) => e.attempt)).toEqual([1, 2]);
    expect(result).toMatchObject({ requests: 3, size: 100_000, sha256: sha256(content) });
  });

  it('gives up after the configured retries with an http error, keeping the delays doubling', async () => {
    hub.addFile('down.bin', bytesOf(10, 10)).faults.push({ status: 503, times: 10 });
    const h = harness({ retry: { attempts: 3, baseDelayMs: 50 } });
    const e = await failure(download(request(hub.fileUrl('down.bin'), 'down'), h.env));
    expect(e.code).toBe('http');
    expect(e.message).toContain('HTTP 503');
    expect(h.delays).toEqual([50, 100, 200]);
    expect(hub.requestsTo('/files/down.bin')).toHaveLength(4);
    expect(h.target.calls).toEqual([]);
  });

  it('waits as long as a 429 Retry-After asks', async () => {
    hub.addFile('busy.bin', bytesOf(1000, 11)).faults.push({ status: 429, retryAfter: 3 });
    const h = harness();
    await download(request(hub.fileUrl('busy.bin'), 'busy'), h.env);
    expect(h.delays).toEqual([3000]);
  });

  it('a 404 fails at once, naming the URL, without retrying or writing', async () => {
    const h = harness();
    const url = hub.fileUrl('missing.bin');
    const e = await failure(download(request(url, 'missing'), h.env));
    expect(e.code).toBe('not-found');
    expect(e.message).toContain(`not found at ${url}`);
    expect(hub.requestsTo('/files/missing.bin')).toHaveLength(1);
    expect(h.delays).toEqual([]);
    expect(h.target.calls).toEqual([]);
  });

  it('401 without a token and 403 with a wrong one fail at once as auth errors', async () => {
    const file = hub.addFile('gated.bin', bytesOf(1000, 12));
    file.token = 'right';
    const h = harness();
    const e401 = await failure(download(request(hub.fileUrl('gated.bin'), 'g1'), h.env));
    expect(e401.code).toBe('auth');
    expect(e401.message).toMatch(/needs an access token \(HTTP 401\)/);
    const e403 = await failure(download(request(hub.fileUrl('gated.bin'), 'g2', { headers: { Authorization: 'Bearer wrong' } }), h.env));
    expect(e403.code).toBe('auth');
    expect(e403.message).toMatch(/access denied .*HTTP 403/);
    expect(e403.message).not.toContain('wrong');
    expect(hub.requestsTo('/files/gated.bin').map((r) => r.status)).toEqual([401, 403]);
    expect(h.delays).toEqual([]);
  });

  it('an unreachable host is retried, then reported as a network error that mentions CORS and the CLI', async () => {
    const closed = await startHubServer();
    const url = closed.fileUrl('x.bin');
    await closed.close();
    const h = harness({ retry: { attempts: 2, baseDelayMs: 10 } });
    const e = await failure(download(request(url, 'unreachable'), h.env));
    expect(e.code).toBe('network');
    expect(e.message).toContain('does not allow cross-origin downloads');
    expect(e.message).toContain('npx omnihub download');
    expect(h.delays).toEqual([10, 20]);
    expect(h.target.calls).toEqual([]);
  });
});

describe('storage quota', () => {
  it('fails with quota before any request when the expected size does not fit', async () => {
    hub.addFile('big.bin', bytesOf(5000, 13));
    const h = harness({ estimateStorage: async () => ({ usage: 900, quota: 5000 }) });
    const e = await failure(download(request(hub.fileUrl('big.bin'), 'big', { expectedSize: 5000 }), h.env));
    expect(e.code).toBe('quota');
    expect(e.message).toContain('5000 bytes are needed but only 4100');
    expect(hub.requestsTo('/files/big.bin')).toHaveLength(0);
    expect(h.target.calls).toEqual([]);
  });

  it('uses Content-Length when no size is expected, still before writing anything', async () => {
    hub.addFile('big2.bin', bytesOf(5000, 14));
    const h = harness({ estimateStorage: async () => ({ usage: 0, quota: 4999 }) });
    const e = await failure(download(request(hub.fileUrl('big2.bin'), 'big2'), h.env));
    expect(e.code).toBe('quota');
    expect(hub.requestsTo('/files/big2.bin')).toHaveLength(1);
    expect(h.target.calls).toEqual([]);
  });

  it('a QuotaExceededError from storage becomes a quota error and leaves a resumable partial', async () => {
    const content = bytesOf(300_000, 15);
    hub.addFile('full.bin', content);
    const h = harness({ chunkBytes: 65_536 }, new MemoryTarget(100_000));
    const e = await failure(download(request(hub.fileUrl('full.bin'), 'full'), h.env));
    expect(e.code).toBe('quota');
    expect(h.delays).toEqual([]);
    expect((await h.target.resumeState('full'))!.received).toBe(65_536);

    h.target.quotaBytes = Infinity;
    const result = await download(request(hub.fileUrl('full.bin'), 'full', { expectedSha256: sha256(content) }), harness({}, h.target).env);
    expect(result.resumedFrom).toBe(65_536);
    expect(hub.requestsTo('/files/full.bin')[1].bodyBytes).toBe(300_000 - 65_536);
    expect(Buffer.compare(h.target.committed.get('onnx/test/full')!.bytes, content)).toBe(0);
  });
});

describe('parallel downloads and progress', () => {
  it('three downloads at once each report monotone progress that reaches loaded == total', async () => {
    const sizes = [1_000_000, 1_500_000, 700_000];
    const contents = sizes.map((n, i) => bytesOf(n, 20 + i));
    contents.forEach((c, i) => hub.addFile(`par${i}.bin`, c));
    const h = harness({ chunkBytes: 128 * 1024 });

    const results = await Promise.all(contents.map((c, i) => download(request(hub.fileUrl(`par${i}.bin`), `par${i}`, { expectedSha256: sha256(c) }), h.env)));

    expect(results.map((r) => r.size)).toEqual(sizes);
    for (let i = 0; i < 3; i++) {
      const events = h.events.filter((e) => e.key === `par${i}`);
      expect(events[0].status).toBe('starting');
      expect(events.slice(-2).map((e) => e.status)).toEqual(['verifying', 'done']);
      expect(events.at(-1)).toMatchObject({ loaded: sizes[i], total: sizes[i] });
      const loaded = events.map((e) => e.loaded);
      expect(loaded.every((n, j) => j === 0 || n >= loaded[j - 1])).toBe(true);
      const downloading = events.filter((e) => e.status === 'downloading');
      // At least one event per stored chunk of 128 KiB.
      expect(downloading.length).toBeGreaterThanOrEqual(Math.ceil(sizes[i] / (128 * 1024)));
      expect(downloading.every((e) => e.total === sizes[i] && e.loaded <= sizes[i])).toBe(true);
      expect(Buffer.compare(h.target.committed.get(`onnx/test/par${i}`)!.bytes, contents[i])).toBe(0);
    }
  });

  it('rate and ETA follow the injected clock', async () => {
    hub.addFile('clocked.bin', bytesOf(400_000, 30));
    let t = 0;
    const h = harness({ chunkBytes: 100_000, now: () => (t += 250) });
    await download(request(hub.fileUrl('clocked.bin'), 'clocked'), h.env);
    const withRate = h.events.filter((e) => e.status === 'downloading' && e.rate !== undefined);
    expect(withRate.length).toBeGreaterThan(0);
    for (const e of withRate) {
      expect(e.rate).toBeGreaterThan(0);
      expect(e.etaSeconds).toBeCloseTo((400_000 - e.loaded) / e.rate!, 6);
    }
  });
});

describe('tokens', () => {
  it('sends Authorization to its own origin and not to another origin a redirect leads to', async () => {
    const content = bytesOf(200_000, 31);
    other.addFile('mirror.bin', content);
    const file = hub.addFile('redirected.bin', content);
    file.token = 'secret';
    file.faults.push({ redirectTo: other.fileUrl('mirror.bin') });
    const h = harness();

    const result = await download(
      request(hub.fileUrl('redirected.bin'), 'redirected', { headers: { Authorization: 'Bearer secret' }, expectedSha256: sha256(content) }),
      h.env,
    );

    expect(result.sha256).toBe(sha256(content));
    const first = hub.requestsTo('/files/redirected.bin');
    expect(first.map((r) => [r.status, r.headers.authorization])).toEqual([[302, 'Bearer secret']]);
    const mirrored = other.requestsTo('/files/mirror.bin');
    expect(mirrored).toHaveLength(1);
    expect(mirrored[0].headers.authorization).toBeUndefined();
  });

  it('does not send headers given for one origin to a URL on another', async () => {
    other.addFile('elsewhere.bin', bytesOf(1000, 32));
    const h = harness();
    await download(
      request(other.fileUrl('elsewhere.bin'), 'elsewhere', { headers: { Authorization: 'Bearer secret' }, headersOrigin: hub.url }),
      h.env,
    );
    const sent = other.requestsTo('/files/elsewhere.bin');
    expect(sent).toHaveLength(1);
    expect(sent[0].headers.authorization).toBeUndefined();
    expect(JSON.stringify(other.requests.map((r) => r.headers))).not.toContain('secret');
  });
});

describe('Hub routes', () => {
  it('downloads a repository file by its resolve URL, checked against the sha256 the tree lists', async () => {
    const weights = bytesOf(600_000, 40);
    hub.addRepo({ id: 'acme/tiny', files: { 'config.json': '{"a":1}', 'onnx/model.onnx': weights }, pipeline_tag: 'feature-extraction' });
    const tree = (await (await fetch(`${hub.url}/api/models/acme/tiny/tree/main/onnx?recursive=false`)).json()) as Array<{
      path: string;
      size: number;
      lfs?: { oid: string };
    }>;
    expect(tree.map((e) => [e.path, e.size, e.lfs?.oid])).toEqual([['onnx/model.onnx', 600_000, sha256(weights)]]);
    const h = harness();
    const url = hub.resolveUrl('acme/tiny', 'onnx/model.onnx');
    const result = await download(request(url, 'tiny', { expectedSha256: tree[0].lfs!.oid, expectedSize: tree[0].size }), h.env);
    expect(result.sha256).toBe(sha256(weights));
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.headers.get('etag')).toBe(`"${sha256(weights)}"`);
    expect(head.headers.get('x-repo-commit')).toMatch(/^[0-9a-f]{40}$/);
    expect(head.headers.get('access-control-expose-headers')).toContain('Content-Range');
  });
});

describe('Hub API shapes (as @huggingface/hub parses them)', () => {
  it('lists, searches, describes and lists the tree of repositories', async () => {
    const server = await startHubServer();
    try {
      const onnx = bytesOf(20_000, 50);
      server.addRepo({ id: 'acme/bert-tiny', files: { 'config.json': '{}', 'onnx/model.onnx': onnx }, likes: 3, downloads: 70, tags: ['onnx'], library_name: 'transformers.js', pipeline_tag: 'feature-extraction' });
      server.addRepo({ id: 'other/resnet', files: { 'model.onnx': onnx }, likes: 9, downloads: 5, token: 'hf_secret', gated: 'manual' });
      const get = async (path: string, init?: RequestInit) => {
        const res = await fetch(server.url + path, init);
        return { status: res.status, code: res.headers.get('x-error-code'), body: (await res.json()) as any };
      };

      const byDownloads = await get('/api/models?sort=downloads&limit=10');
      expect(byDownloads.body.map((m: any) => [m.id, m.modelId, m.downloads, m.likes])).toEqual([
        ['acme/bert-tiny', 'acme/bert-tiny', 70, 3],
        ['other/resnet', 'other/resnet', 5, 9],
      ]);
      expect(byDownloads.body[0]).toMatchObject({ library_name: 'transformers.js', pipeline_tag: 'feature-extraction', tags: ['onnx'], private: false, gated: false });
      expect(byDownloads.body[0]._id).toMatch(/^[0-9a-f]{24}$/);
      expect(Date.parse(byDownloads.body[0].lastModified)).toBeGreaterThan(0);
      expect((await get('/api/models?search=RESNET')).body.map((m: any) => m.id)).toEqual(['other/resnet']);
      expect((await get('/api/models?limit=1&sort=likes')).body.map((m: any) => m.id)).toEqual(['other/resnet']);
      expect((await get('/api/models?search=bert&expand=siblings')).body[0].siblings).toEqual([{ rfilename: 'config.json' }, { rfilename: 'onnx/model.onnx' }]);

      const info = await get('/api/models/acme/bert-tiny/revision/main?blobs=true');
      expect(info.body.sha).toMatch(/^[0-9a-f]{40}$/);
      expect(info.body.siblings[1]).toEqual({ rfilename: 'onnx/model.onnx', blobId: expect.stringMatching(/^[0-9a-f]{40}$/), size: 20_000, lfs: { sha256: sha256(onnx), size: 20_000, pointerSize: expect.any(Number) } });
      expect((await get(`/api/models/acme/bert-tiny/revision/${info.body.sha}`)).status).toBe(200);
      expect(await get('/api/models/acme/bert-tiny/revision/v9')).toMatchObject({ status: 404, code: 'RevisionNotFound' });
      expect(await get('/api/models/acme/nothing/revision/main')).toMatchObject({ status: 404, code: 'RepoNotFound' });

      const top = await get('/api/models/acme/bert-tiny/tree/main?recursive=false');
      expect(top.body.map((e: any) => [e.type, e.path])).toEqual([['directory', 'onnx'], ['file', 'config.json']]);
      const all = await get('/api/models/acme/bert-tiny/tree/main?recursive=true');
      const model = all.body.find((e: any) => e.path === 'onnx/model.onnx');
      expect(model).toEqual({ type: 'file', oid: info.body.siblings[1].blobId, size: 20_000, path: 'onnx/model.onnx', lfs: { oid: sha256(onnx), size: 20_000, pointerSize: expect.any(Number) } });
      expect(all.body.find((e: any) => e.path === 'config.json').lfs).toBeUndefined();
      // The git blob id of a small file is the one git computes: sha1("blob <size>\0<content>").
      expect(all.body.find((e: any) => e.path === 'config.json').oid).toBe(createHash('sha1').update('blob 2\0{}').digest('hex'));

      expect((await get('/api/models/other/resnet/tree/main')).status).toBe(401);
      expect((await get('/api/models/other/resnet/tree/main', { headers: { Authorization: 'Bearer hf_wrong' } })).status).toBe(403);
      expect((await get('/api/models/other/resnet/tree/main', { headers: { Authorization: 'Bearer hf_secret' } })).status).toBe(200);

      // fileDownloadInfo probes with Range: bytes=0-0 and reads the size from Content-Range, the ETag from X-Linked-Etag.
      const probe = await fetch(server.resolveUrl('acme/bert-tiny', 'onnx/model.onnx'), { headers: { Range: 'bytes=0-0' } });
      expect(probe.status).toBe(206);
      expect(probe.headers.get('content-range')).toBe('bytes 0-0/20000');
      expect(probe.headers.get('x-linked-etag')).toBe(`"${sha256(onnx)}"`);
      expect(probe.headers.get('x-linked-size')).toBe('20000');
      expect(new Uint8Array(await probe.arrayBuffer())).toEqual(onnx.subarray(0, 1));
      const missing = await fetch(server.resolveUrl('acme/bert-tiny', 'nope.onnx'));
      expect([missing.status, missing.headers.get('x-error-code')]).toEqual([404, 'EntryNotFound']);
      const unsatisfiable = await fetch(server.resolveUrl('acme/bert-tiny', 'config.json'), { headers: { Range: 'bytes=5-' } });
      expect([unsatisfiable.status, unsatisfiable.headers.get('content-range')]).toEqual([416, 'bytes */2']);
      const preflight = await fetch(server.resolveUrl('acme/bert-tiny', 'config.json'), { method: 'OPTIONS' });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization.*Range.*If-Range/);
    } finally {
      await server.close();
    }
  });
});

describe('pure helpers', () => {
  it('ChunkBuffer cuts a stream into chunks of exactly chunkBytes, the last one trimmed', () => {
    const b = new ChunkBuffer(10, 25);
    const pieces = [b.push(bytesOf(7, 1)), b.push(bytesOf(7, 2)), b.push(bytesOf(9, 3))];
    expect(pieces.map((p) => p.map((c) => c.length))).toEqual([[], [10], [10]]);
    expect(b.pendingBytes).toBe(3);
    const last = b.take()!;
    expect([last.length, last.buffer.byteLength]).toEqual([3, 3]);
    expect(b.take()).toBeNull();
  });

  it('Content-Range parsing accepts only well-formed single ranges', () => {
    expect(parseContentRange('bytes 100-199/1000')).toEqual({ start: 100, end: 199, total: 1000 });
    expect(parseContentRange('bytes 100-199/*')).toEqual({ start: 100, end: 199, total: undefined });
    expect(parseContentRange('bytes 100-1000/1000')).toBeNull();
    expect(parseContentRange('bytes 200-100/1000')).toBeNull();
    expect(parseContentRange('items 0-1/2')).toBeNull();
    expect(parseContentRange(null)).toBeNull();
    expect(parseUnsatisfiedRange('bytes */1234')).toBe(1234);
    expect(parseUnsatisfiedRange('bytes 0-1/2')).toBeUndefined();
  });
});
