/**
 * The Chromium side of the benchmarks that run a page in Debian's /usr/bin/chromium (bench/pytorch.ts, keras.ts,
 * tensorflow.ts, quantize.ts): bundling the page, serving it with the input files from 127.0.0.1, and one measured
 * run in a fresh browser — the renderer processes found over CDP, each one's VmRSS sampled every 50 ms from /proc
 * (bench/download/memory.ts) while the page's function runs, the whole process tree's peak beside them; the page's
 * renderer is the one that grew most.
 */
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { chromium, type Page } from 'playwright-core';
import { MemorySampler, sampleMemory, type MemorySample } from '../download/memory.js';
import { MB } from './markdown.js';
import { bundleChild } from './child-process.js';

export const CHROMIUM = '/usr/bin/chromium';
/** playwright.config.ts's flags. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SAMPLE_MS = 50;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Bundles the browser script `entry` (the core from source) to an ES module in `outfile`. */
export function bundlePage(entry: string, outfile: string): void {
  buildSync({ entryPoints: [entry], bundle: true, platform: 'browser', format: 'esm', target: 'es2022', outfile, logLevel: 'warning' });
}

/**
 * Serves a blank page titled `title` that loads /main.js, the `scripts` (URL path → bundle, read again at each
 * request) and the `files` (URL path → file, streamed, never cached) from 127.0.0.1 on a free port.
 */
export async function servePage(title: string, scripts: Record<string, string>, files: Record<string, string>): Promise<{ base: string; close(): void }> {
  const html = `<!doctype html><meta charset="utf-8"><title>${title}</title><script type="module" src="/main.js"></script>`;
  const sizes = new Map(Object.entries(files).map(([url, path]) => [url, statSync(path).size]));
  const server = createServer((req, res) => {
    const url = req.url ?? '';
    if (url === '/') res.writeHead(200, { 'content-type': 'text/html' }).end(html);
    else if (Object.hasOwn(scripts, url)) res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(scripts[url]));
    else if (Object.hasOwn(files, url)) {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': sizes.get(url), 'cache-control': 'no-store' });
      createReadStream(files[url], { highWaterMark: 4 << 20 }).pipe(res);
    } else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

/** [time (ms since the epoch), RSS (bytes)] samples of one process. */
export type Series = Array<[number, number]>;

/** The largest RSS in `xs` between `from` and `to` (0 when none). */
export const peakOf = (xs: Series, from = -Infinity, to = Infinity) => Math.max(0, ...xs.filter(([t]) => t >= from && t <= to).map(([, r]) => r));

export interface Measured<T> {
  /** What `run` returned. */
  result: T;
  /** Still open: for untimed checks after the sampling. */
  page: Page;
  /** The page's renderer (the one whose RSS grew most) and its samples; the first taken before `run`. */
  pagePid: number;
  pageSeries: Series;
  /** The whole process tree's peaks (total and by kind) while `run` ran. */
  all: MemorySample;
  /** The whole process tree's RSS just before the sampling started. */
  before: MemorySample;
}

/**
 * One run in a fresh browser: opens `${base}/`, waits until the page has set `window[global]`, lets it settle 500 ms,
 * then samples memory while `run(page)` runs and hands the result to `measured` (the browser still open). Returns
 * the browser's version, and `error` (a line for the report) when `run` failed or the renderer crashed.
 */
export async function inFreshChromium<T>(base: string, global: string, args: string[], run: (page: Page) => Promise<T>,
  measured: (m: Measured<T>) => Promise<void>): Promise<{ version: string; error?: string }> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args });
  const version = browser.version();
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.error('page error:', e));
    let crashed = false;
    page.on('crash', () => { crashed = true; });
    await page.goto(`${base}/`);
    await page.waitForFunction((name) => name in window, global);
    await sleep(500);
    // Each renderer sampled on its own (Chromium keeps spare ones); the page's is the one that grows.
    const cdp = await browser.newBrowserCDPSession();
    const { processInfo } = await cdp.send('SystemInfo.getProcessInfo') as { processInfo: Array<{ type: string; id: number }> };
    const renderers = processInfo.filter((p) => p.type === 'renderer').map((p) => p.id);
    const rssOf = (pid: number) => sampleMemory(new Map([[pid, 'renderer']])).total;
    const series = new Map(renderers.map((pid) => [pid, [] as Series]));
    const sampleRenderers = () => { const now = Date.now(); for (const [pid, xs] of series) xs.push([now, rssOf(pid)]); };
    const before = sampleMemory();
    sampleRenderers();
    const sampler = new MemorySampler();
    sampler.start(SAMPLE_MS);
    const rendererTimer = setInterval(sampleRenderers, SAMPLE_MS);
    let result: T;
    try {
      result = await run(page);
    } catch (e) {
      clearInterval(rendererTimer);
      const p = sampler.stop();
      return { version, error: `${crashed ? 'renderer crashed' : 'failed'}: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]} (renderer peak RSS ${(p.byKind.renderer ?? 0) / MB | 0} MB)` };
    }
    clearInterval(rendererTimer);
    sampleRenderers();
    const all = sampler.stop();
    const [pagePid, pageSeries] = [...series].sort((x, y) => peakOf(y[1]) - peakOf(x[1]))[0];
    await measured({ result, page, pagePid, pageSeries, all, before });
    return { version };
  } finally {
    await browser.close();
  }
}

/**
 * A benchmark's bundles in bench/.data: its Node child (bench/NAME/child.ts) and, when Chromium runs, the shared page
 * (bench/common/web/page.ts) and its worker (bench/NAME/web/worker.ts).
 */
export function bundleBench(benchDir: string, name: string, browser: boolean): { child: string; pageJs: string; workerJs: string } {
  const data = join(benchDir, '.data');
  const child = join(data, `${name}-child.cjs`);
  bundleChild(join(benchDir, name, 'child.ts'), child);
  const pageJs = join(data, `${name}-page.js`);
  const workerJs = join(data, `${name}-worker.js`);
  if (browser) {
    bundlePage(join(benchDir, 'common', 'web', 'page.ts'), pageJs);
    bundlePage(join(benchDir, name, 'web', 'worker.ts'), workerJs);
  }
  return { child, pageJs, workerJs };
}
