/**
 * The worker side of ./page.ts, for the benchmark workers (bench/pytorch/web/worker.ts, keras/…, tensorflow/…):
 * answering the page's requests, and the sha256 of a result, untimed.
 */

/** What the worker posts back for each request. */
export type Answer<T> = { ok: boolean; value?: T; error?: string };

/** Answers each request the page posts with `handle`'s value, or with the error it threw. */
export function answerRequests<R>(handle: (request: R) => Promise<unknown>): void {
  self.onmessage = async (event: MessageEvent<R>) => {
    try {
      const value = await handle(event.data);
      self.postMessage({ ok: true, value });
    } catch (e) {
      self.postMessage({ ok: false, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
    }
  };
}

/** The sha256 of `blob`'s bytes, in hex. */
export async function sha256Hex(blob: Blob): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()));
  return [...digest].map((x) => x.toString(16).padStart(2, '0')).join('');
}
