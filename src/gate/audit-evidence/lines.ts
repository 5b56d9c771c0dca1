/**
 * Lines of a segment from a byte stream (a file, a response body), bounded: a line longer than
 * the limit, or bytes that are not UTF-8, end the reading with an error naming the line — a
 * hostile file cannot make the reader hold more than one line.
 */
import { SegmentError } from './errors.ts';

/** Longer than any event line can be (an event's details are at most 4 MiB of JSON). */
export const MAX_LINE_BYTES = 8 * 1024 * 1024;

export interface Line {
  /** 1-based. */
  readonly no: number;
  readonly text: string;
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

function decode(bytes: Buffer, no: number): string {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    throw new SegmentError(`line ${no} is not UTF-8 text`, { line: no });
  }
  return text.endsWith('\r') ? text.slice(0, -1) : text;
}

export async function* splitLines(source: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>, maxLineBytes = MAX_LINE_BYTES): AsyncGenerator<Line> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let no = 0;
  const tooLong = (): SegmentError => new SegmentError(`line ${no + 1} is longer than ${maxLineBytes} bytes`, { line: no + 1 });
  for await (const chunk of source) {
    let buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    for (let nl = buf.indexOf(0x0a); nl >= 0; nl = buf.indexOf(0x0a)) {
      if (pendingBytes + nl > maxLineBytes) throw tooLong();
      const line = pending.length === 0 ? buf.subarray(0, nl) : Buffer.concat([...pending, buf.subarray(0, nl)]);
      pending = [];
      pendingBytes = 0;
      no++;
      yield { no, text: decode(line, no) };
      buf = buf.subarray(nl + 1);
    }
    if (buf.length > 0) {
      if (pendingBytes + buf.length > maxLineBytes) throw tooLong();
      // Copied: the source may reuse its buffer for the next chunk.
      pending.push(Buffer.from(buf));
      pendingBytes += buf.length;
    }
  }
  if (pendingBytes > 0) {
    no++;
    yield { no, text: decode(Buffer.concat(pending), no) };
  }
}
