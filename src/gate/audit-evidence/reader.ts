/**
 * Reads a segment's lines into its header, events and trailer, checking each is well formed
 * (a hostile file included): the header first, of a format and version this Airlock reads;
 * events with exactly the stored fields; the trailer last. Whether the chain holds is
 * `verify.ts`'s.
 */
import { shownJson } from '../../core/index.ts';
import type { AuditEvent, Json } from '../../storage/ports/index.ts';
import { SegmentError } from './errors.ts';
import { MAX_ACTORS, SEGMENT_FORMAT, SEGMENT_VERSION, type ActorInfo, type ChainPoint, type SegmentHeader, type SegmentRange, type SegmentTrailer } from './format.ts';
import type { Line } from './lines.ts';

export type SegmentItem =
  | { readonly kind: 'header'; readonly line: number; readonly header: SegmentHeader }
  | { readonly kind: 'event'; readonly line: number; readonly event: AuditEvent }
  | { readonly kind: 'trailer'; readonly line: number; readonly trailer: SegmentTrailer };

type Obj = Readonly<Record<string, unknown>>;

const HASH_RE = /^[0-9a-f]{64}$/;
const EVENT_KEYS = ['seq', 'at', 'actor', 'action', 'subject', 'details', 'prevHash', 'hash'];

class Fields {
  readonly #obj: Obj;
  readonly #where: { line: number; seq?: number };
  readonly #what: string;

  constructor(obj: Obj, what: string, where: { line: number; seq?: number }) {
    this.#obj = obj;
    this.#what = what;
    this.#where = where;
  }

  fail(message: string): SegmentError {
    const seq = this.#where.seq === undefined ? '' : ` (seq ${this.#where.seq})`;
    return new SegmentError(`line ${this.#where.line}${seq}: ${this.#what} ${message}`, this.#where);
  }

  string(key: string): string {
    const v = this.#obj[key];
    if (typeof v !== 'string') throw this.fail(`has no text ${key}`);
    return v;
  }

  integer(key: string, min = 0): number {
    const v = this.#obj[key];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) throw this.fail(`has no ${key} (an integer, at least ${min})`);
    return v;
  }

  nullable<T>(key: string, read: (key: string) => T): T | null {
    return this.#obj[key] === null ? null : read(key);
  }

  hash(key: string): string {
    const v = this.string(key);
    if (!HASH_RE.test(v)) throw this.fail(`has a ${key} that is not 64 lowercase hex digits`);
    return v;
  }

  /** An instant as the trail writes it (`toISOString`), so it hashes as it was stored. */
  instant(key: string): string {
    const v = this.string(key);
    const ms = Date.parse(v);
    if (Number.isNaN(ms) || new Date(ms).toISOString() !== v) throw this.fail(`has a ${key} that is not a UTC instant as Airlock writes it (${JSON.stringify(v.slice(0, 40))})`);
    return v;
  }

  /** A time as a person asked for it: any ISO 8601 instant (kept as written). */
  instantText(key: string): string {
    const v = this.string(key);
    if (Number.isNaN(Date.parse(v))) throw this.fail(`has a ${key} that is not a time`);
    return v;
  }

  object(key: string): Fields {
    const v = this.#obj[key];
    if (!isObject(v)) throw this.fail(`has no ${key} object`);
    return new Fields(v, `${this.#what}'s ${key}`, this.#where);
  }

  chainPoint(key: string): ChainPoint {
    const f = this.object(key);
    return { seq: f.integer('seq'), hash: f.hash('hash') };
  }

  get raw(): Obj {
    return this.#obj;
  }
}

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseLine(line: Line): Obj {
  if (line.text.trim() === '') throw new SegmentError(`line ${line.no} is empty`, { line: line.no });
  let value: unknown;
  try {
    value = JSON.parse(line.text);
  } catch (err) {
    const why = err instanceof Error ? err.message.slice(0, 120) : 'malformed';
    throw new SegmentError(`line ${line.no} is not JSON (${why})`, { line: line.no });
  }
  if (!isObject(value)) throw new SegmentError(`line ${line.no} is not a JSON object`, { line: line.no });
  return value;
}

/** A header's version as the refusal names it: a number as written, else as `shownJson` names untrusted JSON (never whole: a list nested 100,000 deep, a string of megabytes). */
function versionText(v: unknown): string {
  return typeof v === 'number' || typeof v === 'boolean' ? String(v) : shownJson(v, 20);
}

function readHeader(line: Line): SegmentHeader {
  const obj = parseLine(line);
  if (obj['format'] !== SEGMENT_FORMAT) throw new SegmentError(`line ${line.no} is not the header of an Airlock audit segment (no "format": "${SEGMENT_FORMAT}")`, { line: line.no });
  const f = new Fields(obj, 'the header', { line: line.no });
  const version = obj['version'];
  if (version !== SEGMENT_VERSION) throw f.fail(`names format version ${versionText(version)}; this Airlock reads version ${SEGMENT_VERSION}`);
  const r = f.object('range');
  const range: SegmentRange = {
    since: r.nullable('since', (k) => r.instantText(k)),
    until: r.nullable('until', (k) => r.instantText(k)),
    after: r.nullable('after', (k) => r.integer(k)),
    through: r.nullable('through', (k) => r.integer(k)),
  };
  const header: SegmentHeader = {
    format: SEGMENT_FORMAT,
    version: SEGMENT_VERSION,
    airlockVersion: f.string('airlockVersion'),
    exportedAt: f.instant('exportedAt'),
    range,
    headSeq: f.integer('headSeq'),
    anchor: f.chainPoint('anchor'),
    through: f.integer('through'),
  };
  if (header.through < header.anchor.seq) throw f.fail(`has through ${header.through} before its anchor's seq ${header.anchor.seq}`);
  if (header.through > header.headSeq) throw f.fail(`has through ${header.through} past the head it names (${header.headSeq})`);
  return header;
}

function readEvent(line: Line, obj: Obj): AuditEvent {
  const seqValue = obj['seq'];
  const seq = typeof seqValue === 'number' && Number.isSafeInteger(seqValue) ? seqValue : undefined;
  const f = new Fields(obj, 'the event', seq === undefined ? { line: line.no } : { line: line.no, seq });
  const keys = Object.keys(obj);
  const extra = keys.filter((k) => !EVENT_KEYS.includes(k));
  if (extra.length > 0) throw f.fail(`has a field no audit event has (${JSON.stringify(extra[0]?.slice(0, 40))}): an event holds exactly ${EVENT_KEYS.join(', ')}`);
  if (!('details' in obj)) throw f.fail('has no details');
  return {
    seq: f.integer('seq', 1),
    at: new Date(f.instant('at')),
    actor: f.string('actor'),
    action: f.string('action'),
    subject: f.string('subject'),
    details: obj['details'] as Json,
    prevHash: f.hash('prevHash'),
    hash: f.hash('hash'),
  };
}

function readTrailer(line: Line, obj: Obj): SegmentTrailer {
  const f = new Fields(obj, 'the trailer', { line: line.no });
  if (obj['end'] !== SEGMENT_FORMAT) throw f.fail(`is not an Airlock audit segment's ("end" must be "${SEGMENT_FORMAT}")`);
  const a = f.object('actors');
  const entries = Object.entries(a.raw);
  if (entries.length > MAX_ACTORS) throw f.fail(`names more than ${MAX_ACTORS} actors`);
  const actors: Record<string, ActorInfo> = {};
  for (const [id, value] of entries) {
    if (!isObject(value)) throw f.fail(`has an actor ${JSON.stringify(id.slice(0, 60))} that is not an object`);
    const af = new Fields(value, `the trailer's actor ${JSON.stringify(id.slice(0, 60))}`, { line: line.no });
    actors[id] = { label: af.string('label'), role: af.string('role'), createdAt: af.nullable('createdAt', (k) => af.string(k)), revokedAt: af.nullable('revokedAt', (k) => af.string(k)) };
  }
  return {
    end: SEGMENT_FORMAT,
    count: f.integer('count'),
    firstSeq: f.nullable('firstSeq', (k) => f.integer(k, 1)),
    lastSeq: f.nullable('lastSeq', (k) => f.integer(k, 1)),
    lastHash: f.hash('lastHash'),
    actors,
  };
}

/** Reads a segment line by line: `read` each line in order, then `end`. */
export class SegmentReader {
  #seen = 0;
  #ended: number | null = null;

  read(line: Line): SegmentItem {
    this.#seen = line.no;
    if (this.#ended !== null) throw new SegmentError(`line ${line.no} follows the trailer (line ${this.#ended}): the trailer must be the last line`, { line: line.no });
    if (line.no === 1) return { kind: 'header', line: 1, header: readHeader(line) };
    const obj = parseLine(line);
    if (!('end' in obj)) return { kind: 'event', line: line.no, event: readEvent(line, obj) };
    this.#ended = line.no;
    return { kind: 'trailer', line: line.no, trailer: readTrailer(line, obj) };
  }

  /** Once the last line was read: a segment without its trailer is incomplete. */
  end(): void {
    if (this.#seen === 0) throw new SegmentError('the segment is empty: no header', { line: 1 });
    if (this.#ended === null) throw new SegmentError(`the segment ends at line ${this.#seen} without its trailer: it is incomplete (cut short, or its last line removed)`, { line: this.#seen });
  }
}

export async function* readSegment(lines: AsyncIterable<Line>): AsyncGenerator<SegmentItem> {
  const reader = new SegmentReader();
  for await (const line of lines) yield reader.read(line);
  reader.end();
}
