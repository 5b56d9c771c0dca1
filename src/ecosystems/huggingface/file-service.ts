/**
 * A repo's files at a commit: fetched once per file however many clients ask at once, verified
 * while they stream into the blob store (an LFS file against its sha256, a regular file against
 * its git object id, both against their size), scanned by the model scanner, and judged by the
 * gate with what the scanner found. Only an allow is served. Hugging Face's clients check only a
 * file's size (protocols: huggingface.md §8), so Airlock's check is the only one there is.
 */
import { createHash, type Hash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { AirlockError, cacheFill, Lru, digestHex, isAirlockError, type CacheFills, type Sha256Digest } from '../../core/index.ts';
import type { Explained, Explainer, Gate, VersionCandidate } from '../../gate/index.ts';
import type { FileScanResult } from '../../scan/index.ts';
import { writeStreamToUpload, type ArtifactIndex, type ArtifactRecord, type BlobStore, type RequestContext } from '../../storage/ports/index.ts';
import type { Upstream } from '../../upstream/index.ts';
import { modelFileCoverage, verifyModelSignature, type ModelFileCoverage, type ModelSignatureCheck, type ModelSigningTrust } from '../../verify/index.ts';
import { requesterKey } from '../shared/http.ts';
import { ModelScans, type ModelScanPool } from '../shared/model-files.ts';
import type { RepositoryMetrics } from '../shared/metrics.ts';
import { undecided, versionRefusal } from '../shared/refusal.ts';
import { SingleFlight } from '../shared/single-flight.ts';
import type { CommitTree, Revision } from './catalog.ts';
import { fileFacts, isSafetensors, MODEL_SIGNATURE_FILE, signatureFacts } from './facts.ts';
import { commitLabel, encodePath, repoName } from './hub-ids.ts';
import type { HubTreeEntry } from './hub-json.ts';

export type FileOutcome =
  | {
      readonly kind: 'serve';
      readonly blob: Sha256Digest;
      readonly size: number;
      /** The policy's warnings, for the client's log. */
      readonly warnings: readonly string[];
    }
  | { readonly kind: 'refuse'; readonly error: AirlockError; readonly lasting: boolean };

export interface FileServiceDeps {
  readonly gate: Gate;
  /** What a commit's model.sig is checked against (read at each check: a TUF refresh replaces the root). */
  readonly modelSigning: () => ModelSigningTrust;
  readonly blobs: BlobStore;
  /** Where files read into memory are scanned. */
  readonly scanPool: ModelScanPool;
  readonly index: ArtifactIndex;
  readonly upstream: Upstream;
  readonly clock: () => Date;
  readonly metrics?: RepositoryMetrics | undefined;
}

export interface FileServiceSettings {
  readonly repo: string;
  readonly maxArtifactBytes: number;
  /** Files at most this big are scanned from memory; bigger ones are read from the store by range. */
  readonly inMemoryScanBytes: number;
  /** Time one scan may take; what it leaves unscanned makes the file unscannable. */
  readonly scanTimeoutMs: number;
  readonly cache: { readonly outcomes: number; readonly scans: number };
}

/** A signature file bigger than this is not one (a manifest of 100,000 files is a few MiB). */
const MAX_SIGNATURE_BYTES = 16 * 1024 * 1024;

/** The chunks of `body`, each added to `hash` as it passes. */
async function* hashing(body: AsyncIterable<Buffer>, hash: Hash): AsyncGenerator<Buffer> {
  for await (const chunk of body) {
    hash.update(chunk);
    yield chunk;
  }
}

/** How a file is named in refusals: the repo at the short commit, and the file. */
function fileLabel(name: string, commit: string, path: string): string {
  return `${commitLabel(name, commit)} (${path})`;
}

/**
 * The bytes of a file judged: their address (`content.digest`, what a review is of) and hex
 * sha256 (what a model signature is compared with; null when not known, see `FileService.explain`).
 */
interface JudgedBytes {
  readonly digest: string;
  readonly sha256: string | null;
}

/**
 * The artifact phase's candidate for one file of a commit: the commit's facts, the file's
 * (`model_file`, `model_scan`: what the scanner found) and what the commit's model signature
 * says of its bytes. What admission judges before a file is served, and the pre-flight check
 * explains. A file whose sha256 is not known is taken for the one the signature lists.
 */
function fileCandidate(rev: Revision, entry: HubTreeEntry, tree: CommitTree, scan: FileScanResult, signature: ModelSignatureCheck | null, bytes: JudgedBytes): VersionCandidate {
  const safetensors = tree.entries.some((e) => e.type === 'file' && isSafetensors(e.path));
  let coverage: ModelFileCoverage | null = null;
  if (signature?.status === 'verified') {
    const m = signature.manifest;
    const signed = (m.files.size === 1 ? m.files.get('.') : undefined) ?? m.files.get(entry.path) ?? '';
    coverage = modelFileCoverage(m, entry.path, bytes.sha256 ?? signed);
  }
  const facts = { ...rev.candidate.facts, ...fileFacts(entry, safetensors, scan), model_signature: signatureFacts(signature, coverage) };
  // What the scanner could not read is held for review whatever the policy says of it (fail closed).
  const unread = scan.verdict === 'unscannable' ? `the model scanner could not scan ${entry.path} completely: ${scan.findings.find((f) => f.class === 'unscannable')?.message ?? 'no reason given'}` : null;
  return { subject: rev.candidate.subject, facts, content: { digest: bytes.digest, size: entry.size }, unread };
}

/** What the pre-flight check learns of one file (`FileService.explain`). */
export type FileExplained =
  | {
      readonly kind: 'judged';
      readonly explained: Explained;
      /** Its bytes were scanned (Airlock holds them); false: judged as if the scanner found nothing in them. */
      readonly scanned: boolean;
    }
  /** Never served, whatever the policy says (larger than the repository serves). */
  | { readonly kind: 'refused'; readonly message: string };

export class FileService {
  readonly #deps: FileServiceDeps;
  readonly #settings: FileServiceSettings;
  readonly #ingests = new SingleFlight<string, ArtifactRecord>();
  readonly #resolving = new SingleFlight<string, FileOutcome>();
  readonly #outcomes: Lru<string, FileOutcome>;
  readonly #scans: ModelScans;
  /** Model signature checks, by the signature file's id in the tree and the gate generation (a new trusted root changes it). */
  readonly #signatures: Lru<string, ModelSignatureCheck>;

  constructor(deps: FileServiceDeps, settings: FileServiceSettings) {
    this.#deps = deps;
    this.#settings = settings;
    this.#outcomes = new Lru(settings.cache.outcomes, () => 1024);
    this.#scans = new ModelScans({ blobs: deps.blobs, pool: deps.scanPool }, settings, settings.cache.scans);
    this.#signatures = new Lru(settings.cache.scans, (c) => 2048 + (c.status === 'verified' ? c.manifest.files.size * 160 : 0));
  }

  /** How full the caches are (read by the metrics when scraped); the model scans' results are not reported yet. */
  caches(): CacheFills {
    return { outcomes: cacheFill(this.#outcomes), signatures: cacheFill(this.#signatures) };
  }

  /** The outcome already decided for this file, if any (a HEAD answers from it without fetching). */
  known(rev: Revision, entry: HubTreeEntry, request: RequestContext): FileOutcome | undefined {
    return this.#outcomes.get(this.#key(rev, entry, request));
  }

  /** Fetch, verify, store, scan and judge the file (once per file, generation and requester). */
  resolve(rev: Revision, entry: HubTreeEntry, tree: CommitTree, request: RequestContext): Promise<FileOutcome> {
    const key = this.#key(rev, entry, request);
    const known = this.#outcomes.get(key);
    if (known !== undefined) return Promise.resolve(known);
    return this.#resolving.run(key, async () => {
      const outcome = await this.#decide(rev, entry, tree, request);
      if (outcome.kind === 'serve' || outcome.lasting) this.#outcomes.set(key, outcome);
      return outcome;
    });
  }

  /** The stored bytes (or a range of them) of a servable outcome. */
  async open(outcome: Extract<FileOutcome, { kind: 'serve' }>, range: { readonly start: number; readonly end: number } | null): Promise<Readable> {
    const stream = await this.#deps.blobs.open(outcome.blob, range ?? undefined);
    if (stream === null) {
      this.#outcomes.clear();
      throw new AirlockError('STORAGE_ERROR', `the stored file ${outcome.blob} is gone; ask again`);
    }
    return stream;
  }

  #key(rev: Revision, entry: HubTreeEntry, request: RequestContext): string {
    return `${rev.candidate.subject.name}\0${rev.commit}\0${entry.path}\0${entry.lfs?.sha256 ?? entry.oid}\0${this.#deps.gate.generation()}\0${requesterKey(request)}`;
  }

  /**
   * What the gate would decide about a download of the file now, as `resolve` judges it (the same
   * candidate, through the explainer): nothing recorded, cached as a verdict or opened, and no
   * byte of the file fetched. A file Airlock holds already (verified against the tree, as a
   * download finds it) is scanned from the store. The bytes of any other are read only when it is
   * downloaded: it is judged as if the scanner found nothing in them (`scanned: false`), so its
   * verdict is the best a download of it can get; a file kept in git (not LFS), whose sha256 only
   * its bytes give, is taken for the one the commit's model signature lists, and named by its git
   * object id (`git-sha1:<oid>`), which no review's bytes are: a release of other bytes does not
   * pass it, as it would not pass it when downloaded. `signature`: the commit's (`signature`).
   */
  async explain(rev: Revision, entry: HubTreeEntry, tree: CommitTree, signature: ModelSignatureCheck | null, explainer: Explainer, request: RequestContext): Promise<FileExplained> {
    const tooBig = this.#tooBig(rev, entry);
    if (tooBig !== null) return { kind: 'refused', message: tooBig };
    const held = await this.#stored(rev, entry);
    let scan: FileScanResult;
    let bytes: JudgedBytes;
    if (held !== null) {
      scan = await this.#scans.scan(held.blob, held.size, entry.path);
      bytes = { digest: held.blob, sha256: digestHex(held.blob) };
    } else {
      scan = { path: entry.path, format: 'unknown', verdict: 'safe', findings: [] };
      bytes = entry.lfs === null ? { digest: `git-sha1:${entry.oid}`, sha256: null } : { digest: `sha256:${entry.lfs.sha256}`, sha256: entry.lfs.sha256 };
    }
    const candidate = fileCandidate(rev, entry, tree, scan, signature, bytes);
    return { kind: 'judged', explained: await explainer.explainArtifact(candidate, request, async () => [rev.candidate]), scanned: held !== null };
  }

  /** Why the file is never served whatever the policy says (it is larger than this repository serves), or null. */
  #tooBig(rev: Revision, entry: HubTreeEntry): string | null {
    if (entry.size <= this.#settings.maxArtifactBytes) return null;
    return `${fileLabel(rev.candidate.subject.name, rev.commit, entry.path)} is ${entry.size} bytes; this repository serves files of at most ${this.#settings.maxArtifactBytes} bytes (maxArtifactSize)`;
  }

  async #decide(rev: Revision, entry: HubTreeEntry, tree: CommitTree, request: RequestContext): Promise<FileOutcome> {
    const { name } = rev.candidate.subject;
    const label = fileLabel(name, rev.commit, entry.path);
    const tooBig = this.#tooBig(rev, entry);
    if (tooBig !== null) throw new AirlockError('LIMIT_EXCEEDED', tooBig);
    const rec = await this.#ingest(rev, entry).catch((err: unknown) => {
      // Airlock's own store failed (a full disk): a verified file it cannot keep is not judged or served.
      throw isAirlockError(err, 'STORAGE_ERROR') ? undecided(label, err.message, 'store') : err;
    });
    const result = await this.#scans.scan(rec.blob, rec.size, entry.path);
    const signature = await this.signature(rev, tree);
    const candidate = fileCandidate(rev, entry, tree, result, signature, { digest: rec.blob, sha256: digestHex(rec.blob) });
    const decision = await this.#deps.gate.judgeArtifact(candidate, request, async () => [rev.candidate]);
    if (decision.failure?.kind === 'gate') throw undecided(label, decision.failure.cause);
    if (decision.verdict.kind !== 'allow') return { kind: 'refuse', error: versionRefusal(label, name, rev.commit, decision), lasting: decision.failure === undefined };
    return {
      kind: 'serve',
      blob: rec.blob,
      size: rec.size,
      warnings: decision.verdict.warnings.map((w) => w.message),
    };
  }

  /**
   * The file as Airlock stored it already, or null. A commit's file never changes: a record for it
   * is of bytes verified against the same hashes (checked again: its size, an LFS file's sha256).
   */
  async #stored(rev: Revision, entry: HubTreeEntry): Promise<ArtifactRecord | null> {
    const existing = await this.#deps.index.getArtifact(this.#settings.repo, rev.candidate.subject.purl, entry.path);
    if (existing === null || existing.size !== entry.size || (entry.lfs !== null && existing.blob !== `sha256:${entry.lfs.sha256}`)) return null;
    return (await this.#deps.blobs.stat(existing.blob)) === null ? null : existing;
  }

  /** The stored file, fetched and verified first when it is not stored yet. */
  #ingest(rev: Revision, entry: HubTreeEntry): Promise<ArtifactRecord> {
    const { index, blobs, metrics, upstream } = this.#deps;
    const repo = this.#settings.repo;
    const { purl, name } = rev.candidate.subject;
    return this.#ingests.run(`${purl}\0${entry.path}`, async () => {
      const existing = await this.#stored(rev, entry);
      if (existing !== null) {
        metrics?.cache(repo, 'artifact', 'hit');
        return existing;
      }
      metrics?.cache(repo, 'artifact', 'miss');
      // One byte past the size, so that too long a body is told apart from a limit of ours. A file
      // is verified by its sha256 (LFS) or git object id: no sha512 or sha1 of the bytes is computed.
      const upload = await blobs.begin({ maxBytes: entry.size + 1, digests: 'address' });
      // A regular file's git object id is the sha1 of a header and its bytes (not the record's sha1).
      const git = entry.lfs === null ? createHash('sha1').update(`blob ${entry.size}\0`) : null;
      try {
        const res = await upstream.openStream(`${repoName(rev.repo)}/resolve/${rev.commit}/${encodePath(entry.path)}`, { maxBytes: entry.size + 1, accept: '*/*' });
        try {
          await writeStreamToUpload(git === null ? res.body : hashing(res.body, git), upload);
        } finally {
          res.body.destroy();
        }
        if (upload.bytesWritten !== entry.size) throw new AirlockError('SIZE_MISMATCH', `got ${upload.bytesWritten} bytes, the tree says ${entry.size}`);
        if (git !== null && git.digest('hex') !== entry.oid) throw new AirlockError('DIGEST_MISMATCH', 'the bytes do not hash to the git object id the tree gives');
        const committed = await upload.commit({ size: entry.size, ...(entry.lfs === null ? {} : { sha256: entry.lfs.sha256 }) });
        const rec = await index.putArtifact({ repo, purl, ecosystem: 'huggingface', name, version: rev.commit, filename: entry.path, blob: committed.digest, size: committed.size, sha512: null, sha1: null, storedAt: this.#deps.clock() });
        metrics?.upstreamFetch(repo, 'artifact', 'fresh');
        return rec;
      } catch (err) {
        metrics?.upstreamFetch(repo, 'artifact', 'error');
        if (isAirlockError(err, 'DIGEST_MISMATCH') || isAirlockError(err, 'SIZE_MISMATCH')) {
          throw new AirlockError(
            'DIGEST_MISMATCH',
            `${fileLabel(name, rev.commit, entry.path)}: the upstream served bytes that do not match the ${entry.lfs === null ? 'git object id' : 'sha256'} and size the repo's tree gives (${err.message}); refused, nothing was stored`,
            { cause: err, details: { name, path: entry.path } },
          );
        }
        throw err;
      } finally {
        await upload.abort();
      }
    });
  }

  /**
   * The commit's model signature (its `model.sig`, OpenSSF model signing), checked; null when the
   * commit has none. The signature file is fetched and verified like any other file of the commit
   * (and kept: a download of any file of the commit reads it).
   */
  async signature(rev: Revision, tree: CommitTree): Promise<ModelSignatureCheck | null> {
    const entry = tree.byPath.get(MODEL_SIGNATURE_FILE);
    if (entry === undefined || entry.type !== 'file') return null;
    if (entry.size > MAX_SIGNATURE_BYTES) return { status: 'invalid', mode: null, error: `${MODEL_SIGNATURE_FILE} is ${entry.size} bytes, more than a model signature can be (${MAX_SIGNATURE_BYTES})` };
    // Keyed by the tree's id of its bytes: the stored copy is looked up only the first time.
    const key = `${entry.lfs?.sha256 ?? entry.oid}\0${this.#deps.gate.generation()}`;
    const known = this.#signatures.get(key);
    if (known !== undefined) return known;
    const rec = await this.#ingest(rev, entry);
    const bytes = await this.#deps.blobs.read(rec.blob, { maxBytes: MAX_SIGNATURE_BYTES });
    if (bytes === null) throw new AirlockError('STORAGE_ERROR', `the stored ${MODEL_SIGNATURE_FILE} is gone; ask again`);
    const check = verifyModelSignature(bytes, this.#deps.modelSigning(), this.#deps.clock());
    this.#signatures.set(key, check);
    return check;
  }
}
