/**
 * Which versions Airlock has served, and the verdict each had when it was last looked at — so
 * that a verdict change on a version clients already installed (a feed import that lists it as
 * malicious, a new policy) lands in the audit trail as `verdict.changed`, whichever phase
 * notices it first. Kept in the fact cache (one entry per package, shared by every gateway on
 * the store), read once per judged package.
 */
import type { Reason, VerdictKind } from '../core/index.ts';
import type { AuditLog, DecisionPhase, FactCache, Json } from '../storage/ports/index.ts';
import type { GateDecision, Subject } from './types.ts';

export const SERVED_NAMESPACE = 'served';
/** How long a served version is remembered without being served again. */
const KEEP_MS = 2 * 365 * 86_400_000;
/** Versions remembered per package (the most recently changed are kept). */
const MAX_VERSIONS = 5000;
const KINDS: readonly VerdictKind[] = ['allow', 'quarantine', 'block'];

interface Entry {
  readonly verdict: VerdictKind;
  /** When it was last served (RFC 3339). */
  readonly served: string;
  /** When the verdict was last seen to change (RFC 3339), or null. */
  readonly changed: string | null;
}

type Versions = Map<string, Entry>;

export interface VerdictChange {
  readonly subject: Subject;
  readonly phase: DecisionPhase;
  readonly decision: GateDecision;
  readonly policyHash: string;
}

function keyOf(s: Subject): string {
  return `${s.repo}\0${s.ecosystem}\0${s.name}`;
}

function parse(value: Json): Versions {
  const out: Versions = new Map();
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return out;
  const versions = (value as { readonly [k: string]: Json })['versions'];
  if (typeof versions !== 'object' || versions === null || Array.isArray(versions)) return out;
  for (const [v, e] of Object.entries(versions as { readonly [k: string]: Json })) {
    if (typeof e !== 'object' || e === null || Array.isArray(e)) continue;
    const o = e as { readonly [k: string]: Json };
    const verdict = o['verdict'];
    if (typeof verdict !== 'string' || !(KINDS as readonly string[]).includes(verdict)) continue;
    out.set(v, {
      verdict: verdict as VerdictKind,
      served: typeof o['served'] === 'string' ? o['served'] : '',
      changed: typeof o['changed'] === 'string' ? o['changed'] : null,
    });
  }
  return out;
}

function toJson(versions: Versions): Json {
  const entries = [...versions.entries()].slice(-MAX_VERSIONS);
  const out: { [k: string]: Json } = {};
  for (const [v, e] of entries) out[v] = { verdict: e.verdict, served: e.served, changed: e.changed };
  return { versions: out };
}

function reasonsJson(reasons: readonly Reason[]): Json {
  return reasons.map((r) => (r.rule === undefined ? { message: r.message } : { message: r.message, rule: r.rule }));
}

export class ServedLedger {
  readonly #cache: FactCache;
  readonly #audit: AuditLog;

  constructor(cache: FactCache, audit: AuditLog) {
    this.#cache = cache;
    this.#audit = audit;
  }

  async #read(subject: Subject, now: Date): Promise<Versions> {
    const entry = await this.#cache.getCached(SERVED_NAMESPACE, keyOf(subject), now);
    return entry === null ? new Map() : parse(entry.value);
  }

  async #write(subject: Subject, versions: Versions, now: Date): Promise<void> {
    await this.#cache.putCached({
      namespace: SERVED_NAMESPACE,
      key: keyOf(subject),
      value: toJson(versions),
      computedAt: now,
      expiresAt: new Date(now.getTime() + KEEP_MS),
    });
  }

  async #audited(change: VerdictChange, before: Entry, now: Date): Promise<void> {
    const v = change.decision.verdict;
    await this.#audit.appendAudit({
      at: now,
      actor: 'policy',
      action: 'verdict.changed',
      subject: change.subject.purl,
      details: {
        repo: change.subject.repo,
        phase: change.phase,
        from: before.verdict,
        to: v.kind,
        servedAt: before.served,
        source: change.decision.source,
        policyHash: change.policyHash,
        quarantine: change.decision.quarantineId,
        reasons: reasonsJson(v.kind === 'allow' ? [] : v.reasons),
      },
    });
  }

  /**
   * New verdicts for versions of one package: each version that was served and whose verdict
   * differs from the one remembered is audited and remembered. Versions never served are ignored.
   */
  async compare(changes: readonly VerdictChange[], now: Date): Promise<number> {
    const first = changes[0];
    if (first === undefined) return 0;
    const versions = await this.#read(first.subject, now);
    if (versions.size === 0) return 0;
    let n = 0;
    for (const change of changes) {
      const before = versions.get(change.subject.version);
      const kind = change.decision.verdict.kind;
      if (before === undefined || before.verdict === kind) continue;
      await this.#audited(change, before, now);
      versions.delete(change.subject.version);
      versions.set(change.subject.version, { verdict: kind, served: before.served, changed: now.toISOString() });
      n++;
    }
    if (n > 0) await this.#write(first.subject, versions, now);
    return n;
  }

  /**
   * The artifact phase decided about one version: audit a change against what was remembered,
   * and remember the version as served when the verdict is allow.
   */
  async artifact(change: VerdictChange, now: Date): Promise<void> {
    const versions = await this.#read(change.subject, now);
    const before = versions.get(change.subject.version);
    const kind = change.decision.verdict.kind;
    if (before !== undefined && before.verdict !== kind) {
      await this.#audited(change, before, now);
      versions.delete(change.subject.version);
      // Served again when allowed now; otherwise remember when it last was.
      versions.set(change.subject.version, { verdict: kind, served: kind === 'allow' ? now.toISOString() : before.served, changed: now.toISOString() });
      await this.#write(change.subject, versions, now);
      return;
    }
    // Remember a served version; refresh its date at most daily (one write per day per version).
    if (kind === 'allow' && (before === undefined || now.getTime() - Date.parse(before.served) > 86_400_000)) {
      versions.delete(change.subject.version);
      versions.set(change.subject.version, { verdict: 'allow', served: now.toISOString(), changed: before?.changed ?? null });
      await this.#write(change.subject, versions, now);
    }
  }
}
