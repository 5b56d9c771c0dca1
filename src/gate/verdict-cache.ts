/**
 * The gate's cached verdicts, bounded by estimated bytes (and a number of versions):
 *   - metadata phase: one entry per package and generation — every version judged in one call,
 *     valid for exactly that set of versions with those facts (a fingerprint) until the earliest
 *     expiry among them. A package with thousands of versions costs one key, one map and the
 *     decisions, most of which are the one shared plain allow;
 *   - artifact phase: one entry per (generation, artifact, facts, requester).
 * Sizes are estimates calibrated with heap measurements (`bench/gate/verdict-footprint.ts`).
 */
import { createHash } from 'node:crypto';
import { cacheFill, Lru, type CacheFills, type Reason } from '../core/index.ts';
import type { GateDecision, VersionCandidate } from './types.ts';

/** Heap bytes of one cached version beyond its decision (map slot, version key shared with the candidate). */
const VERSION_BYTES = 48;
/** A package entry without its versions (key, fingerprint, map). */
const PACKAGE_BYTES = 400;
/** An artifact entry without its decision (key with two digests, wrapper). */
const ARTIFACT_BYTES = 400;

/** A decision every plain allow shares (no warnings, decided by the policy). */
const PLAIN_ALLOW: GateDecision = Object.freeze({
  verdict: Object.freeze({ kind: 'allow' as const, warnings: Object.freeze([]) as readonly Reason[] }),
  source: 'policy' as const,
  quarantineId: null,
});

function reasonsBytes(reasons: readonly Reason[]): number {
  let n = 16 + 8 * reasons.length;
  for (const r of reasons) n += 56 + r.message.length;
  return n;
}

/** Estimated heap bytes of a decision not shared with others. */
export function decisionBytes(d: GateDecision): number {
  if (d === PLAIN_ALLOW) return 0;
  const v = d.verdict;
  return 120 + (d.quarantineId?.length ?? 0) + reasonsBytes(v.warnings) + (v.kind === 'allow' ? 0 : reasonsBytes(v.reasons));
}

/** The shared plain allow when `d` is one, else `d`. */
export function internDecision(d: GateDecision): GateDecision {
  const v = d.verdict;
  return v.kind === 'allow' && v.warnings.length === 0 && d.source === 'policy' && d.quarantineId === null ? PLAIN_ALLOW : d;
}

/**
 * Identifies a package's candidate set: the versions in order with their facts — by the
 * adapter's `factsKey` when it gives one, else by the facts themselves.
 */
export function candidatesFingerprint(candidates: readonly VersionCandidate[]): string {
  const h = createHash('sha256');
  let chunk: string[] = [];
  for (const c of candidates) {
    chunk.push(c.subject.version, c.factsKey === undefined ? `j${JSON.stringify(c.facts)}` : `k${c.factsKey}`);
    if (chunk.length >= 2048) {
      h.update(chunk.join('\0'));
      h.update('\0');
      chunk = [];
    }
  }
  h.update(chunk.join('\0'));
  return h.digest('base64url');
}

interface PackageVerdicts {
  readonly fingerprint: string;
  readonly decisions: ReadonlyMap<string, GateDecision>;
  /** epoch ms after which no decision of the entry may be used. */
  readonly validUntil: number;
  readonly bytes: number;
}

interface ArtifactVerdict {
  readonly decision: GateDecision;
  readonly validUntil: number;
  readonly bytes: number;
}

export interface VerdictCacheOptions {
  /** Estimated heap bytes for every cached verdict. */
  readonly maxBytes: number;
  /** At most this many versions' metadata verdicts. */
  readonly maxVersions: number;
}

/** Weight units of the package LRU: an entry weighs its larger share of either bound. */
const UNITS = 1e12;

export class VerdictCache {
  readonly #packages: Lru<string, PackageVerdicts>;
  readonly #artifacts: Lru<string, ArtifactVerdict>;
  readonly #packageBudget: number;
  /** Estimated bytes of the package entries kept (their LRU weighs shares of two bounds, not bytes). */
  #packageBytes = 0;

  constructor(options: VerdictCacheOptions) {
    // Artifact verdicts are few and hot (one per served file): a tenth of the bytes.
    const artifactBytes = Math.floor(options.maxBytes / 10);
    const packageBytes = Math.max(1, options.maxBytes - artifactBytes);
    const maxVersions = Math.max(1, options.maxVersions);
    this.#packageBudget = packageBytes;
    this.#packages = new Lru(
      UNITS,
      (e) => Math.ceil(Math.max((e.bytes / packageBytes) * UNITS, ((e.decisions.size + 1) / maxVersions) * UNITS)),
      (e) => {
        this.#packageBytes -= e.bytes;
      },
    );
    this.#artifacts = new Lru(artifactBytes, (e) => e.bytes);
  }

  /**
   * How full the two caches are. The packages' may evict below its bytes when it holds
   * `maxVersions` versions first (`policy.verdictCacheSize`).
   */
  caches(): CacheFills {
    const packages = this.#packages;
    return {
      verdicts: { bytes: this.#packageBytes, budgetBytes: this.#packageBudget, entries: packages.size, evictions: packages.evictions },
      artifactVerdicts: cacheFill(this.#artifacts),
    };
  }

  /** The package's decisions if they were judged for exactly this candidate set and are still valid. */
  packageDecisions(key: string, fingerprint: string, now: number): ReadonlyMap<string, GateDecision> | null {
    const e = this.#packages.get(key);
    if (e === undefined || e.fingerprint !== fingerprint || e.validUntil <= now) return null;
    return e.decisions;
  }

  setPackage(key: string, fingerprint: string, decisions: ReadonlyMap<string, GateDecision>, validUntil: number): void {
    let bytes = PACKAGE_BYTES + key.length;
    for (const d of decisions.values()) bytes += VERSION_BYTES + decisionBytes(d);
    if (this.#packages.set(key, { fingerprint, decisions, validUntil, bytes })) this.#packageBytes += bytes;
  }

  artifact(key: string, now: number): GateDecision | null {
    const e = this.#artifacts.get(key);
    return e === undefined || e.validUntil <= now ? null : e.decision;
  }

  setArtifact(key: string, decision: GateDecision, validUntil: number): void {
    this.#artifacts.set(key, { decision, validUntil, bytes: ARTIFACT_BYTES + key.length + decisionBytes(decision) });
  }

  clear(): void {
    this.#packages.clear();
    this.#artifacts.clear();
  }
}
