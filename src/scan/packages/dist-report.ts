/** Collects what an inspection learns, each list under its cap, into the frozen result. */
import type { PthFile, PythonDistInspection, PythonDistLimits } from './python-dist.ts';
import { EMPTY_METADATA_FIELDS, parseCoreMetadata, type PythonMetadataFields } from './dist-text.ts';
import { isNativeLibrary, isUnsafePath, linkEscapes } from './dist-paths.ts';

export type EntryKind = 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';

export const LIST_MAX = 64;
const PROBLEMS_MAX = 8;

function capped<T>(list: T[], item: T, max = LIST_MAX): void {
  if (list.length < max) list.push(item);
}

export class DistReport {
  readonly limits: PythonDistLimits;
  fileCount = 0;
  unpackedSize = 0;
  hasSetupPy = false;
  /** The setup.py building runs, decoded (see `PythonDistInspection.setupPy`). */
  setupPy: { readonly path: string; readonly text: string } | null = null;
  buildBackend: string | null = null;
  readonly #problems: string[] = [];
  #moreProblems = 0;
  #unpackedReported = false;
  readonly #unsafe: string[] = [];
  readonly #native: string[] = [];
  readonly dataScripts: string[] = [];
  readonly commands: string[] = [];
  #metadata: Buffer | null = null;
  #fields: PythonMetadataFields = EMPTY_METADATA_FIELDS;
  /** `.pth` files in archive order; those that execute are kept first when there are too many. */
  readonly #pthExec: PthFile[] = [];
  readonly #pthPlain: PthFile[] = [];

  constructor(limits: PythonDistLimits) {
    this.limits = limits;
  }

  problem(message: string): void {
    if (this.#problems.includes(message)) return;
    if (this.#problems.length < PROBLEMS_MAX) this.#problems.push(message);
    else this.#moreProblems++;
  }

  /**
   * Accounts one archive member; false once the declared unpacked size is over the limit.
   * `raw` is the name as stored when the reader sees it differently (a zip name cut at NUL).
   */
  entry(path: string, kind: EntryKind, size: number, raw = path): boolean {
    this.unsafeName(raw);
    if (kind === 'dir') return true;
    if (kind === 'file') {
      this.fileCount++;
      this.unpackedSize = Math.min(Number.MAX_SAFE_INTEGER, this.unpackedSize + size);
    }
    if (kind !== 'other' && isNativeLibrary(path)) capped(this.#native, path);
    if (this.unpackedSize > this.limits.maxUnpackedBytes) {
      if (!this.#unpackedReported) {
        this.#unpackedReported = true;
        this.problem(`declared unpacked size exceeds the limit of ${this.limits.maxUnpackedBytes} bytes`);
      }
      return false;
    }
    return true;
  }

  unsafeName(path: string): void {
    if (isUnsafePath(path) && !this.#unsafe.includes(path)) capped(this.#unsafe, path);
  }

  /** A tar link: recorded as unsafe (`name -> target`) when it points outside the archive. */
  link(path: string, target: string, kind: 'symlink' | 'hardlink'): void {
    if (linkEscapes(path, target, kind)) capped(this.#unsafe, `${path} -> ${target}`);
  }

  setMetadata(bytes: Uint8Array): void {
    this.#metadata = Buffer.from(bytes);
    this.#fields = parseCoreMetadata(bytes);
  }

  pth(file: PthFile): void {
    capped(file.executes ? this.#pthExec : this.#pthPlain, file);
  }

  result(kind: 'wheel' | 'sdist'): PythonDistInspection {
    const pth = [...this.#pthExec, ...this.#pthPlain.slice(0, Math.max(0, LIST_MAX - this.#pthExec.length))];
    const problem =
      this.#problems.length === 0
        ? null
        : this.#problems.join('; ') + (this.#moreProblems > 0 ? `; and ${this.#moreProblems} more` : '');
    return Object.freeze({
      kind,
      fileCount: this.fileCount,
      unpackedSize: this.unpackedSize,
      unsafePaths: Object.freeze([...this.#unsafe]),
      metadata: this.#metadata,
      metadataFields: this.#fields,
      pthFiles: Object.freeze(pth),
      commands: Object.freeze([...this.commands]),
      hasSetupPy: this.hasSetupPy,
      setupPy: this.setupPy,
      buildBackend: this.buildBackend,
      dataScripts: Object.freeze([...this.dataScripts]),
      nativeLibraries: Object.freeze([...this.#native]),
      problem,
    });
  }
}
