/**
 * The scanner's contract: format analyzers read bytes through a bounded random-access source
 * and report findings; the engine identifies formats by content, recurses into containers and
 * aggregates a verdict per file. Pure: no logging, no network, never executes input.
 */
import type { Severity } from '../core/index.ts';

/** Random-access bytes (a file, a zip member, a decompressed stream materialised under limits). */
export interface ByteSource {
  readonly size: number;
  /** Reads up to `length` bytes at `offset`; shorter only at end of source. */
  read(offset: number, length: number): Promise<Uint8Array>;
}

export interface ScanLimits {
  /** Total bytes the scan of one top-level file may read (tensor bytes are skipped, not read). */
  readonly maxBytesRead: number;
  /** Largest decompressed/extracted member the engine will materialise. */
  readonly maxMemberBytes: number;
  readonly maxMembers: number;
  readonly maxNestingDepth: number;
  readonly maxPickleOpcodes: number;
  readonly maxPickleStack: number;
  readonly maxPickleMemo: number;
  /** Largest metadata block a parser will read (safetensors header, GGUF KV, protobuf). */
  readonly maxHeaderBytes: number;
  /** Wall-clock budget for one top-level file. */
  readonly timeoutMs: number;
}

export type FileVerdict = 'malicious' | 'suspicious' | 'safe' | 'invalid' | 'unscannable';

/**
 * What a finding means for the verdict:
 * - `malicious`: code execution or a known attack primitive;
 * - `suspicious`: outside the allowlist, unusual, worth a human look;
 * - `invalid`: the file is malformed (e.g. a bad safetensors header);
 * - `unscannable`: the scanner could not look (encrypted archive, limit hit, unknown format);
 * - `info`: context only, does not change a `safe` verdict.
 */
export type FindingClass = 'malicious' | 'suspicious' | 'invalid' | 'unscannable' | 'info';

export interface ScanFinding {
  /** Stable rule id, e.g. `pickle.callable.malicious`, `safetensors.header.overlap`. */
  readonly rule: string;
  readonly class: FindingClass;
  readonly severity: Severity;
  readonly message: string;
  readonly evidence: ScanEvidence;
}

export interface ScanEvidence {
  /** Resolved callable, `module.qualname`. */
  readonly callable?: string;
  /** Byte offset of the opcode or structure inside the (innermost) member. */
  readonly offset?: number;
  /** Path inside containers: `archive/data.pkl`, `outer.zip!inner.zip!data.pkl`. */
  readonly member?: string;
  readonly [key: string]: unknown;
}

export type FormatId =
  | 'pickle'
  | 'pytorch-zip'
  | 'pytorch-legacy'
  | 'pytorch-tar'
  | 'zip'
  | 'tar'
  | 'gzip'
  | 'zlib'
  | 'bzip2'
  | 'xz'
  | 'lzma'
  | '7z'
  | 'numpy'
  | 'numpy-npz'
  | 'joblib'
  | 'hdf5'
  | 'keras'
  | 'safetensors'
  | 'gguf'
  | 'onnx'
  | 'tensorflow'
  /** JSON documents: Keras model configs (refined to `keras`), tokenizer configs with chat templates. */
  | 'json'
  | 'unknown';

/** Handed to every analyzer: limits, findings sink, recursion into nested content. */
export interface ScanContext {
  readonly limits: ScanLimits;
  /** Container depth of the source being analysed (0 = top-level file). */
  readonly depth: number;
  /** Member path of the source being analysed, '' for the top-level file. */
  readonly member: string;
  readonly signal: AbortSignal;
  /**
   * For loops over content in memory, which never wait on a read: once the scan's time slice has
   * run, gives the event loop a turn (so its deadline, a timer, can fire), then throws if the scan
   * must stop (engine/time-slice.ts).
   */
  checkpoint(): Promise<void>;
  report(finding: ScanFinding): void;
  /**
   * Identify and scan nested content (a zip member, a pickle inside a pickle …). `member` is the
   * nested item's name relative to this source; the engine composes the full member path.
   * Findings of the nested scan are reported into the same file result; the outcome tells the
   * caller what was found there (e.g. a nested loader is legitimate only if its payload is clean).
   */
  scanNested(source: ByteSource, member: string, options?: NestedScanOptions): Promise<NestedScanOutcome>;
  /**
   * Called by an analyzer that learns a more precise format than the one it was chosen for
   * (a zip that is a PyTorch archive, a pickle that is a joblib dump). Top-level only matters.
   */
  refineFormat(format: FormatId): void;
}

export interface NestedScanOptions {
  /**
   * Class of the finding when the nested content's format is not recognised. Default `info`
   * (a README in a zip is fine); a nested loader's payload passes `suspicious`.
   */
  readonly unknownFormat?: FindingClass;
  /** Restrict identification to these formats (others count as unrecognised). */
  readonly formats?: readonly FormatId[];
  /**
   * Skip identification: the container knows what this member is (a PyTorch archive's
   * `data.pkl`). The analyzer still runs under the engine's limits and error handling.
   */
  readonly analyzer?: FormatAnalyzer;
  /**
   * The member was picked by sniffing among many in an archive: if its analyzer finds it
   * malformed, that is reported as `info` rather than `invalid` (what it found before the
   * error still counts in full).
   */
  readonly lenient?: boolean;
}

export interface NestedScanOutcome {
  /** Format the nested content was identified as (`unknown` when nothing matched). */
  readonly format: FormatId;
  /** The worst finding class the nested scan produced; `safe` when nothing worse than info. */
  readonly verdict: FileVerdict;
}

/** What an analyzer's `detect` may also consider besides the bytes. */
export interface DetectHints {
  /** Member path of the candidate inside its container ('' at top level). */
  readonly member: string;
  /** Container depth of the candidate (0 = top-level file). */
  readonly depth: number;
}

export interface FormatAnalyzer {
  readonly format: FormatId;
  /**
   * Content sniffing over the first bytes of a source (up to 4096 bytes when available, never
   * fewer than 64 unless the source is smaller). Names never decide alone; `hints` only narrow.
   */
  detect(head: Uint8Array, size: number, hints?: DetectHints): boolean;
  analyze(source: ByteSource, ctx: ScanContext): Promise<void>;
}

export interface FileScanResult {
  readonly path: string;
  readonly format: FormatId;
  readonly verdict: FileVerdict;
  readonly findings: readonly ScanFinding[];
}
