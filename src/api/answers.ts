/**
 * The admin API's answers as the client reads them (client.ts). An answer is read before its
 * declared type is trusted: the CLI prints and branches on what it holds, and a malformed one (a
 * broken server, a proxy's error page that happens to be JSON, whatever answers at the configured
 * address) ended in a TypeError's message, or in a success printed from nothing: `airlock
 * webhooks skip` on `{}` said "skipped audit event undefined" and exited 0. Each reader checks
 * the fields callers rely on, keeps every other field as it came (the server may add some), and
 * turns dates into Date.
 */
import type { Reason } from '../core/index.ts';
import { cutShort, isPlainObject, shownJson } from '../core/index.ts';
import type { ExposureReport, SeverityLevel } from '../gate/exposure.ts';
import type { ImpactChange, ImpactReport, ImpactVerdict } from '../gate/policy-impact.ts';
import type { ChangeReport, DiffSide, FileChange, FileDiff } from '../gate/version-changes.ts';
import type { AuditEvent, DecisionRecord, Page, QuarantineRecord, TokenScope } from '../storage/ports/index.ts';
import type { WebhookStatus } from '../webhooks/index.ts';
import type { ExchangedToken } from './auth/oidc/index.ts';
import type { CreatedToken, TokenView } from './auth/token-service.ts';
import type { PypiReleaseChange } from './client.ts';
import type { RepositoryInfo } from './routes/repository-routes.ts';

/** What is wrong with an answer, in words (`with items[2] that is a list, not an object`); the client adds the route. */
export class WrongAnswer extends Error {}

/** Reads `v`, found at `at` in the answer (`items[2].createdAt`; '' for the answer itself), or throws a WrongAnswer. */
export type Reader<T> = (v: unknown, at: string) => T;

function wrong(v: unknown, at: string, expected: string): never {
  if (at === '') throw new WrongAnswer(`with ${shownJson(v, 40)}, not ${expected}`);
  throw new WrongAnswer(v === undefined ? `without ${at} (${expected})` : `with ${at} that is ${shownJson(v, 40)}, not ${expected}`);
}

function is<T>(test: (v: unknown) => boolean, expected: string): Reader<T> {
  return (v, at) => (test(v) ? (v as T) : wrong(v, at, expected));
}

const text = is<string>((v) => typeof v === 'string', 'a string');
const count = is<number>((v) => Number.isSafeInteger(v) && (v as number) >= 0, 'a count');
const flag = is<boolean>((v) => typeof v === 'boolean', 'true or false');
const url = is<string>((v) => typeof v === 'string' && URL.canParse(v), 'a URL');

/** An instant as JSON writes a Date (ISO 8601), as a Date. */
const date: Reader<Date> = (v, at) => {
  const ms = typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v) ? Date.parse(v) : Number.NaN;
  return Number.isNaN(ms) ? wrong(v, at, 'an ISO 8601 time') : new Date(ms);
};

function oneOf<const T extends string>(...values: T[]): Reader<T> {
  const named = values.map((x) => JSON.stringify(x));
  return is<T>((v) => (values as unknown[]).includes(v), `${named.slice(0, -1).join(', ')} or ${named.at(-1)}`);
}

function orNull<T>(read: Reader<T>): Reader<T | null> {
  return (v, at) => (v === null ? null : read(v, at));
}

function optional<T>(read: Reader<T>): Reader<T | undefined> {
  return (v, at) => (v === undefined ? undefined : read(v, at));
}

function listOf<T>(read: Reader<T>): Reader<T[]> {
  return (v, at) => (Array.isArray(v) ? v.map((x: unknown, i) => read(x, `${at}[${i}]`)) : wrong(v, at, 'a list'));
}

/**
 * An object of type T (what the route answers), its fields in `shape` read and the others kept
 * as they came: the readers check what callers rely on, not every field T declares.
 */
function object<T = Readonly<Record<string, unknown>>>(shape: { readonly [K in keyof T]?: Reader<unknown> }): Reader<T> {
  return (v, at) => {
    if (!isPlainObject(v)) return wrong(v, at, 'an object');
    const out: Record<string, unknown> = { ...v };
    for (const [key, read] of Object.entries<Reader<unknown> | undefined>(shape)) {
      const value = read?.(v[key], at === '' ? key : `${at}.${key}`);
      if (value !== undefined) out[key] = value;
    }
    return out as T;
  };
}

/** An object whose every member is a count (the check's summary: packages by verdict). */
const counts: Reader<Record<string, number>> = (v, at) => {
  if (!isPlainObject(v)) return wrong(v, at, 'an object');
  for (const [k, n] of Object.entries(v)) count(n, `${at}.${cutShort(k, 40)}`);
  return v as Record<string, number>;
};

/**
 * A check's result: an object (or an error). The check answers are read with care because a
 * caller counts what they hold: an answer with fewer results than packages asked (from a broken
 * server, or whatever answers at its address) made `airlock check` pass with nothing checked,
 * since every one of none is allowed.
 */
export const checkResult = object({});

/** A batch check's answer: one result per package asked, in order, and a summary of counts. */
export function checkAnswer(asked: number): Reader<{ readonly summary: Record<string, number>; readonly results: Record<string, unknown>[] }> {
  const read = object<{ readonly summary: Record<string, number>; readonly results: Record<string, unknown>[] }>({ results: listOf(checkResult), summary: counts });
  const plural = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;
  return (v, at) => {
    const answer = read(v, at);
    if (answer.results.length !== asked) throw new WrongAnswer(`with ${plural(answer.results.length, 'result')} for ${plural(asked, 'package')}`);
    return answer;
  };
}

/** A page of a listing: `{items, nextCursor}`. */
function page<T>(item: Reader<T>): Reader<Page<T>> {
  return object<Page<T>>({ items: listOf(item), nextCursor: orNull(text) });
}

const reasons = listOf(object<Reason>({ message: text }));

export const quarantineRecord = object<QuarantineRecord>({
  id: text,
  repo: text,
  purl: text,
  state: text,
  reasons,
  createdAt: date,
  updatedAt: date,
  decidedBy: orNull(text),
  decidedAt: orNull(date),
  expiresAt: orNull(date),
  contentDigest: orNull(text),
});
export const quarantinePage = page(quarantineRecord);

const fileChanges = listOf(object<FileChange>({ path: text }));
const scripts = orNull(object({}));
export const changeReport = object<ChangeReport>({
  purl: text,
  base: orNull(text),
  added: fileChanges,
  removed: fileChanges,
  changed: fileChanges,
  unchanged: count,
  counts: object<ChangeReport['counts']>({ added: count, removed: count, changed: count }),
  truncated: flag,
  installScripts: object<ChangeReport['installScripts']>({ before: scripts, after: scripts }),
});

const diffSide = orNull(object<DiffSide>({ size: count, sha256: orNull(text) }));
export const fileDiff = object<FileDiff>({ purl: text, path: text, base: orNull(text), before: diffSide, after: diffSide, unified: orNull(text), added: count, removed: count, note: orNull(text) });

export const decisionPage = page(object<DecisionRecord>({ createdAt: date }));

const impactVerdict = object<ImpactVerdict>({ verdict: text, reasons, warnings: reasons });
export const impactReport = object<ImpactReport>({
  baseline: text,
  candidate: text,
  examined: count,
  oldest: orNull(date),
  newest: orNull(date),
  complete: flag,
  changed: count,
  transitions: object({}),
  candidateErrors: count,
  changes: listOf(object<ImpactChange>({ purl: text, phase: text, change: text, decidedAt: date, before: impactVerdict, after: impactVerdict })),
});

export const repositoryList = object<{ readonly items: RepositoryInfo[] }>({
  items: listOf(object<RepositoryInfo>({ name: text, format: text, kind: text, path: text, upstream: orNull(url), members: optional(listOf(text)) })),
});

export const missingNameList = object<{ readonly items: Record<string, unknown>[] }>({ items: listOf(object({})) });

/** Every level's count: `airlock vulnerabilities --fail-on` looks at them, and a missing one would pass. */
const bySeverity: Record<SeverityLevel, Reader<number>> = { critical: count, high: count, moderate: count, low: count, unknown: count };
export const exposureReport = object<ExposureReport>({
  packages: count,
  total: count,
  bySeverity: object<ExposureReport['bySeverity']>(bySeverity),
  items: listOf(
    object<ExposureReport['items'][number]>({
      ecosystem: text,
      name: text,
      version: text,
      repos: listOf(text),
      usedAt: text,
      vulnerabilities: object<ExposureReport['items'][number]['vulnerabilities']>({ records: listOf(object({})) }),
    }),
  ),
});

export const auditPage = object<{ readonly items: AuditEvent[]; readonly next: number | null }>({ items: listOf(object<AuditEvent>({ seq: count, hash: text, at: date })), next: orNull(count) });

const scope = orNull(object<TokenScope>({ repos: orNull(listOf(text)), packages: orNull(listOf(text)) }));
const tokenFields = { id: text, role: text, label: text, scope, createdAt: date, expiresAt: orNull(date), revokedAt: orNull(date) };
export const tokenPage = page(object<TokenView>(tokenFields));
export const createdToken = object<CreatedToken>({ ...tokenFields, token: text });
export const exchangedToken = object<ExchangedToken>({ token: text, id: text, label: text, role: text, scope, expiresAt: date, issuer: text, subject: text, rule: text });

export const pypiChange = object<PypiReleaseChange>({
  name: text,
  target: oneOf('release', 'file', 'project'),
  version: orNull(text),
  versions: listOf(text),
  action: oneOf('yank', 'unyank', 'remove'),
  files: listOf(text),
  changed: flag,
});

export const webhookList = object<{ readonly items: WebhookStatus[] }>({
  items: listOf(
    object<WebhookStatus>({ name: text, url: text, seq: orNull(count), behind: count, attempts: count, lastError: orNull(text), failingSince: orNull(text), deliveredAt: orNull(text) }),
  ),
});
export const webhookTest = object<{ readonly delivered: boolean; readonly status: number | null; readonly error?: string }>({ delivered: flag, status: orNull(count) });
export const webhookSkip = object<{ readonly name: string; readonly skipped: number }>({ skipped: count });
/** Nothing of it is printed, but an answer without the cursor set is no proof the replay happened. */
export const webhookReplay = object<{ readonly name: string; readonly seq: number }>({ seq: count });
