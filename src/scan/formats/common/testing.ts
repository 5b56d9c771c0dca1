/**
 * Test helpers for the format analyzers: an in-memory source and a `ScanContext` that collects
 * findings and nested scans, so analyzers can be exercised without the engine. Test-only.
 */
import type {
  ByteSource,
  FileVerdict,
  FindingClass,
  FormatAnalyzer,
  FormatId,
  NestedScanOptions,
  NestedScanOutcome,
  ScanContext,
  ScanFinding,
  ScanLimits,
} from '../../types.ts';

export const TEST_LIMITS: ScanLimits = {
  maxBytesRead: 1 << 30,
  maxMemberBytes: 64 << 20,
  maxMembers: 10_000,
  maxNestingDepth: 8,
  maxPickleOpcodes: 1_000_000,
  maxPickleStack: 100_000,
  maxPickleMemo: 100_000,
  maxHeaderBytes: 16 << 20,
  timeoutMs: 60_000,
};

export class MemoryBytes implements ByteSource {
  readonly size: number;
  readonly bytes: Uint8Array;
  reads = 0;
  bytesRead = 0;

  constructor(bytes: Uint8Array, size = bytes.length) {
    this.bytes = bytes;
    this.size = size;
  }

  read(offset: number, length: number): Promise<Uint8Array> {
    if (offset < 0 || length < 0) return Promise.reject(new RangeError(`bad read ${offset}+${length}`));
    this.reads++;
    const start = Math.min(offset, this.size);
    const end = Math.min(this.size, start + length);
    // Bytes beyond the backing array read as zeros (a sparse "large file").
    const out = new Uint8Array(end - start);
    if (start < this.bytes.length) out.set(this.bytes.subarray(start, Math.min(end, this.bytes.length)));
    this.bytesRead += out.length;
    return Promise.resolve(out);
  }
}

export interface NestedCall {
  readonly member: string;
  readonly bytes: Uint8Array;
  readonly options: NestedScanOptions | undefined;
}

export interface TestRun {
  readonly findings: ScanFinding[];
  readonly nested: NestedCall[];
  readonly verdict: FileVerdict;
  readonly format: FormatId | undefined;
  rules(): string[];
  has(rule: string, cls?: FindingClass): boolean;
}

const RANK: Readonly<Record<FileVerdict, number>> = { safe: 0, unscannable: 1, invalid: 2, suspicious: 3, malicious: 4 };

export interface RunOptions {
  readonly limits?: Partial<ScanLimits>;
  /** What a nested scan reports back (default: a safe pickle). */
  readonly nestedOutcome?: NestedScanOutcome;
  readonly size?: number;
}

/** Runs one analyzer over `bytes` with a collecting context. */
export async function runAnalyzer(analyzer: FormatAnalyzer, bytes: Uint8Array, options: RunOptions = {}): Promise<TestRun> {
  const findings: ScanFinding[] = [];
  const nested: NestedCall[] = [];
  let format: FormatId | undefined;
  const source = new MemoryBytes(bytes, options.size);
  const ctx: ScanContext = {
    limits: { ...TEST_LIMITS, ...options.limits },
    depth: 0,
    member: '',
    signal: new AbortController().signal,
    checkpoint: () => Promise.resolve(),
    report(f: ScanFinding): void {
      findings.push(f);
    },
    async scanNested(src: ByteSource, member: string, opts?: NestedScanOptions): Promise<NestedScanOutcome> {
      const b = await src.read(0, src.size);
      nested.push({ member, bytes: b, options: opts });
      return options.nestedOutcome ?? { format: 'pickle', verdict: 'safe' };
    },
    refineFormat(f: FormatId): void {
      format = f;
    },
  };
  await analyzer.analyze(source, ctx);
  let verdict: FileVerdict = 'safe';
  for (const f of findings) {
    const v: FileVerdict = f.class === 'info' ? 'safe' : f.class;
    if (RANK[v] > RANK[verdict]) verdict = v;
  }
  return {
    findings,
    nested,
    verdict,
    format,
    rules: () => findings.map((f) => f.rule),
    has: (rule: string, cls?: FindingClass) => findings.some((f) => f.rule === rule && (cls === undefined || f.class === cls)),
  };
}

export function utf8(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
