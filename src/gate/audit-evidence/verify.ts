/**
 * Verifies a segment as it is read: every event's hash recomputes, seqs run on without a gap
 * from the header's anchor, each event links to the one before (the first to the anchor), and
 * the trailer agrees with what was read. Optionally against the live trail as well: the anchor
 * and every event must still be there, identical — nothing rewritten since the export.
 */
import { AUDIT_GENESIS_HASH, AuditChainVerifier, type AuditBreakKind, type AuditEvent } from '../../storage/ports/index.ts';
import { SegmentError } from './errors.ts';
import type { ChainPoint, SegmentHeader, SegmentTrailer } from './format.ts';
import type { SegmentItem } from './reader.ts';

export const BREAK_TEXT: Readonly<Record<AuditBreakKind, string>> = {
  'seq-gap': 'an event is missing or was inserted',
  'prev-hash': 'the link to the previous event does not match',
  hash: 'the event content does not match its hash (altered)',
};

/** The live trail, a page at a time: events after `afterSeq`, ascending. */
export type LiveTrail = (afterSeq: number) => Promise<readonly AuditEvent[]>;

export interface SegmentSummary {
  readonly header: SegmentHeader;
  readonly trailer: SegmentTrailer;
  readonly count: number;
  /** The last event's (the anchor's when there is none). */
  readonly last: ChainPoint;
  /** Whether it was compared with the live trail too. */
  readonly live: boolean;
}

/** Reads the live trail from one seq on, in step with the segment. */
class LiveCursor {
  readonly #page: LiveTrail;
  #buffer: readonly AuditEvent[] = [];
  #index = 0;
  #after: number;

  constructor(page: LiveTrail, fromSeq: number) {
    this.#page = page;
    this.#after = fromSeq - 1;
  }

  /** The live event `seq` (asked in ascending order, without gaps), or null when there is none. */
  async at(seq: number): Promise<AuditEvent | null> {
    if (this.#index >= this.#buffer.length) {
      this.#buffer = await this.#page(this.#after);
      this.#index = 0;
    }
    const e = this.#buffer[this.#index];
    if (e === undefined || e.seq !== seq) return null;
    this.#index++;
    this.#after = e.seq;
    return e;
  }
}

function where(line: number, seq: number): string {
  return `line ${line} (seq ${seq})`;
}

export class SegmentVerification {
  readonly #live: LiveTrail | null;
  #cursor: LiveCursor | null = null;
  #header: SegmentHeader | null = null;
  #chain: AuditChainVerifier | null = null;
  #count = 0;
  #last: ChainPoint | null = null;
  #summary: SegmentSummary | null = null;

  constructor(live: LiveTrail | null = null) {
    this.#live = live;
  }

  /** Passes each item on once it checks out; throws a SegmentError at the first that does not. */
  async *check(items: AsyncIterable<SegmentItem>): AsyncGenerator<SegmentItem> {
    for await (const item of items) {
      if (item.kind === 'header') await this.#onHeader(item.header);
      else if (item.kind === 'event') await this.#onEvent(item.line, item.event);
      else this.#onTrailer(item.line, item.trailer);
      yield item;
    }
  }

  /** What was verified (after `check` has run to the end). */
  get summary(): SegmentSummary {
    if (this.#summary === null) throw new SegmentError('the segment was not read to its end');
    return this.#summary;
  }

  async #onHeader(header: SegmentHeader): Promise<void> {
    const { anchor } = header;
    if (anchor.seq === 0 && anchor.hash !== AUDIT_GENESIS_HASH) throw new SegmentError(`line 1: the header's anchor is seq 0, but its hash is not the genesis value (64 zeros)`, { line: 1 });
    this.#header = header;
    this.#chain = new AuditChainVerifier(anchor);
    this.#last = anchor;
    if (this.#live === null) return;
    this.#cursor = new LiveCursor(this.#live, anchor.seq === 0 ? 1 : anchor.seq);
    if (anchor.seq === 0) return;
    const live = await this.#cursor.at(anchor.seq);
    if (live === null) throw new SegmentError(`line 1: the anchor, seq ${anchor.seq}, is not in the live trail`, { line: 1, seq: anchor.seq });
    if (live.hash !== anchor.hash) {
      throw new SegmentError(`line 1: the anchor, seq ${anchor.seq}, does not match the live trail (hash there ${live.hash}, in the header ${anchor.hash}): the trail was rewritten, or the segment is of another trail`, { line: 1, seq: anchor.seq });
    }
  }

  async #onEvent(line: number, event: AuditEvent): Promise<void> {
    const header = this.#header as SegmentHeader;
    let broken: ReturnType<AuditChainVerifier['check']>;
    try {
      broken = (this.#chain as AuditChainVerifier).check(event);
    } catch {
      // A hostile value nested deeper than hashing can follow.
      throw new SegmentError(`${where(line, event.seq)}: the event cannot be hashed (its details are nested too deeply)`, { line, seq: event.seq });
    }
    if (broken !== null) {
      const first = this.#count === 0 && broken.kind !== 'hash' ? ` (the first event must follow the anchor, seq ${header.anchor.seq})` : '';
      throw new SegmentError(`${where(line, event.seq)}: ${BREAK_TEXT[broken.kind]}${first}: expected ${broken.expected}, found ${broken.actual}`, { line, seq: event.seq });
    }
    if (event.seq > header.through) throw new SegmentError(`${where(line, event.seq)}: past the last seq the header covers (${header.through})`, { line, seq: event.seq });
    if (this.#cursor !== null) {
      const live = await this.#cursor.at(event.seq);
      if (live === null) throw new SegmentError(`${where(line, event.seq)}: the live trail has no event ${event.seq}`, { line, seq: event.seq });
      if (live.hash !== event.hash) {
        throw new SegmentError(`${where(line, event.seq)}: differs from the live trail (hash there ${live.hash}, in the segment ${event.hash}): the trail was rewritten since the export`, { line, seq: event.seq });
      }
    }
    this.#count++;
    this.#last = { seq: event.seq, hash: event.hash };
  }

  #onTrailer(line: number, trailer: SegmentTrailer): void {
    const header = this.#header as SegmentHeader;
    const last = this.#last as ChainPoint;
    const n = this.#count;
    const fail = (what: string): SegmentError => new SegmentError(`line ${line}: the trailer ${what}`, { line });
    if (trailer.count !== n) throw fail(`counts ${trailer.count} events; the segment holds ${n} (a line was removed or added)`);
    if (trailer.firstSeq !== (n === 0 ? null : header.anchor.seq + 1)) throw fail(`names first seq ${trailer.firstSeq}; the first event is ${n === 0 ? 'none' : header.anchor.seq + 1}`);
    if (trailer.lastSeq !== (n === 0 ? null : last.seq)) throw fail(`names last seq ${trailer.lastSeq}; the last event is ${n === 0 ? 'none' : last.seq}`);
    if (trailer.lastHash !== last.hash) throw fail(`names last hash ${trailer.lastHash}; the last event's is ${last.hash}`);
    if (last.seq !== header.through) throw fail(`ends at seq ${last.seq}, but the header covers seqs up to ${header.through} (events were removed at its end)`);
    this.#summary = { header, trailer, count: n, last, live: this.#cursor !== null };
  }
}
