/** Small HTTP pieces the fixture Hub and its CDN share: bounded body reads, byte ranges, path segments. */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The request body, or `null` when it is larger than `cap` (the rest is not read). */
export async function readBounded(req: IncomingMessage, cap: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > cap) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** One `bytes=` range of a representation of `size` bytes: inclusive bounds, `'unsatisfiable'`, or null (no usable Range: send it whole). */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | null {
  if (header === undefined) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (m === null) return null; // several ranges or another unit: ignored, as a server may
  const [a, b] = [m[1] ?? '', m[2] ?? ''];
  if (a === '' && b === '') return null;
  if (a === '') {
    const n = Number(b);
    if (n === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(a);
  if (start >= size) return 'unsatisfiable';
  const end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  return end < start ? null : { start, end };
}

/** Answers with the bytes (206 for a satisfiable `Range`, 416 for another), nothing for HEAD. */
export function sendBytes(req: IncomingMessage, res: ServerResponse, headers: Record<string, string>, bytes: Buffer, record: (status: number) => void): void {
  const range = parseRange(req.headers.range, bytes.length);
  const h: Record<string, string> = { ...headers, 'accept-ranges': 'bytes' };
  if (range === 'unsatisfiable') {
    record(416);
    res.writeHead(416, { ...h, 'content-range': `bytes */${bytes.length}`, 'content-length': '0' }).end();
    return;
  }
  const status = range === null ? 200 : 206;
  const body = range === null ? bytes : bytes.subarray(range.start, range.end + 1);
  if (range !== null) h['content-range'] = `bytes ${range.start}-${range.end}/${bytes.length}`;
  h['content-length'] = String(body.length);
  record(status);
  res.writeHead(status, h).end(req.method === 'HEAD' ? undefined : body);
}

/** The path's segments, each percent-decoded (`refs%2Fpr%2F1` is one segment); null when one is not valid percent-encoding. */
export function pathSegments(pathname: string): string[] | null {
  try {
    return pathname.split('/').slice(1).map((s) => decodeURIComponent(s));
  } catch {
    return null;
  }
}

/** A revision at the start of some segments: one segment, or three for an unencoded `refs/pr/N` / `refs/convert/x`. */
export function takeRevision(segs: readonly string[]): { revision: string; rest: string[] } | null {
  const [first, second, third] = segs;
  if (first === undefined || first === '') return null;
  if (first === 'refs' && (second === 'pr' || second === 'convert') && third !== undefined) return { revision: `refs/${second}/${third}`, rest: segs.slice(3) };
  return { revision: first, rest: segs.slice(1) };
}

/** Percent-encodes a repository file path, keeping its `/`. */
export const encodePath = (path: string): string => path.split('/').map(encodeURIComponent).join('/');
