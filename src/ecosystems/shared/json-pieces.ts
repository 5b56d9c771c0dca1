/**
 * A JSON answer written a piece at a time as its client takes it, for answers as long as the
 * upstream's data makes them (a Hub repository's every file): `JSON.stringify` of the whole held
 * the text and its bytes per request until the client had read them, so requests that never read
 * their answer each held all of it.
 */
import { Readable } from 'node:stream';

/** Text gathered before it goes out as one chunk (each chunk is the sender's own, freed once written). */
const PIECE_CHARS = 64 * 1024;

/**
 * `doc` as `JSON.stringify` writes it (the same members in the same order), each top-level array
 * written item by item, and each of `lists` as an array in its member's place (after the others
 * when `doc` has no such member), its items made as they are written: only a piece and the item
 * being written are held at once.
 */
export function* jsonPieces(doc: Readonly<Record<string, unknown>>, lists: Readonly<Record<string, () => Iterable<unknown>>> = {}): Generator<Buffer> {
  let text = '{';
  let first = true;
  const members: [string, unknown][] = Object.entries(doc);
  for (const key of Object.keys(lists)) if (!Object.hasOwn(doc, key)) members.push([key, undefined]);
  for (const [key, value] of members) {
    const list = Object.hasOwn(lists, key) ? (lists[key] as () => Iterable<unknown>)() : Array.isArray(value) ? (value as readonly unknown[]) : null;
    const whole: string | undefined = list === null ? JSON.stringify(value) : '';
    // As JSON.stringify: a member whose value it leaves out (undefined, a function) is not written.
    if (whole === undefined) continue;
    text += `${first ? '' : ','}${JSON.stringify(key)}:`;
    first = false;
    if (list === null) {
      text += whole;
      continue;
    }
    text += '[';
    let i = 0;
    for (const item of list) {
      // As JSON.stringify writes an item it cannot write (undefined, a function) in an array.
      const written: string | undefined = JSON.stringify(item);
      text += `${i++ === 0 ? '' : ','}${written ?? 'null'}`;
      if (text.length >= PIECE_CHARS) {
        yield Buffer.from(text);
        text = '';
      }
    }
    text += ']';
  }
  yield Buffer.from(`${text}}`);
}

/** `jsonPieces` as a stream, for `sendOwnedStream`. */
export function jsonStream(doc: Readonly<Record<string, unknown>>, lists: Readonly<Record<string, () => Iterable<unknown>>> = {}): Readable {
  return Readable.from(jsonPieces(doc, lists));
}
