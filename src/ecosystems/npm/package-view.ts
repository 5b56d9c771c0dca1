/**
 * What clients may see of one package under the current gate generation: which versions are
 * hidden (blocked or quarantined in the metadata phase, or unusable), the recomputed dist-tags,
 * the `modified` time of the filtered view, and the renderings built so far (cached per
 * variant and base URL).
 */
import { makePurl, type NpmPackageName } from '../../core/index.ts';
import type { Gate, GateDecision, VersionCandidate } from '../../gate/index.ts';
import type { RequestContext } from '../../storage/ports/index.ts';
import { recomputeDistTags } from './dist-tags.ts';
import { metadataFacts, packageContext, versionProblem } from './facts.ts';
import type { PackumentIndex } from './packument-index.ts';
import { parseVersion } from './packument-index.ts';
import { reasonsText } from './refusal.ts';

export interface Rendering {
  /** Weak ETag over the rendered bytes. */
  readonly etag: string;
  readonly contentType: string;
  readonly gzip: Buffer;
  /** Identity-encoded bytes, kept only for small documents (else re-inflated per request). */
  readonly raw: Buffer | null;
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
  readonly renderings: Map<string, Rendering>;
}

export interface ViewInputs {
  readonly repo: string;
  readonly name: NpmPackageName;
  readonly index: PackumentIndex;
  readonly doc: Buffer;
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
  const { repo, name, index, doc, gate } = inputs;
  const generation = gate.generation();
  const ctx = packageContext(index.time, index.distTags, index.versions.size);
  const hiddenWhy = new Map<string, string>();
  const candidates: VersionCandidate[] = [];
  for (const span of index.versions.values()) {
    let manifest: unknown;
    try {
      manifest = parseVersion(doc, span);
    } catch {
      hiddenWhy.set(span.version, 'its manifest is not valid JSON');
      continue;
    }
    const problem = versionProblem(name, span.version, manifest);
    if (problem !== null) {
      hiddenWhy.set(span.version, problem);
      continue;
    }
    candidates.push({
      subject: { repo, ecosystem: 'npm', name, version: span.version, purl: makePurl('npm', name, span.version) },
      facts: metadataFacts(span.version, manifest, ctx),
    });
  }
  const decisions = candidates.length === 0 ? new Map<string, GateDecision>() : await gate.judgeVersions(candidates, inputs.request);
  const withheld = new Map<string, Withheld>();
  for (const c of candidates) {
    const d = decisions.get(c.subject.version);
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
  return {
    generation,
    hidden,
    hiddenWhy,
    withheld,
    distTags: tags.tags,
    tagsChanged: tags.changed,
    modified: hidden.size > 0 ? newestTime(index, visible) : null,
    renderings: new Map(),
  };
}

export function viewBytes(view: PackageView): number {
  let n = 256 + view.hidden.size * 64 + view.withheld.size * 256;
  for (const r of view.renderings.values()) n += r.gzip.length + (r.raw?.length ?? 0) + 128;
  return n;
}
