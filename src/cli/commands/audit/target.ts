/**
 * What an `airlock audit` command reads: a server's API (`--server`, default $AIRLOCK_SERVER;
 * an approver or admin token in $AIRLOCK_TOKEN) or the storage itself (`--data-dir`, `--config`);
 * and the range of the trail it asks for.
 */
import { isAirlockError } from '../../../core/index.ts';
import { openAuditSegment, parseWhen, tokenDirectory, type LiveTrail, type SegmentRange } from '../../../gate/audit-evidence/index.ts';
import { UsageError } from '../../command.ts';
import type { Target } from '../../admin/target.ts';

export { targetName, targetNamed, targetOptions, withTarget, type Target } from '../../admin/target.ts';

export const PAGE = 1000;

/** `n events`, `1 event`. */
export function events(n: number): string {
  return `${n} event${n === 1 ? '' : 's'}`;
}

export const rangeOptions = {
  since: { type: 'string' },
  until: { type: 'string' },
  after: { type: 'string' },
  through: { type: 'string' },
} as const;

/** The target's audit trail a page at a time. */
export function livePages(target: Target): LiveTrail {
  if (target.kind === 'storage') return (after) => target.storage.metadata.listAudit({ afterSeq: after, limit: PAGE });
  return async (after) => (await target.client.audit(after, PAGE)).items;
}

/** The segment of `range` from the target, as it is written (the server's bytes, or the same lines made here). */
export async function segmentFrom(target: Target, range: SegmentRange, clock: () => Date): Promise<AsyncIterable<Uint8Array | string>> {
  if (target.kind === 'server') {
    const q: { since?: string; until?: string; after?: number; through?: number } = {};
    if (range.since !== null) q.since = range.since;
    if (range.until !== null) q.until = range.until;
    if (range.after !== null) q.after = range.after;
    if (range.through !== null) q.through = range.through;
    return target.client.auditExport(q);
  }
  const { metadata } = target.storage;
  const segment = await openAuditSegment(metadata, range, { clock, actors: tokenDirectory(() => metadata.listTokens()) });
  return segment.lines();
}

function seqOption(name: string, text: string | undefined): number | null {
  if (text === undefined) return null;
  if (!/^\d{1,15}$/.test(text)) throw new UsageError(`--${name} takes an audit seq (0 or more), not ${JSON.stringify(text.slice(0, 40))}`);
  return Number(text);
}

function whenOption(name: string, text: string | undefined, now: Date): string | null {
  if (text === undefined) return null;
  try {
    return parseWhen(text, now, `--${name}`).toISOString();
  } catch (err) {
    if (isAirlockError(err)) throw new UsageError(err.message);
    throw err;
  }
}

/** The range the options ask for: WHEN as an ISO 8601 instant or a duration back from now (30d, 12h). */
export function rangeFrom(values: { readonly [K in keyof typeof rangeOptions]?: string | undefined }, now: Date): SegmentRange {
  const range: SegmentRange = {
    since: whenOption('since', values.since, now),
    until: whenOption('until', values.until, now),
    after: seqOption('after', values.after),
    through: seqOption('through', values.through),
  };
  if (range.since !== null && range.until !== null && range.until < range.since) throw new UsageError('--until is before --since');
  if (range.after !== null && range.through !== null && range.through < range.after) throw new UsageError('--through is before --after');
  return range;
}
