/**
 * Which seqs a segment covers: the range asked (times and/or seqs) resolved against the trail as
 * it is when the export begins. The result is one run of consecutive seqs, so it verifies as a
 * piece of the chain: from the first event at or after `since` (and after `after`) up to the
 * last before the first event at or after `until` (and up to `through`), never past the head.
 */
import { AirlockError } from '../../core/index.ts';
import { AUDIT_GENESIS, auditHead, type AuditLog } from '../../storage/ports/index.ts';
import { parseDuration } from '../duration.ts';
import type { ChainPoint, SegmentRange } from './format.ts';

const INSTANT_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/i;

/** An ISO 8601 instant: a date and time with `Z` or an offset (`2026-03-01T12:00:00Z`, `…+01:00`). */
export function parseInstant(text: string, what = 'time'): Date {
  const m = INSTANT_RE.exec(text);
  const bad = (): AirlockError => new AirlockError('BAD_REQUEST', `${what}: ${JSON.stringify(text.slice(0, 40))} is not an ISO 8601 instant (e.g. 2026-03-01T00:00:00Z)`);
  if (m === null) throw bad();
  const [year, month, day, hour, minute, second, oh, om] = m.slice(1).map((v) => (v === undefined ? 0 : Number(v))) as number[];
  const calendar = new Date(Date.UTC(year ?? 0, (month ?? 1) - 1, day ?? 1));
  if (calendar.getUTCMonth() !== (month ?? 1) - 1 || calendar.getUTCDate() !== day) throw bad();
  if ((hour ?? 0) > 23 || (minute ?? 0) > 59 || (second ?? 0) > 59 || (oh ?? 0) > 23 || (om ?? 0) > 59) throw bad();
  const at = new Date(text);
  if (Number.isNaN(at.getTime())) throw bad();
  return at;
}

/** When, on the command line: an ISO 8601 instant, or a duration back from `now` (`30d`, `12h`). */
export function parseWhen(text: string, now: Date, what = 'time'): Date {
  if (/^\d{4}-/.test(text)) return parseInstant(text, what);
  try {
    return new Date(now.getTime() - parseDuration(text));
  } catch (err) {
    throw new AirlockError('BAD_REQUEST', `${what}: ${JSON.stringify(text.slice(0, 40))} is neither an ISO 8601 instant nor a duration (30d, 12h)`, { cause: err });
  }
}

/** Refuses a range that cannot be: times that are not instants, an end before its start. */
export function checkRange(range: SegmentRange): { readonly since: Date | null; readonly until: Date | null } {
  const since = range.since === null ? null : parseInstant(range.since, 'since');
  const until = range.until === null ? null : parseInstant(range.until, 'until');
  for (const [name, v] of [['after', range.after], ['through', range.through]] as const) {
    if (v !== null && (!Number.isSafeInteger(v) || v < 0)) throw new AirlockError('BAD_REQUEST', `${name} must be a non-negative integer`);
  }
  if (since !== null && until !== null && until.getTime() < since.getTime()) throw new AirlockError('BAD_REQUEST', 'until is before since');
  if (range.after !== null && range.through !== null && range.through < range.after) throw new AirlockError('BAD_REQUEST', 'through is before after');
  return { since, until };
}

export interface ResolvedSegment {
  /** The newest seq when resolved. */
  readonly headSeq: number;
  /** The event just before the first one covered (the genesis before seq 1). */
  readonly anchor: ChainPoint;
  /** The last seq covered; `anchor.seq` when none is. */
  readonly through: number;
}

export async function resolveSegment(log: AuditLog, range: SegmentRange): Promise<ResolvedSegment> {
  const { since, until } = checkRange(range);
  const headSeq = await auditHead(log);
  let start = range.after ?? 0;
  let end = Math.min(range.through ?? headSeq, headSeq);
  if (since !== null) {
    const first = await log.firstAuditSeqAtOrAfter(since);
    start = Math.max(start, first === null ? headSeq : first - 1);
  }
  if (until !== null) {
    const first = await log.firstAuditSeqAtOrAfter(until);
    if (first !== null) end = Math.min(end, first - 1);
  }
  start = Math.min(start, headSeq);
  end = Math.max(end, start);
  return { headSeq, anchor: await chainPoint(log, start), through: end };
}

/** The seq and hash of event `seq` (the genesis for 0). */
export async function chainPoint(log: AuditLog, seq: number): Promise<ChainPoint> {
  if (seq === 0) return AUDIT_GENESIS;
  const [event] = await log.listAudit({ afterSeq: seq - 1, limit: 1 });
  if (event === undefined || event.seq !== seq) throw new AirlockError('STORAGE_ERROR', `the audit trail has no event ${seq}`);
  return { seq: event.seq, hash: event.hash };
}
