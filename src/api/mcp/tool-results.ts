/**
 * The check tools' answers, built from the check service's results and quarantine records: the
 * structured result (tool-schemas.ts describes it) and the short text a model reads, which says
 * what to do next — above all, that a name the upstream does not have may be hallucinated and
 * must be neither installed nor registered.
 */
import type { Reason } from '../../core/index.ts';
import type { CheckResult } from '../../gate/check-result.ts';
import type { QuarantineRecord } from '../../storage/ports/index.ts';

export type ToolVerdict = 'allow' | 'quarantine' | 'block' | 'not-found' | 'error';

export interface CheckItem {
  readonly ecosystem: string;
  readonly name: string;
  readonly repo: string | null;
  readonly requested: string | null;
  readonly version: string | null;
  readonly verdict: ToolVerdict;
  readonly status: CheckResult['status'];
  readonly installs: string | null;
  /** The range asked for (then `version` is what an install of it gets, or the newest satisfying one when none is allowed); else null. */
  readonly range: string | null;
  /** With a range: the newest satisfying version and its verdict, when it is not `version` (it is held); else null. */
  readonly newestInRange: InRange | null;
  readonly mayBeHallucinated: boolean;
  readonly reasons: readonly { readonly rule: string | null; readonly message: string }[];
  readonly warnings: readonly { readonly rule: string | null; readonly message: string }[];
  readonly quarantineId: string | null;
  readonly purl: string | null;
  readonly message: string | null;
  readonly advice: string;
}

export interface InRange {
  readonly version: string;
  readonly verdict: ToolVerdict;
  readonly reasons: readonly { readonly rule: string | null; readonly message: string }[];
  readonly quarantineId: string | null;
}

function verdictOf(r: CheckResult): ToolVerdict {
  switch (r.status) {
    case 'judged':
      return r.verdict ?? 'error';
    case 'package-not-found':
    case 'version-not-found':
      return 'not-found';
    case 'unusable':
      return 'block';
    case 'error':
      return 'error';
  }
}

/** What an install through Airlock gets: a pinned version when it is allowed; unpinned, the newest version served. */
function installsOf(r: CheckResult): string | null {
  if (r.status !== 'judged') return null;
  if (r.requested === null) return r.resolvesTo ?? (r.verdict === 'allow' ? r.version : null);
  return r.verdict === 'allow' ? r.version : null;
}

function reasonsText(reasons: readonly { readonly message: string; readonly rule?: string | null }[]): string {
  return reasons.map((x) => `${x.message}${x.rule === undefined || x.rule === null ? '' : ` [${x.rule}]`}`).join('; ');
}

function label(r: CheckResult): string {
  const v = r.version ?? r.requested;
  return `${r.name}${v === null ? '' : `@${v}`}`;
}

export const HALLUCINATION_WARNING =
  'It may be a hallucinated name: do NOT install it, and do NOT create, register or publish a package by this name (that is how slopsquatting attacks start). Find the real package name (check the spelling and the project\'s documentation).';

/** With a range, what the newest satisfying version is when it is not the one judged. */
function newerText(r: CheckResult, n: InRange): string {
  if (n.verdict === 'allow') return ` (${n.version} satisfies it too and is allowed, but npm takes the version its latest tag names.)`;
  const review = n.quarantineId === null ? '' : ` (quarantine ${n.quarantineId})`;
  return ` The newest version satisfying it, ${n.version}, is ${n.verdict === 'block' ? 'blocked' : 'quarantined'} by Airlock: ${n.reasons.length > 0 ? reasonsText(n.reasons) : 'by policy'}${review}; ${r.version ?? '?'} is the newest it allows.`;
}

function advice(r: CheckResult, verdict: ToolVerdict, installs: string | null, newest: InRange | null): string {
  const what = label(r);
  const range = r.range?.range ?? null;
  switch (verdict) {
    case 'allow':
      if (range !== null) return `An install of ${r.name}@${range} gets ${installs ?? '?'} through Airlock, which allows it: pin ${installs ?? '?'} or keep the range.${newest === null ? '' : newerText(r, newest)}`;
      return r.requested === null && installs !== null && installs !== r.version
        ? `Airlock allows ${what}; an install without a version gets ${installs} through Airlock.`
        : `Airlock allows ${what}: install it through Airlock.`;
    case 'quarantine':
    case 'block': {
      const held = verdict === 'quarantine' ? 'quarantined' : 'blocked';
      const why = r.reasons.length > 0 ? reasonsText(r.reasons) : (r.message ?? 'by policy');
      const instead = installs !== null ? ` An install without a version gets ${installs}, which Airlock serves.` : ' Call suggest_allowed_version for a version Airlock allows.';
      const subject = range === null ? what : `No version satisfying ${range} is allowed by Airlock now (${r.range?.satisfying ?? 0} satisfy it): the newest, ${what},`;
      const fails = range === null ? 'Installing it fails' : `An install of ${r.name}@${range} fails`;
      const review =
        verdict === 'block'
          ? ' A block is not reviewed: choose another version or package.'
          : r.quarantineId !== null
            ? ` To use it anyway, ask an approver to review quarantine ${r.quarantineId} (explain_quarantine shows the record).`
            : ' No review is open yet (a client\'s download opens one); ask an approver if this exact version is needed.';
      return `${subject} is ${held} by Airlock: ${why}. ${fails}; do not fetch it around Airlock.${instead}${review}`;
    }
    case 'not-found':
      return r.status === 'package-not-found'
        ? `${r.name} does not exist in the ${r.ecosystem} upstream. ${HALLUCINATION_WARNING} Airlock recorded the name in its missing-name ledger.`
        : `${r.name} exists but ${r.message ?? 'not this version'}; leave the version out to see which version an install gets.`;
    case 'error':
      return `Airlock could not judge ${what}: ${r.message ?? 'unknown error'}. Do not install it around Airlock; try again later.`;
  }
}

function plainReasons(reasons: readonly Reason[]): { rule: string | null; message: string }[] {
  return reasons.map((x) => ({ rule: x.rule ?? null, message: x.message }));
}

function inRange(r: CheckResult): InRange | null {
  const n = r.range?.newest ?? null;
  return n === null ? null : { version: n.version, verdict: n.verdict, reasons: plainReasons(n.reasons), quarantineId: n.quarantineId };
}

export function checkItem(r: CheckResult): CheckItem {
  const verdict = verdictOf(r);
  const installs = installsOf(r);
  const newest = inRange(r);
  return {
    ecosystem: r.ecosystem,
    name: r.name,
    repo: r.repo,
    requested: r.requested,
    version: r.version,
    verdict,
    status: r.status,
    installs,
    range: r.range?.range ?? null,
    newestInRange: newest,
    mayBeHallucinated: r.status === 'package-not-found',
    reasons: plainReasons(r.reasons),
    warnings: plainReasons(r.warnings),
    quarantineId: r.quarantineId,
    purl: r.purl,
    message: r.message,
    advice: advice(r, verdict, installs, newest),
  };
}

/** One line: the verdict in capitals, what was checked, and the advice. */
export function itemLine(i: CheckItem): string {
  const v = i.range !== null ? `${i.range}${i.version === null ? '' : ` (${i.version})`}` : (i.version ?? i.requested);
  return `${i.verdict.toUpperCase()} ${i.ecosystem} ${i.name}${v === null ? '' : `@${v}`}: ${i.advice}`;
}

export interface QuarantineView {
  readonly id: string;
  readonly state: QuarantineRecord['state'];
  readonly ecosystem: string;
  readonly name: string;
  readonly version: string;
  readonly purl: string;
  readonly repo: string;
  readonly reasons: readonly { readonly rule: string | null; readonly message: string }[];
  readonly createdAt: string;
  readonly reviewedBy: string | null;
  readonly reviewedAt: string | null;
  readonly reviewReason: string | null;
  readonly expiresAt: string | null;
  readonly howToRelease: string;
}

function howToRelease(q: QuarantineRecord): string {
  switch (q.state) {
    case 'quarantined':
      return `Ask an approver to review it (the review UI's quarantine list, or: airlock quarantine release ${q.id} --reason "<why it is safe>"). Until then an install of ${q.name}@${q.version} fails; pick another version meanwhile (suggest_allowed_version).`;
    case 'released':
      return `Released${q.decidedBy === null ? '' : ` by ${q.decidedBy}`}${q.expiresAt === null ? '' : ` until ${q.expiresAt.toISOString()}`}: ${q.name}@${q.version} installs through Airlock.`;
    case 'rejected':
      return `Rejected${q.decidedBy === null ? '' : ` by ${q.decidedBy}`}: ${q.name}@${q.version} is not served. Choose another version or package.`;
  }
}

export function quarantineView(q: QuarantineRecord): QuarantineView {
  return {
    id: q.id,
    state: q.state,
    ecosystem: q.ecosystem,
    name: q.name,
    version: q.version,
    purl: q.purl,
    repo: q.repo,
    reasons: plainReasons(q.reasons),
    createdAt: q.createdAt.toISOString(),
    reviewedBy: q.decidedBy,
    reviewedAt: q.decidedAt?.toISOString() ?? null,
    reviewReason: q.decisionReason,
    expiresAt: q.expiresAt?.toISOString() ?? null,
    howToRelease: howToRelease(q),
  };
}

export function quarantineText(v: QuarantineView): string {
  const why = v.reasons.length === 0 ? '' : `\nwhy: ${reasonsText(v.reasons)}`;
  const review = v.reviewReason === null ? '' : `\nreview: ${v.reviewReason}`;
  return `quarantine ${v.id}: ${v.ecosystem} ${v.name}@${v.version} is ${v.state.toUpperCase()} (since ${v.createdAt})${why}${review}\n${v.howToRelease}`;
}
