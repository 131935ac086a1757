/**
 * A loopback HTTP server for the download benchmark that serves one large generated file without holding it in
 * memory or on disk: byte i of the file is `pattern[i % pattern.length]`, where the pattern is 16 MiB from a
 * fixed-seed xorshift PRNG. Deterministic (same bytes, same sha256 every run), not compressible, and served by
 * writing views of the one pattern buffer, so the server costs the socket writes and nothing else — it shares the
 * 2 cores with the browser it measures.
 *
 * Answers like a CDN a browser may fetch cross-origin from a cross-origin-isolated page: Content-Length, single
 * Range requests (206/416), a strong ETag, CORS (`Access-Control-Allow-Origin: *`) and
 * `Cross-Origin-Resource-Policy: cross-origin` (COEP require-corp), and `Cache-Control: no-store`, so that neither
 * side of the comparison writes the file into the browser's HTTP cache.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const PATTERN_BYTES = 16 * 1024 * 1024; // not a divisor of 500 MB, nor aligned with 8 MiB/64 MB chunks
const SEED = 0x2545f491;
const WRITE_BYTES = 1024 * 1024; // bytes per socket write

function pattern(): Buffer {
  const words = new Uint32Array(PATTERN_BYTES / 4);
  let s = SEED;
  for (let i = 0; i < words.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    words[i] = s >>> 0;
  }
  return Buffer.from(words.buffer);
}

/** The sha256 of the generated file of `size` bytes, cached in `cachePath` (hashing 500 MB takes a few seconds). */
function sha256Of(bytes: Buffer, size: number, cachePath: string): string {
  const id = `xorshift32 seed ${SEED}, pattern ${PATTERN_BYTES} B, size ${size} B`;
  if (existsSync(cachePath)) {
    const cached = JSON.parse(readFileSync(cachePath, 'utf8')) as { id: string; sha256: string };
    if (cached.id === id) return cached.sha256;
  }
  const hash = createHash('sha256');
  for (let offset = 0; offset < size; offset += PATTERN_BYTES) hash.update(bytes.subarray(0, Math.min(PATTERN_BYTES, size - offset)));
  const sha256 = hash.digest('hex');
  mkdirSync(dirname(cachePath), { recursive: true });
  writeFileSync(cachePath, `${JSON.stringify({ id, sha256 }, null, 2)}\n`);
  return sha256;
}

export interface FileServer {
  url: string;
  size: number;
  sha256: string;
  /** Body bytes sent so far, all requests together (a check that every run fetched the whole file once). */
  sentBytes(): number;
  close(): Promise<void>;
}

export async function startFileServer(size: number, shaCachePath: string): Promise<FileServer> {
  const bytes = pattern();
  const sha256 = sha256Of(bytes, size, shaCachePath);
  const etag = `"${sha256}"`;
  let sent = 0;

  const server: Server = createServer((req, res) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Expose-Headers', 'Content-Range, Content-Length, ETag, Accept-Ranges');
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { 'Access-Control-Allow-Headers': 'Range, If-Range, Authorization', 'Access-Control-Max-Age': '600' });
      res.end();
      return;
    }
    // `/file.bin?rate=<bytes per second>` throttles the response, as a slower link would.
    const { pathname, searchParams } = new URL(req.url ?? '/', 'http://x');
    const rate = Number(searchParams.get('rate')) || Infinity;
    if (pathname !== '/file.bin' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404).end();
      return;
    }
    let start = 0;
    let end = size; // exclusive
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    const ifRange = req.headers['if-range'];
    const useRange = range && (ifRange === undefined || ifRange === etag);
    if (useRange) {
      start = Number(range[1]);
      end = range[2] ? Math.min(size, Number(range[2]) + 1) : size;
      if (start >= size || start >= end) {
        res.writeHead(416, { 'Content-Range': `bytes */${size}` }).end();
        return;
      }
    }
    res.writeHead(useRange ? 206 : 200, {
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(end - start),
      'Accept-Ranges': 'bytes',
      ETag: etag,
      'Cache-Control': 'no-store',
      ...(useRange && { 'Content-Range': `bytes ${start}-${end - 1}/${size}` }),
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    let offset = start;
    const startedAt = performance.now();
    const pump = (): void => {
      while (offset < end) {
        if (res.destroyed) return; // the client went away
        const due = startedAt + ((offset - start) / rate) * 1000; // when a link of `rate` would have sent this far
        if (due > performance.now() + 1) {
          setTimeout(pump, due - performance.now());
          return;
        }
        const at = offset % PATTERN_BYTES;
        const n = Math.min(WRITE_BYTES, end - offset, PATTERN_BYTES - at);
        offset += n;
        sent += n;
        // A view of the pattern, no copy; when the socket's buffer is full, continue on 'drain'.
        if (!res.write(bytes.subarray(at, at + n))) {
          res.once('drain', pump);
          return;
        }
      }
      res.end();
    };
    res.on('close', () => res.removeAllListeners('drain'));
    pump();
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/file.bin`,
    size,
    sha256,
    sentBytes: () => sent,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
