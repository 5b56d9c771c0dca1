/**
 * The scanner engine: identify content by its bytes, hand it to the matching analyzer, follow
 * nested content to a depth limit and aggregate one verdict per top-level file. Every error,
 * limit breach, time-out and unknown format becomes a finding: nothing fails open.
 */
import type {
  ByteSource,
  FileScanResult,
  FileVerdict,
  FindingClass,
  FormatAnalyzer,
  FormatId,
  NestedScanOptions,
  NestedScanOutcome,
  ScanContext,
  ScanFinding,
  ScanLimits,
} from '../types.ts';
import { ScanAbortedError, ScanFormatError, ScanLimitError, ScanUnscannableError } from './errors.ts';
import { finding } from './findings.ts';
import { resolveLimits } from './limits.ts';
import { MeteredSource, ScanRun } from './run.ts';
import { classVerdict, worseVerdict } from './verdict.ts';
import { MemorySource } from '../sources/memory-source.ts';
import { identify } from './identify.ts';

export interface ScanOptions {
  readonly limits?: Partial<ScanLimits>;
  /** Caller cancellation; the engine adds its own deadline (`limits.timeoutMs`). */
  readonly signal?: AbortSignal;
  /** Analyzer registry; defaults to every analyzer Airlock ships (see `analyzers.ts`). */
  readonly analyzers?: readonly FormatAnalyzer[];
  /**
   * Formats the caller expects this file to be (e.g. the gateway knows a file came as
   * `model.safetensors`). The file is always scanned as what its bytes say it is; when that is
   * not one of these, a finding of class `unexpectedFormat` is added.
   */
  readonly expectedFormats?: readonly FormatId[];
  /** Class of the finding for a format outside `expectedFormats`. Default `suspicious`. */
  readonly unexpectedFormat?: FindingClass;
  /**
   * Class of the finding when the top-level file's format is not recognised. Default
   * `unscannable` (fail closed); a gateway scanning every file of a package may pass `info`.
   */
  readonly unknownFormat?: FindingClass;
}

const HEAD_BYTES = 4096;
/** End-of-central-directory search window: 22-byte record plus the largest comment. */
const EOCD_WINDOW = 22 + 0xffff;

class Context implements ScanContext {
  readonly limits: ScanLimits;
  readonly depth: number;
  readonly member: string;
  readonly signal: AbortSignal;
  verdict: FileVerdict = 'safe';
  format: FormatId = 'unknown';
  readonly #engine: Engine;
  readonly #parent: Context | undefined;

  constructor(engine: Engine, parent: Context | undefined, depth: number, member: string) {
    this.#engine = engine;
    this.#parent = parent;
    this.limits = engine.run.limits;
    this.signal = engine.run.signal;
    this.depth = depth;
    this.member = member;
  }

  checkpoint(): Promise<void> {
    return this.#engine.run.checkpoint();
  }

  report(f: ScanFinding): void {
    const evidence = f.evidence.member === undefined && this.member !== '' ? { ...f.evidence, member: this.member } : f.evidence;
    this.#engine.run.report(evidence === f.evidence ? f : { ...f, evidence });
    this.raise(classVerdict(f.class));
  }

  raise(v: FileVerdict): void {
    for (let c: Context | undefined = this; c !== undefined; c = c.#parent) c.verdict = worseVerdict(c.verdict, v);
  }

  scanNested(source: ByteSource, member: string, options: NestedScanOptions = {}): Promise<NestedScanOutcome> {
    const path = this.member === '' ? member : `${this.member}!${member}`;
    return this.#engine.scan(source, this, this.depth + 1, path, options);
  }

  refineFormat(format: FormatId): void {
    this.format = format;
    if (this.depth === 0) this.#engine.run.format = format;
  }
}

const PICKLE_FAMILY: ReadonlySet<FormatId> = new Set(['pickle', 'pytorch-legacy', 'joblib']);

/**
 * torch.load and numpy.load decide by the first bytes: a file that starts with a zip local
 * header (or an empty zip's end record) is read as a zip, `\x93NUMPY` as an array; anything
 * else is unpickled from byte 0 — including a zip with data in front of it.
 */
function loadersUnpickle(head: Uint8Array): boolean {
  const at = (i: number, ...b: number[]): boolean => b.every((x, j) => head[i + j] === x);
  if (at(0, 0x50, 0x4b, 0x03, 0x04) || at(0, 0x50, 0x4b, 0x05, 0x06)) return false;
  return !at(0, 0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59);
}

export class Engine {
  readonly run: ScanRun;
  readonly #analyzers: readonly FormatAnalyzer[];
  readonly #polyglot: readonly FormatAnalyzer[];

  constructor(run: ScanRun, analyzers: readonly FormatAnalyzer[], polyglot: readonly FormatAnalyzer[] = []) {
    this.run = run;
    this.#analyzers = analyzers;
    this.#polyglot = polyglot;
  }

  async scan(
    source: ByteSource,
    parent: Context | undefined,
    depth: number,
    member: string,
    options: NestedScanOptions,
  ): Promise<NestedScanOutcome> {
    await this.run.checkpoint();
    const ctx = new Context(this, parent, depth, member);
    if (depth > this.run.limits.maxNestingDepth) {
      ctx.report(
        finding('scan.limit.depth', 'unscannable', `nesting deeper than ${this.run.limits.maxNestingDepth} levels; not scanned`, {
          depth,
        }),
      );
      return { format: 'unknown', verdict: ctx.verdict };
    }
    // Materialised or decompressed content counts against the read budget too.
    const derived = source instanceof MemorySource || (source as { readonly derived?: unknown }).derived === true;
    const src = derived ? new MeteredSource(source, this.run) : source;
    const head = await src.read(0, Math.min(HEAD_BYTES, src.size));
    let analyzer = options.analyzer ?? identify(this.#analyzers, head, src.size, { member, depth }, options.formats);
    // A zip with data in front is found by its end record; not worth decompressing a whole
    // lazily inflated member for (loaders read such zips from files, not from inside archives).
    if (analyzer === undefined && (depth === 0 || !derived)) analyzer = await this.#zipByTail(src, options.formats);
    if (analyzer === undefined) {
      const cls = options.unknownFormat ?? 'info';
      if (cls !== 'info') {
        ctx.report(
          finding('scan.format.unknown', cls, 'content is not a format the scanner recognises', {
            size: src.size,
            magic: hex(head.subarray(0, 8)),
          }),
        );
      }
      return { format: 'unknown', verdict: ctx.verdict };
    }
    ctx.refineFormat(analyzer.format);
    try {
      await analyzer.analyze(src, ctx);
    } catch (err) {
      this.#handle(err, ctx, options.lenient === true);
    }
    if (depth === 0) await this.#polyglotPass(src, ctx, head);
    return { format: ctx.format, verdict: ctx.verdict };
  }

  /**
   * torch.load and numpy.load(allow_pickle=True) unpickle any file that does not start like a zip
   * (or .npy): a top-level file that is another format *and* decodes as a pickle is also judged
   * as one — a zip found by its end record included.
   */
  async #polyglotPass(src: ByteSource, ctx: Context, head: Uint8Array): Promise<void> {
    if (PICKLE_FAMILY.has(ctx.format)) {
      // A pickle with a zip appended: zip readers that look for the end record find the zip.
      const zip = await this.#zipByTail(src, undefined);
      if (zip !== undefined) await ctx.scanNested(src, '(as zip)', { analyzer: zip, lenient: true });
      return;
    }
    if (!loadersUnpickle(head)) return;
    for (const a of this.#polyglot) {
      if (a.format === ctx.format || !a.detect(head, src.size, { member: '', depth: 0 })) continue;
      await ctx.scanNested(src, `(as ${a.format})`, { analyzer: a, lenient: true });
      return;
    }
  }

  /** Zips with data in front (self-extracting, polyglots) are found by their end record. */
  async #zipByTail(src: ByteSource, formats: readonly FormatId[] | undefined): Promise<FormatAnalyzer | undefined> {
    const zip = this.#analyzers.find((a) => a.format === 'zip');
    if (zip === undefined || src.size < 22 || (formats !== undefined && !formats.includes('zip'))) return undefined;
    const start = Math.max(0, src.size - EOCD_WINDOW);
    const tail = await src.read(start, src.size - start);
    for (let i = tail.length - 22; i >= 0; i--) {
      if (tail[i] === 0x50 && tail[i + 1] === 0x4b && tail[i + 2] === 0x05 && tail[i + 3] === 0x06) return zip;
    }
    return undefined;
  }

  #handle(err: unknown, ctx: Context, lenient: boolean): void {
    if (err instanceof ScanAbortedError) throw err;
    if (err instanceof ScanLimitError) {
      if (err.scope === 'file') throw err;
      ctx.report(limitFinding(err));
      return;
    }
    if (err instanceof ScanFormatError) {
      const evidence = err.offset === undefined ? {} : { offset: err.offset };
      ctx.report(
        lenient
          ? finding(err.rule, 'info', `looks like ${ctx.format} but is not well-formed: ${err.message}`, evidence)
          : finding(err.rule, 'invalid', err.message, evidence),
      );
      return;
    }
    if (err instanceof ScanUnscannableError) {
      ctx.report(finding(err.rule, 'unscannable', err.message, err.offset === undefined ? {} : { offset: err.offset }));
      return;
    }
    ctx.report(
      finding('scan.error', 'unscannable', `scanner error: ${err instanceof Error ? err.message : String(err)}`, {}),
    );
  }
}

function limitFinding(err: ScanLimitError): ScanFinding {
  return finding(
    `scan.limit.${err.limit}`,
    'unscannable',
    `${err.message}; the rest was not scanned`,
    err.offset === undefined ? { limit: err.limit } : { limit: err.limit, offset: err.offset },
  );
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** Scans one top-level source. Never throws for anything the bytes do. */
export async function scanSource(
  source: ByteSource,
  path: string,
  analyzers: readonly FormatAnalyzer[],
  options: ScanOptions = {},
  polyglot: readonly FormatAnalyzer[] = [],
): Promise<FileScanResult> {
  const limits = resolveLimits(options.limits);
  const timeout = AbortSignal.timeout(Math.max(1, limits.timeoutMs));
  const signal = options.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout]);
  const run = new ScanRun(limits, timeout, signal);
  const engine = new Engine(run, options.analyzers ?? analyzers, polyglot);
  try {
    await engine.scan(new MeteredSource(source, run), undefined, 0, '', {
      unknownFormat: options.unknownFormat ?? 'unscannable',
    });
  } catch (err) {
    if (err instanceof ScanAbortedError) {
      run.report(
        finding(
          err.reason === 'timeout' ? 'scan.timeout' : 'scan.cancelled',
          'unscannable',
          err.reason === 'timeout' ? `scan did not finish within ${limits.timeoutMs} ms` : 'scan was cancelled',
          {},
        ),
      );
    } else if (err instanceof ScanLimitError) {
      run.report(limitFinding(err));
    } else {
      run.report(finding('scan.error', 'unscannable', `scanner error: ${err instanceof Error ? err.message : String(err)}`, {}));
    }
  }
  if (options.expectedFormats !== undefined && !options.expectedFormats.includes(run.format)) {
    run.report(
      finding(
        'scan.format.unexpected',
        options.unexpectedFormat ?? 'suspicious',
        `content is ${run.format}, expected ${options.expectedFormats.join(' or ')}`,
        { format: run.format, expected: [...options.expectedFormats] },
      ),
    );
  }
  let verdict: FileVerdict = 'safe';
  for (const f of run.findings) verdict = worseVerdict(verdict, classVerdict(f.class));
  return { path, format: run.format, verdict, findings: run.findings };
}
