/**
 * What clients may see of one package under the current gate generation: which versions are
 * hidden (blocked or quarantined in the metadata phase, or unusable), the recomputed dist-tags,
 * the `modified` time of the filtered view, and the renderings built so far (cached per
 * variant and base URL).
 */
import { createHash } from 'node:crypto';
import { makePurl, type NpmPackageName } from '../../core/index.ts';
import type { Gate, GateDecision, GateFailure, VersionCandidate } from '../../gate/index.ts';
import type { RequestContext } from '../../storage/ports/index.ts';
import { recomputeDistTags } from './dist-tags.ts';
import { metadataFacts, packageContext, versionProblem } from './facts.ts';
import { readManifest, type ManifestExtract } from './manifest-reader.ts';
import type { PackumentIndex } from './packument-index.ts';
import { reasonsText } from './refusal.ts';

/** Every listed version of a package as the gate sees it in the metadata phase. */
export interface PackageCandidates {
  /** Usable versions with their metadata facts, in the packument's order. */
  readonly candidates: readonly VersionCandidate[];
  /** Versions that can never be served, and why (never judged). */
  readonly unusable: ReadonlyMap<string, string>;
}

/**
 * Every version's facts, from manifests the index pass read (`manifests`) or, when those are
 * gone, read again from the packument bytes. `factsKey` identifies the document they come from
 * (its digest): the gate keys cached verdicts by it.
 */
export function packageCandidates(
  repo: string,
  name: NpmPackageName,
  index: PackumentIndex,
  source: { readonly doc: Buffer } | { readonly manifests: ReadonlyMap<string, ManifestExtract> },
  factsKey: string,
): PackageCandidates {
  const ctx = packageContext(index.time, index.distTags, index.versions.size);
  const unusable = new Map<string, string>();
  const candidates: VersionCandidate[] = [];
  for (const span of index.versions.values()) {
    const manifest = 'doc' in source ? readManifest(source.doc, span.start) : (source.manifests.get(span.version) ?? null);
    const problem = versionProblem(name, span.version, manifest);
    if (problem !== null) {
      unusable.set(span.version, problem);
      continue;
    }
    candidates.push({
      subject: { repo, ecosystem: 'npm', name, version: span.version, purl: makePurl('npm', name, span.version) },
      facts: metadataFacts(span.version, manifest as NonNullable<typeof manifest>, ctx),
      factsKey,
    });
  }
  return { candidates, unusable };
}

/**
 * Estimated heap bytes of a package's candidates: measured at ~420 bytes per version over the
 * benchmark workload's 54,000 versions (`bench/npm/cache-footprint.ts`; values repeated across
 * versions are shared), plus a margin for long unshared strings (deprecation messages).
 */
export function candidatesBytes(p: PackageCandidates): number {
  let n = 512 + p.candidates.length * 440;
  for (const why of p.unusable.values()) n += 96 + why.length;
  return n;
}

export interface Rendering {
  /** Weak ETag over the rendered bytes. */
  readonly etag: string;
  readonly contentType: string;
  /** Kept gzip'd only: clients ask for gzip; the rare one that does not gets it inflated as it reads. */
  readonly gzip: Buffer;
  /** The body's length inflated (its Content-Length when sent without gzip). */
  readonly size: number;
}

/** A version hidden by the gate, as npm is told about it (`policyRestrictions`). */
export interface Withheld {
  readonly kind: 'block' | 'quarantine';
  readonly reasons: string;
  readonly quarantineId: string | null;
}

export interface PackageView {
  readonly generation: string;
  readonly hidden: ReadonlySet<string>;
  /** Why each hidden version is hidden (for logs and the version-document 404). */
  readonly hiddenWhy: ReadonlyMap<string, string>;
  /** Versions hidden by the gate (not the unusable ones), in version order. */
  readonly withheld: ReadonlyMap<string, Withheld>;
  readonly distTags: Readonly<Record<string, string>>;
  readonly tagsChanged: boolean;
  readonly modified: string | null;
  /** Identifies what this view shows (with the document and base URL it determines every byte). */
  readonly digest: string;
  readonly renderings: Map<string, Rendering>;
  /**
   * Set when the gate could not decide some version (a `gate` failure when any was one): such a
   * view holds fail-closed verdicts that say nothing lasting, so it is never kept.
   */
  readonly failure: GateFailure | null;
}

export interface ViewInputs {
  readonly index: PackumentIndex;
  readonly candidates: PackageCandidates;
  readonly gate: Gate;
  readonly hideBlocked: boolean;
  readonly request: RequestContext;
}

function newestTime(index: PackumentIndex, visible: readonly string[]): string | null {
  let best: string | null = index.time['created'] ?? null;
  for (const v of visible) {
    const t = index.time[v];
    if (t !== undefined && (best === null || t > best)) best = t;
  }
  return best;
}

export async function buildView(inputs: ViewInputs): Promise<PackageView> {
  const { index, gate } = inputs;
  const generation = gate.generation();
  const hiddenWhy = new Map<string, string>(inputs.candidates.unusable);
  const candidates = inputs.candidates.candidates;
  // One call for the whole package: the gate's collectors work per package and see its history.
  const decisions = candidates.length === 0 ? new Map<string, GateDecision>() : await gate.judgeVersions(candidates, inputs.request);
  const withheld = new Map<string, Withheld>();
  let failure: GateFailure | null = null;
  for (const c of candidates) {
    const d = decisions.get(c.subject.version);
    if (d?.failure !== undefined && (failure === null || (failure.kind === 'policy' && d.failure.kind === 'gate'))) failure = d.failure;
    // No decision for a version is a gate defect: fail closed and hide it.
    if (d === undefined) {
      hiddenWhy.set(c.subject.version, 'the gate gave no decision');
    } else if (d.verdict.kind !== 'allow' && inputs.hideBlocked) {
      hiddenWhy.set(c.subject.version, d.verdict.kind === 'block' ? 'blocked by policy' : 'quarantined');
      withheld.set(c.subject.version, { kind: d.verdict.kind, reasons: reasonsText(d.verdict.reasons), quarantineId: d.quarantineId });
    }
  }
  const hidden = new Set(hiddenWhy.keys());
  const visible = [...index.versions.keys()].filter((v) => !hidden.has(v));
  const tags = recomputeDistTags(index.distTags, visible);
  const modified = hidden.size > 0 ? newestTime(index, visible) : null;
  const digest = createHash('sha256')
    .update(JSON.stringify([[...hidden].sort(), tags.tags, modified, [...withheld].sort((a, b) => (a[0] < b[0] ? -1 : 1))]))
    .digest('base64url');
  return {
    generation,
    hidden,
    hiddenWhy,
    withheld,
    distTags: tags.tags,
    tagsChanged: tags.changed,
    modified,
    digest,
    renderings: new Map(),
    failure,
  };
}

export function viewBytes(view: PackageView): number {
  let n = 256 + view.hidden.size * 64 + view.withheld.size * 256;
  for (const r of view.renderings.values()) n += r.gzip.length + 128;
  return n;
}
