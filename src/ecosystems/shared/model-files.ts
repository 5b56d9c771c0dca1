/**
 * Model files wherever they are served from (a Hugging Face commit's files, the layers of an OCI
 * artifact): scanned from the blob store by the model scanner in a worker thread — handed over
 * in memory when small, read from the store's file or by range when not — and described to the policy in one shape, `model_file` and `model_scan`
 * (docs/facts/huggingface.md), which models.rego judges whatever ecosystem the file came from.
 */
import { AirlockError, Lru, type Sha256Digest } from '../../core/index.ts';
import { modelFileExpectation, scannedPickleBased, type FileScanResult, type ScanWorkerPool, type WorkerScanOptions } from '../../scan/index.ts';
import { hasLocalPath, type BlobStore, type Json } from '../../storage/ports/index.ts';
import { BlobRangeSource } from './blob-range-source.ts';

const MAX_FINDINGS = 32;
const MAX_MESSAGE = 500;

export interface ModelScanSettings {
  /** Files up to this size are read into memory to be scanned; larger ones by range. */
  readonly inMemoryScanBytes: number;
  readonly scanTimeoutMs: number;
}

/** Where model files are scanned: worker threads with a hard deadline (`ScanWorkerPool`). */
export type ModelScanPool = Pick<ScanWorkerPool, 'scanBytes' | 'scanFile' | 'scanSource'>;

export interface ModelScanDeps {
  readonly blobs: BlobStore;
  readonly pool: ModelScanPool;
}

export const DEFAULT_MODEL_SCAN: ModelScanSettings = Object.freeze({ inMemoryScanBytes: 32 * 1024 ** 2, scanTimeoutMs: 120_000 });

/** What the scanner found in stored files, by their bytes and name: a file is scanned once however often it is judged. */
export class ModelScans {
  readonly #deps: ModelScanDeps;
  readonly #settings: ModelScanSettings;
  readonly #results: Lru<string, FileScanResult>;

  constructor(deps: ModelScanDeps, settings: ModelScanSettings, cacheBytes: number) {
    this.#deps = deps;
    this.#settings = settings;
    this.#results = new Lru(cacheBytes, (r) => 1024 + r.findings.length * 512);
  }

  async scan(blob: Sha256Digest, size: number, path: string): Promise<FileScanResult> {
    const key = `${blob}\0${path}`;
    const have = this.#results.get(key);
    if (have !== undefined) return have;
    const result = await scanStoredFile(this.#deps, blob, size, path, this.#settings);
    this.#results.set(key, result);
    return result;
  }
}

/**
 * What the model scanner finds in a stored file named `path`. A file named as a model format must
 * be one the scanner reads (else it is unscannable); any other file (a config, a tokenizer, a
 * README) is scanned for what its bytes are, and content the scanner does not know is no finding.
 *
 * Scans run in the pool's worker: one member's synchronous decode (bzip2, xz, 7z) would otherwise
 * hold this thread, and every request with it, for as long as it runs, and a scanner crash or heap
 * blow-up would take the gateway down. The worker is killed at the deadline and a dead or killed
 * worker's file is `unscannable`. A small file is handed over in memory; a larger one is read by
 * the worker from the store's own file where the store keeps files on this machine (the
 * filesystem store), and otherwise (S3) scanned here by range: its scan waits on the store's
 * reads, so the event loop turns and the deadline fires, but one member's decode still runs here.
 */
export async function scanStoredFile(deps: ModelScanDeps, blob: Sha256Digest, size: number, path: string, settings: ModelScanSettings): Promise<FileScanResult> {
  const expected = modelFileExpectation(path).expectedFormats;
  const options: WorkerScanOptions = {
    limits: { timeoutMs: settings.scanTimeoutMs },
    ...(expected === null ? { unknownFormat: 'info' as const } : { expectedFormats: expected }),
  };
  if (size > settings.inMemoryScanBytes) {
    const file = hasLocalPath(deps.blobs) ? await deps.blobs.localPath(blob) : null;
    return file === null ? deps.pool.scanSource(new BlobRangeSource(deps.blobs, blob, size), path, options, true) : deps.pool.scanFile(file, options, path);
  }
  const bytes = await deps.blobs.read(blob, { maxBytes: size });
  if (bytes === null) throw new AirlockError('STORAGE_ERROR', `the stored file ${path} is gone; ask again`);
  // Handed over, not copied: nothing here reads the bytes again.
  return deps.pool.scanBytes(bytes, path, options, true);
}

/** A model file as the policy sees it: its name, size, and how its bytes were verified. */
export interface ModelFileIdentity {
  readonly path: string;
  readonly size: number;
  /** Hex sha256 the bytes were verified against, or null (verified by `gitOid`). */
  readonly sha256: string | null;
  /** Hex git object id the bytes were verified against, or null. */
  readonly gitOid: string | null;
  /** Stored with Git LFS (a Hub file); false elsewhere. */
  readonly lfs: boolean;
}

/** The artifact-phase facts of one file: what it is, how its bytes were verified, and what the scanner found. */
export function modelFileFacts(file: ModelFileIdentity, safetensorsAlternative: boolean, result: FileScanResult): { model_file: Json; model_scan: Json } {
  const expectation = modelFileExpectation(file.path);
  const pickleBased = scannedPickleBased(expectation, result.format);
  const findings = result.findings.filter((f) => f.class !== 'info');
  return {
    model_file: {
      path: file.path,
      size: file.size,
      sha256: file.sha256,
      git_oid: file.gitOid,
      lfs: file.lfs,
      verified_by: file.sha256 === null ? 'git-sha1' : 'sha256',
      extension: expectation.extension,
      expected_formats: expectation.expectedFormats === null ? [] : [...expectation.expectedFormats],
      pickle_based: pickleBased,
      safetensors_alternative: safetensorsAlternative,
    },
    model_scan: {
      verdict: result.verdict,
      format: result.format,
      findings: findings.slice(0, MAX_FINDINGS).map((f) => ({
        rule: f.rule,
        class: f.class,
        severity: f.severity,
        message: f.message.slice(0, MAX_MESSAGE),
        member: typeof f.evidence.member === 'string' ? f.evidence.member.slice(0, MAX_MESSAGE) : null,
      })),
      findings_total: findings.length,
    },
  };
}
