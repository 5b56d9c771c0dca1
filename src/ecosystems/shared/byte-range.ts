/**
 * One byte range of a `Range` header (RFC 9110 §14.1.2): `bytes=a-b`, `bytes=a-` or `bytes=-n`.
 * `@huggingface/hub` probes a file with `bytes=0-0` and reads large ones in ranges; registry
 * clients resume layer downloads with ranges. The unit is read without regard to case (`Bytes=`),
 * as the RFC says range units are. A header with several ranges, or another unit, is ignored (the
 * whole file is sent, as the RFC allows).
 */
export type ByteRangeRequest = { readonly start: number; readonly end: number } | 'unsatisfiable' | null;

export function parseByteRange(header: string | undefined, size: number): ByteRangeRequest {
  if (header === undefined) return null;
  const m = /^bytes=(\d{0,15})-(\d{0,15})$/i.exec(header.trim());
  if (m === null) return null;
  const [first, last] = [m[1] as string, m[2] as string];
  if (first === '' && last === '') return null;
  if (first === '') {
    // The last n bytes.
    const n = Number(last);
    if (n === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size || (last !== '' && Number(last) < start)) return 'unsatisfiable';
  return { start, end };
}
