/** Range-request header helpers (RFC 9110 §14). Pure functions, no I/O. */

export interface ContentRange {
  start: number;
  /** Inclusive end, as the header writes it. */
  end: number;
  /** Complete length, or undefined when the server wrote `*`. */
  total?: number;
}

/** Parses `bytes 100-199/1000` (or `bytes 100-199/*`); null for anything else, including `bytes *\/1000`. */
export function parseContentRange(header: string | null): ContentRange | null {
  const m = header && /^\s*bytes\s+(\d+)-(\d+)\/(\d+|\*)\s*$/i.exec(header);
  if (!m) return null;
  const start = Number(m[1]);
  const end = Number(m[2]);
  const total = m[3] === '*' ? undefined : Number(m[3]);
  if (end < start || (total !== undefined && end >= total)) return null;
  return { start, end, total };
}

/** The complete length from a 416's `Content-Range: bytes *\/1000`, if present. */
export function parseUnsatisfiedRange(header: string | null): number | undefined {
  const m = header && /^\s*bytes\s+\*\/(\d+)\s*$/i.exec(header);
  return m ? Number(m[1]) : undefined;
}

export function parseContentLength(header: string | null): number | undefined {
  if (header === null || !/^\s*\d+\s*$/.test(header)) return undefined;
  return Number(header);
}

/**
 * If-Range only works with a strong validator (RFC 9110 §13.1.5): a weak ETag (`W/"…"`) would make a server
 * always answer 200, so it is not sent and the download resumes on size equality alone.
 */
export function isStrongEtag(etag: string | undefined): etag is string {
  return !!etag && !etag.startsWith('W/');
}

/** Seconds from `Retry-After` (delta-seconds form only; an HTTP date is ignored), or undefined. */
export function parseRetryAfterSeconds(header: string | null): number | undefined {
  if (header === null || !/^\s*\d+\s*$/.test(header)) return undefined;
  return Number(header);
}
