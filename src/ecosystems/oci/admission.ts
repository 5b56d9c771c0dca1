/**
 * Whether an image is served: judged by the gate in both phases with what its manifest and
 * config say, the artifact phase with what its signatures prove too. Only an allow is served;
 * a quarantine opens the record a reviewer can release (its id is in the refusal). What an
 * allowed image brings — its config and layers, an index's platform manifests — is served as
 * part of it, under its verdict: a blob or a platform manifest is asked for by digest after the
 * image, and only an image Airlock admitted makes one servable.
 */
import { AirlockError, cacheFill, isAirlockError, Lru, type CacheFills, type Sha256Digest } from '../../core/index.ts';
import type { Explained, Explainer, Gate, GateDecision, VersionCandidate } from '../../gate/index.ts';
import type { FileScanResult } from '../../scan/index.ts';
import type { RequestContext } from '../../storage/ports/index.ts';
import { requesterKey } from '../shared/http.ts';
import { modelFileFacts } from '../shared/model-files.ts';
import { undecided, versionRefusal } from '../shared/refusal.ts';
import { SingleFlight } from '../shared/single-flight.ts';
import type { ResolvedManifest } from './catalog.ts';
import { imageCandidate, imageFacts, imagePurl, isImageConfig, signatureFactsJson, type SignatureFacts, type TagAsked } from './facts.ts';
import type { BlobSource, ManifestSource } from './image-source.ts';
import { parseImageConfig, type Descriptor, type ImageConfig } from './manifest.ts';
import { modelLayerPath } from './model-layers.ts';
import { imageLabel } from './references.ts';

/** An image's config is read for its facts up to this size (they run to some KiB). */
const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

export type ImageOutcome =
  | { readonly kind: 'serve'; readonly warnings: readonly string[] }
  | { readonly kind: 'refuse'; readonly error: AirlockError; readonly lasting: boolean };

/** What an admitted image brings, by name and digest: the image (manifest digest) it is part of. */
export interface Part {
  readonly owner: string;
  readonly size: number;
  /** The tag the owner was asked for when it was admitted: its verdict is asked for again with it (the same facts, the same answer). */
  readonly asked: TagAsked | null;
}

export interface AdmissionDeps {
  readonly repo: string;
  readonly gate: Gate;
  readonly catalog: Pick<ManifestSource, 'manifest'>;
  readonly blobs: Pick<BlobSource, 'ingest' | 'read'>;
  /** What the image's signatures prove (looked up by digest where the image is). */
  readonly signatures: (m: ResolvedManifest) => Promise<SignatureFacts>;
  /** What the model scanner finds in a stored blob, scanned as a file named `path`. */
  readonly scanModel: (digest: string, size: number, path: string) => Promise<FileScanResult>;
  readonly clock: () => Date;
}

/** Indexes above an image followed for the signature that covers it, at most (tools nest one level). */
const MAX_NESTING = 4;

/** Model files judged per artifact, at most (the rest of its layers are served under its verdict). */
const MAX_MODEL_LAYERS = 16;

function modelLayersOf(m: ResolvedManifest): Descriptor[] {
  const man = m.manifest;
  return man.kind === 'manifest' ? man.layers.filter((l) => modelLayerPath(man, l) !== null).slice(0, MAX_MODEL_LAYERS) : [];
}

/** An artifact-phase decision as the outcome served: an allow with its warnings, or the refusal (a failure of Airlock's own is thrown: nothing is judged). */
function outcomeOf(label: string, m: ResolvedManifest, decision: GateDecision): ImageOutcome {
  if (decision.failure?.kind === 'gate') throw undecided(label, decision.failure.cause);
  if (decision.verdict.kind !== 'allow') return { kind: 'refuse', error: versionRefusal(label, m.name, m.digest, decision), lasting: decision.failure === undefined };
  return { kind: 'serve', warnings: decision.verdict.warnings.map((w) => w.message) };
}

export class Admission {
  readonly #deps: AdmissionDeps;
  readonly #outcomes: Lru<string, ImageOutcome>;
  readonly #parts: Lru<string, Part>;
  readonly #deciding = new SingleFlight<string, ImageOutcome>();

  constructor(deps: AdmissionDeps, cacheBytes: number) {
    this.#deps = deps;
    this.#outcomes = new Lru(Math.max(64 * 1024, Math.floor(cacheBytes / 2)), () => 1024);
    this.#parts = new Lru(Math.max(64 * 1024, Math.floor(cacheBytes / 2)), () => 256);
  }

  /** How full the caches are (read by the metrics when scraped). */
  caches(): CacheFills {
    return { outcomes: cacheFill(this.#outcomes), parts: cacheFill(this.#parts) };
  }

  /** The image an admitted image's part (a blob, a platform manifest) belongs to, if Airlock admitted one that has it. */
  partOf(name: string, digest: string): Part | undefined {
    return this.#parts.get(`${name}@${digest}`);
  }

  /**
   * The verdict on the image `m` (once per image, policy generation and requester). A platform
   * manifest of an index is served only when the index is admitted, and is judged itself too,
   * with its own config (its build date is the one the cooldown reads: an index has none) and the
   * signature of the nearest index above it that is signed (the index is what people name, pin and
   * sign; an index in an index is covered by the outer one's).
   */
  async admit(m: ResolvedManifest, asked: TagAsked | null, request: RequestContext): Promise<ImageOutcome> {
    const part = this.partOf(m.name, m.digest);
    let indexes: readonly ResolvedManifest[] = [];
    if (part !== undefined && part.owner !== m.digest) {
      const owner = await this.#deps.catalog.manifest(m.name, { kind: 'digest', digest: part.owner });
      const outcome = await this.admit(owner, part.asked, request);
      if (outcome.kind !== 'serve') return outcome;
      indexes = [owner, ...(await this.#above(owner))];
    }
    // A platform manifest's facts are its own: the tag asked for named the index.
    const own = indexes.length === 0 ? asked : null;
    // The tag asked for is part of the facts (what it pointed at before): part of the key too.
    const key = `${m.name}@${m.digest}\0${indexes.map((i) => i.digest).join(',')}\0${own?.tag ?? ''}\0${own?.sightings.length ?? 0}`;
    return this.#once(key, request, () => this.#decide(m, own, indexes, request));
  }

  /** The indexes above an admitted index `m` that it was admitted as part of, nearest first. */
  async #above(m: ResolvedManifest): Promise<ResolvedManifest[]> {
    const out: ResolvedManifest[] = [];
    let at = m;
    for (let depth = 0; depth < MAX_NESTING; depth++) {
      const part = this.partOf(at.name, at.digest);
      if (part === undefined || part.owner === at.digest) break;
      at = await this.#deps.catalog.manifest(at.name, { kind: 'digest', digest: part.owner });
      out.push(at);
    }
    return out;
  }

  /** An outcome decided once per key, policy generation and requester (a refusal of a failure is decided again next time). */
  async #once(key: string, request: RequestContext, decide: () => Promise<ImageOutcome>): Promise<ImageOutcome> {
    const full = `${key}\0${this.#deps.gate.generation()}\0${requesterKey(request)}`;
    const known = this.#outcomes.get(full);
    if (known !== undefined) return known;
    return this.#deciding.run(full, async () => {
      const outcome = await decide();
      if (outcome.kind === 'serve' || outcome.lasting) this.#outcomes.set(full, outcome);
      return outcome;
    });
  }

  /**
   * What the gate would decide about a request for the image `m` now, as `admit` judges it (the
   * metadata phase; unless that blocks, the artifact phase with what its signatures prove),
   * through the explainer: nothing recorded, cached, opened or served (the pre-flight check).
   * `indexes`: the indexes `m` was asked for through, nearest first. Its model layers are neither
   * fetched nor judged.
   */
  async explain(m: ResolvedManifest, asked: TagAsked | null, indexes: readonly ResolvedManifest[], explainer: Explainer, request: RequestContext): Promise<{ readonly explained: Explained; readonly phase: 'metadata' | 'artifact' }> {
    const candidate = await this.#candidate(m, asked, indexes);
    const [first] = await explainer.explain([candidate], [candidate]);
    if (first === undefined) throw new AirlockError('INTERNAL', `${imageLabel(m.name, m.digest)} was not judged`);
    if (first.decision.verdict.kind === 'block' || first.decision.failure?.kind === 'gate') return { explained: first, phase: 'metadata' };
    const artifact = await this.#artifactCandidate(candidate, m, indexes);
    return { explained: await explainer.explainArtifact(artifact, request, async () => [candidate]), phase: 'artifact' };
  }

  /** Whether the image has layers judged on their own when they are pulled (model files). */
  hasModelLayers(m: ResolvedManifest): boolean {
    return modelLayersOf(m).length > 0;
  }

  /** The image as the metadata phase judges it: its manifest's and config's facts, the tag asked for, the index it was asked through. */
  async #candidate(m: ResolvedManifest, asked: TagAsked | null, indexes: readonly ResolvedManifest[]): Promise<VersionCandidate> {
    const config = await this.#config(m);
    return imageCandidate(this.#deps.repo, m, imageFacts(m, asked, config, this.#deps.clock(), indexes[0]?.digest ?? null));
  }

  /** The image as the artifact phase judges it: with what its signatures prove, and its manifest as the bytes judged. */
  async #artifactCandidate(candidate: VersionCandidate, m: ResolvedManifest, indexes: readonly ResolvedManifest[]): Promise<VersionCandidate> {
    const signature = await this.#signature(m, indexes);
    const facts = { ...candidate.facts, image_signature: signatureFactsJson(signature) };
    return { ...candidate, facts, content: { digest: m.digest as Sha256Digest, size: m.bytes.length } };
  }

  async #decide(m: ResolvedManifest, asked: TagAsked | null, indexes: readonly ResolvedManifest[], request: RequestContext): Promise<ImageOutcome> {
    const { gate } = this.#deps;
    const label = imageLabel(m.name, m.digest);
    const candidate = await this.#candidate(m, asked, indexes);
    const decisions = await gate.judgeVersions([candidate], request);
    const first = decisions.get(m.digest);
    if (first === undefined) throw new AirlockError('INTERNAL', `${label} was not judged`);
    if (first.failure?.kind === 'gate') throw undecided(label, first.failure.cause);
    if (first.verdict.kind === 'block') return { kind: 'refuse', error: versionRefusal(label, m.name, m.digest, first), lasting: first.failure === undefined };
    const artifact = await this.#artifactCandidate(candidate, m, indexes);
    const decision = await gate.judgeArtifact(artifact, request, async () => [candidate]);
    const outcome = outcomeOf(label, m, decision);
    if (outcome.kind === 'refuse') return outcome;
    // The model files an artifact carries are judged before its manifest is served: registry
    // clients print the reasons of a refused manifest, and only the status of a refused blob.
    const warnings = [...outcome.warnings];
    for (const layer of modelLayersOf(m)) {
      const judged = await this.admitLayer(m, layer, request);
      if (judged.kind === 'refuse') return judged;
      warnings.push(...judged.warnings);
    }
    this.#noteParts(m, m.digest, asked);
    return { kind: 'serve', warnings };
  }

  /**
   * Whether a layer of the admitted image `owner` is served: a model file (model-layers.ts) is
   * fetched, verified and scanned first, and judged in the artifact phase with what the scanner
   * found (`model_file`, `model_scan`, as a Hugging Face file is); any other layer is served under
   * its image's verdict. What the scanner could not read completely is held for review whatever
   * the policy says (fail closed).
   */
  admitLayer(owner: ResolvedManifest, layer: Descriptor, request: RequestContext): Promise<ImageOutcome> {
    const path = modelLayerPath(owner.manifest, layer);
    if (path === null) return Promise.resolve({ kind: 'serve', warnings: [] });
    return this.#once(`${owner.name}@${owner.digest}\0${layer.digest}`, request, () => this.#decideLayer(owner, layer, path, request));
  }

  /** A model layer's judgement: the file's facts next to its artifact's (the tag it was asked by is the manifest's judgement's). */
  async #decideLayer(owner: ResolvedManifest, layer: Descriptor, path: string, request: RequestContext): Promise<ImageOutcome> {
    const { gate, repo, clock, blobs } = this.#deps;
    const label = `${imageLabel(owner.name, owner.digest)} (${path})`;
    await blobs.ingest(owner.name, layer.digest, layer.size, { purl: imagePurl(owner.name, owner.digest), name: owner.name, version: owner.digest }).catch((err: unknown) => {
      throw isAirlockError(err, 'STORAGE_ERROR') ? undecided(label, err.message, 'store') : err;
    });
    const result = await this.#deps.scanModel(layer.digest, layer.size, path);
    const man = owner.manifest;
    const safetensors = man.kind === 'manifest' && man.layers.some((l) => l.digest !== layer.digest && modelLayerPath(man, l)?.endsWith('.safetensors') === true);
    const candidate = imageCandidate(repo, owner, imageFacts(owner, null, null, clock()));
    const facts = {
      ...candidate.facts,
      image_signature: signatureFactsJson(await this.#deps.signatures(owner)),
      ...modelFileFacts({ path, size: layer.size, sha256: layer.digest.slice('sha256:'.length), gitOid: null, lfs: false }, safetensors, result),
    };
    const unread = result.verdict === 'unscannable' ? `the model scanner could not scan ${path} completely: ${result.findings.find((f) => f.class === 'unscannable')?.message ?? 'no reason given'}` : null;
    const decision = await gate.judgeArtifact({ ...candidate, facts, content: { digest: layer.digest as Sha256Digest, size: layer.size }, unread }, request, async () => [candidate]);
    return outcomeOf(label, owner, decision);
  }

  /** What the signatures prove of an image: a platform manifest is covered by the signature of the nearest index above it that has one that checks out, else by its own. */
  async #signature(m: ResolvedManifest, indexes: readonly ResolvedManifest[]): Promise<SignatureFacts> {
    for (const index of indexes) {
      const ofIndex = await this.#deps.signatures(index);
      if (ofIndex.status === 'verified') return ofIndex;
    }
    return this.#deps.signatures(m);
  }

  /** The image's config, when it is an image's (an artifact's config is not read). */
  async #config(m: ResolvedManifest): Promise<ImageConfig | null> {
    const man = m.manifest;
    if (man.kind !== 'manifest' || !isImageConfig(man.config.mediaType) || man.config.size > MAX_CONFIG_BYTES) return null;
    const bytes = await this.#deps.blobs.read(m.name, man.config.digest, man.config.size, { purl: imagePurl(m.name, m.digest), name: m.name, version: m.digest });
    return parseImageConfig(bytes);
  }

  #noteParts(m: ResolvedManifest, owner: string, asked: TagAsked | null): void {
    const man = m.manifest;
    const parts = man.kind === 'index' ? man.manifests : [man.config, ...man.layers];
    for (const d of parts) this.#parts.set(`${m.name}@${d.digest}`, { owner, size: d.size, asked });
  }
}
