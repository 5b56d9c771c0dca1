/**
 * A webhook cursor's input, checked the same for every driver before it reaches SQL: names and
 * holders as the port describes them, seqs and attempts whole numbers ≥ 0, times to the
 * millisecond, and the failure reason cut and made storable.
 */
import { AirlockError } from '../../core/index.ts';
import type { WebhookProgress } from '../ports/index.ts';
import { nonNegativeInteger, storableText, toMillis, toMillisOrNull } from './validate.ts';

/** Longest failure reason a cursor keeps (UTF-16 code units, as `String.length` counts). */
export const MAX_WEBHOOK_ERROR = 1024;
/** Longest holder (a process's identity: host, pid, start time …). */
export const MAX_WEBHOOK_HOLDER = 128;

const WEBHOOK_NAME = /^[a-z0-9._-]{1,64}$/;

export function webhookName(name: string): string {
  if (typeof name !== 'string' || !WEBHOOK_NAME.test(name)) {
    throw new AirlockError('BAD_REQUEST', 'a webhook name is 1 to 64 characters of a-z, 0-9, ".", "_" and "-"');
  }
  return name;
}

/**
 * A lease holder is compared and read back as given: well-formed text without NUL (PostgreSQL
 * text cannot hold NUL; an unpaired surrogate would read back changed).
 */
export function webhookHolder(holder: string): string {
  if (typeof holder !== 'string' || holder.length === 0 || holder.length > MAX_WEBHOOK_HOLDER) {
    throw new AirlockError('BAD_REQUEST', `a webhook lease holder is 1 to ${MAX_WEBHOOK_HOLDER} characters`);
  }
  if (holder.includes('\u0000') || !holder.isWellFormed()) {
    throw new AirlockError('BAD_REQUEST', 'a webhook lease holder must be well-formed text without NUL characters');
  }
  return holder;
}

export function webhookSeq(seq: number, what: string): number {
  return nonNegativeInteger(seq, what);
}

/**
 * A failure reason as stored: often text from the receiving end, so it is made storable rather
 * than refused (a refusal would stall the delivery that reports it): NUL and unpaired surrogates
 * become U+FFFD, and it is cut to `MAX_WEBHOOK_ERROR` code units without splitting a pair.
 */
export function webhookError(error: string | null): string | null {
  if (error === null) return null;
  if (typeof error !== 'string') throw new AirlockError('BAD_REQUEST', 'a webhook lastError must be a string or null');
  return storableText(error, MAX_WEBHOOK_ERROR);
}

/** Progress as the drivers write it: checked, times as epoch milliseconds. */
export interface WebhookProgressRow {
  readonly seq: number;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly failingSince: number | null;
  /** null keeps the stored value. */
  readonly deliveredAt: number | null;
  readonly at: number;
}

/** BAD_REQUEST for progress no cursor at `fromSeq` can make: a seq below it among others. */
export function webhookProgressRow(fromSeq: number, progress: WebhookProgress): WebhookProgressRow {
  webhookSeq(fromSeq, 'webhook fromSeq');
  const seq = webhookSeq(progress.seq, 'webhook progress seq');
  if (seq < fromSeq) throw new AirlockError('BAD_REQUEST', `webhook progress seq ${seq} is below fromSeq ${fromSeq}`);
  return {
    seq,
    attempts: nonNegativeInteger(progress.attempts, 'webhook attempts'),
    lastError: webhookError(progress.lastError),
    failingSince: toMillisOrNull(progress.failingSince, 'webhook failingSince'),
    deliveredAt: toMillisOrNull(progress.deliveredAt, 'webhook deliveredAt'),
    at: toMillis(progress.at, 'webhook progress time'),
  };
}
