/**
 * oci repositories as package sources for the pre-flight check (`airlock check oci`, `pkg:oci/…`
 * purls at `/-/api/check`). Versions are not listed but resolved: a reference — a tag, a digest,
 * none for `latest` — names a manifest the way a pull names it, and the image is judged the way
 * admission judges a pull of it (admission.ts `explain`): the metadata phase with what the
 * manifest and the config say, then the artifact phase with what its signatures prove. A
 * multi-platform index is judged itself, and so is each platform image it lists, with the
 * index's signature (a pull brings one of them, and the check cannot know which); an index it
 * lists is judged the same way, its own platform images under both, as pulls of them are. Nothing is
 * served, recorded, cached as a verdict or opened; the config and signature blobs read are small
 * and stored like any other; no layer is fetched, so model layers are not scanned.
 */
import { AirlockError, isAirlockError } from '../../core/index.ts';
import type { Explained, Explainer, PackageSource, PackageSources, ReferenceCheck } from '../../gate/index.ts';
import type { RequestContext } from '../../storage/ports/index.ts';
import type { GroupOwners } from '../shared/group-owners.ts';
import type { Admission } from './admission.ts';
import type { ImageBackend } from './backend.ts';
import type { ResolvedManifest } from './catalog.ts';
import { MEDIA, type Descriptor } from './manifest.ts';
import type { OciMember } from './member.ts';
import { checkName, nameInNamespace, parseReference, referenceLabel, type Reference } from './references.ts';

/** Manifests an index lists judged per check, at most, nested indexes' included (an index lists a handful; the rest are said to be unjudged). */
export const MAX_CHECKED_PLATFORMS = 32;
/** Indexes in indexes descended into, at most (one level is what tools write; their parts past this are said to be unjudged). */
const MAX_NESTING = 4;

const PULLABLE: ReadonlySet<string> = new Set([MEDIA.ociManifest, MEDIA.dockerManifest, MEDIA.ociIndex, MEDIA.dockerList]);

export interface OciSourceDeps {
  readonly repo: string;
  /** The upstream namespace a one-component name is in (`library`), as the plugin's routes put it; null: none. */
  readonly namespace: string | null;
  readonly images: Pick<ImageBackend, 'catalog' | 'reportsMissing' | 'sightingsIfPulled'>;
  readonly admission: Pick<Admission, 'explain' | 'hasModelLayers'>;
  /** A name the upstream does not have: told to the hallucination tripwire, as a pull's would be. */
  readonly reportMissing: (name: string, request: RequestContext) => Promise<void>;
}

/** What an index lists that a pull may bring: image manifests for a real platform (not buildx's `unknown/unknown` attestations) and indexes. */
export function pullablePlatforms(m: ResolvedManifest): Descriptor[] {
  const man = m.manifest;
  if (man.kind !== 'index') return [];
  return man.manifests.filter((d) => PULLABLE.has(d.mediaType) && d.platform?.os !== 'unknown');
}

function platformLabel(d: Descriptor): string {
  const p = d.platform;
  if (p === null) return d.digest.slice(0, 'sha256:'.length + 12);
  return [p.os, p.architecture, ...(p.variant === null ? [] : [p.variant])].join('/');
}

/** What a check leaves to the pull: the layers (model layers are scanned and judged only then), and platform images past the bound. */
function notJudged(m: ResolvedManifest, modelLayers: boolean, skipped: number): string {
  const layers = modelLayers
    ? 'its model layers are scanned and judged when they are pulled, not by a check (no layer is fetched)'
    : 'no layer is fetched by a check (model layers, where an image has them, are scanned and judged when pulled)';
  return skipped > 0 ? `${layers}; ${skipped} more manifests listed under ${m.name}@${m.digest.slice(0, 19)} are judged when pulled` : layers;
}

function isAllowed(e: Explained): boolean {
  return e.decision.verdict.kind === 'allow';
}

function missingOf(err: unknown): 'NAME_UNKNOWN' | 'MANIFEST_UNKNOWN' | null {
  const code = isAirlockError(err) ? err.details['ociCode'] : undefined;
  return code === 'NAME_UNKNOWN' || code === 'MANIFEST_UNKNOWN' ? code : null;
}

/** A proxy or hosted oci repository as a source the check asks by reference. */
export function ociPackageSource(deps: OciSourceDeps): PackageSource {
  const { repo, images, admission } = deps;
  async function checkReference(name: string, reference: string | null, gate: Explainer, request: RequestContext): Promise<ReferenceCheck> {
    const ref: Reference = parseReference(reference ?? 'latest');
    let m: ResolvedManifest;
    try {
      m = await images.catalog.manifest(name, ref);
    } catch (err) {
      const missing = missingOf(err);
      if (missing === null) throw err;
      if (missing === 'MANIFEST_UNKNOWN') return { status: 'version-not-found', message: `${referenceLabel(name, ref)} does not exist in ${repo}` };
      if (images.reportsMissing) await deps.reportMissing(name, request);
      return { status: 'package-not-found', message: `the image repository ${name} does not exist in ${repo}${images.reportsMissing ? ' (the request was recorded)' : ''}` };
    }
    const asked = ref.kind === 'tag' ? { tag: ref.tag, sightings: await images.sightingsIfPulled(m.name, ref.tag, m.digest) } : null;
    const own = await admission.explain(m, asked, [], gate, request);
    const parts: { label: string; explained: Explained }[] = [];
    let modelLayers = admission.hasModelLayers(m);
    let skipped = 0;
    /** What the innermost of `indexes` lists, each judged under them as admission judges a pull of it (`prefix`: their labels). */
    const judgeParts = async (indexes: readonly ResolvedManifest[], prefix: string): Promise<void> => {
      const [index] = indexes;
      if (index === undefined) return;
      for (const d of pullablePlatforms(index)) {
        if (parts.length >= MAX_CHECKED_PLATFORMS || indexes.length > MAX_NESTING) {
          skipped++;
          continue;
        }
        const p = await images.catalog.manifest(m.name, { kind: 'digest', digest: d.digest });
        modelLayers ||= admission.hasModelLayers(p);
        const explained = (await admission.explain(p, null, indexes, gate, request)).explained;
        const label = `${prefix}${platformLabel(d)}`;
        parts.push({ label, explained });
        if (isAllowed(explained)) await judgeParts([p, ...indexes], `${label} > `);
      }
    };
    // What an index lists is judged only once the index is allowed (admission refuses it with its index otherwise).
    if (isAllowed(own.explained)) await judgeParts([m], '');
    return { status: 'judged', explained: own.explained, phase: own.phase, notJudged: notJudged(m, modelLayers, skipped), parts };
  }
  return {
    repo,
    ecosystem: 'oci',
    canonicalName: (name) => checkName(nameInNamespace(name, deps.namespace)),
    checkReference,
  };
}

export interface OciGroupSourceDeps {
  readonly repo: string;
  readonly owners: GroupOwners<OciMember>;
  /** Where the members registered their sources. */
  readonly sources: PackageSources;
  readonly memberNames: string;
  /** No member has the name: told to the tripwire when a proxy could have had it. */
  readonly reportMissing: (name: string, request: RequestContext) => Promise<void>;
}

/** An oci group as a source: each image repository as the member that serves it through the group checks it (the first that has it). */
export function ociGroupSource(deps: OciGroupSourceDeps): PackageSource {
  return {
    repo: deps.repo,
    ecosystem: 'oci',
    canonicalName: (name) => checkName(name),
    async checkReference(name, reference, gate, request) {
      const { member } = await deps.owners.owner(name);
      if (member === null) {
        await deps.reportMissing(name, request);
        return { status: 'package-not-found', message: `the image repository ${name} is not in any repository of the group ${deps.repo} (${deps.memberNames})` };
      }
      const source = deps.sources.find('oci', member.repo);
      if (source.checkReference === undefined) throw new AirlockError('INTERNAL', `the oci repository ${member.repo} registered no check by reference`);
      return source.checkReference(source.canonicalName(name), reference, gate, request);
    },
  };
}
