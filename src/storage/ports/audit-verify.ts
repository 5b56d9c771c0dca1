import { AUDIT_GENESIS_HASH, auditEventHash } from './audit-hash.ts';
import type { AuditEvent } from './records.ts';

/** Why a link of the audit chain is broken. */
export type AuditBreakKind =
  /** `seq` is not the previous event's seq + 1 (an event was removed or inserted). */
  | 'seq-gap'
  /** `prevHash` does not name the previous event's hash (reordered, removed or rewritten). */
  | 'prev-hash'
  /** `hash` is not the hash of the event's own content (the event was altered). */
  | 'hash';

export interface AuditChainBreak {
  readonly ok: false;
  /** The seq of the first event that does not verify. */
  readonly seq: number;
  readonly kind: AuditBreakKind;
  readonly expected: string;
  readonly actual: string;
}

export interface AuditChainOk {
  readonly ok: true;
  /** Events verified. */
  readonly count: number;
  /** seq and hash of the last verified event (the start point when nothing was verified). */
  readonly headSeq: number;
  readonly headHash: string;
}

export type AuditChainResult = AuditChainOk | AuditChainBreak;

/** Where verification starts: the genesis (seq 0, 64 zeros) unless continuing from a checkpoint. */
export interface AuditChainStart {
  readonly seq: number;
  readonly hash: string;
}

export const AUDIT_GENESIS: AuditChainStart = { seq: 0, hash: AUDIT_GENESIS_HASH };

/**
 * Incremental verifier for paging through a long audit log: feed events in ascending seq order;
 * `check` returns the first break (and keeps returning it), or null while the chain holds.
 */
export class AuditChainVerifier {
  #seq: number;
  #hash: string;
  #count = 0;
  #broken: AuditChainBreak | null = null;

  constructor(start: AuditChainStart = AUDIT_GENESIS) {
    this.#seq = start.seq;
    this.#hash = start.hash;
  }

  check(event: AuditEvent): AuditChainBreak | null {
    if (this.#broken !== null) return this.#broken;
    const expectedSeq = this.#seq + 1;
    let found: AuditChainBreak | null = null;
    if (event.seq !== expectedSeq) {
      found = { ok: false, seq: event.seq, kind: 'seq-gap', expected: String(expectedSeq), actual: String(event.seq) };
    } else if (event.prevHash !== this.#hash) {
      found = { ok: false, seq: event.seq, kind: 'prev-hash', expected: this.#hash, actual: event.prevHash };
    } else {
      const recomputed = auditEventHash(event.seq, event.prevHash, event);
      if (recomputed !== event.hash) {
        found = { ok: false, seq: event.seq, kind: 'hash', expected: recomputed, actual: event.hash };
      }
    }
    if (found !== null) {
      this.#broken = found;
      return found;
    }
    this.#seq = event.seq;
    this.#hash = event.hash;
    this.#count++;
    return null;
  }

  result(): AuditChainResult {
    return this.#broken ?? { ok: true, count: this.#count, headSeq: this.#seq, headHash: this.#hash };
  }
}

/**
 * Verify a run of audit events (ascending by seq). Reports the first broken link: a seq gap,
 * a prevHash that does not name its predecessor, or a hash that does not match the content.
 */
export function verifyAuditChain(events: Iterable<AuditEvent>, start: AuditChainStart = AUDIT_GENESIS): AuditChainResult {
  const verifier = new AuditChainVerifier(start);
  for (const event of events) {
    if (verifier.check(event) !== null) break;
  }
  return verifier.result();
}
