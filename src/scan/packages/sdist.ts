/**
 * Source distributions: what building one runs (`setup.py`, the pyproject build backend) and
 * the PKG-INFO it ships. The project directory is `<top>/` (pip strips a single leading
 * directory); files at the archive root count too, since pip builds there when there is none.
 */
import type { DistReport, EntryKind } from './dist-report.ts';
import { readZipMember, type ZipArchive } from './dist-zip.ts';
import { stripDotSlash } from './dist-paths.ts';
import { decodeText, parseBuildBackend } from './dist-text.ts';

export type SdistRole = 'pkg-info' | 'pyproject' | 'setup-py';

export interface WantedFile {
  readonly role: SdistRole;
  /** The project directory the file belongs to ('' for the archive root). */
  readonly dir: string;
  /** Byte cap for reading it. */
  readonly cap: number;
}

const MAX_PROJECT_DIRS = 64;

export class SdistFacts {
  readonly #report: DistReport;
  /** The top directory whose PKG-INFO is the metadata (the first one seen). */
  #pkgInfoDir: string | undefined;
  readonly #backends = new Map<string, string | null>();
  /** setup.py texts by project directory (the PKG-INFO's one is kept in the end). */
  readonly #setupPys = new Map<string, string>();

  constructor(report: DistReport) {
    this.#report = report;
  }

  /** Notes a member; returns what to read of it, if anything. */
  want(path: string, kind: EntryKind): WantedFile | null {
    if (kind === 'dir' || kind === 'other') return null;
    const segments = stripDotSlash(path).split('/');
    if (segments.length > 2 || segments.some((s) => s === '')) return null;
    const dir = segments.length === 2 ? (segments[0] as string) : '';
    const base = segments[segments.length - 1] as string;
    // A link named setup.py still runs when the build resolves it.
    if (base === 'setup.py') this.#report.hasSetupPy = true;
    if (kind !== 'file') return null;
    const { limits } = this.#report;
    if (base === 'PKG-INFO' && dir !== '' && (this.#pkgInfoDir === undefined || this.#pkgInfoDir === dir)) {
      return { role: 'pkg-info', dir, cap: limits.maxMetadataBytes };
    }
    if (base === 'pyproject.toml' && (this.#backends.has(dir) || this.#backends.size < MAX_PROJECT_DIRS)) {
      return { role: 'pyproject', dir, cap: limits.maxTextFileBytes };
    }
    if (base === 'setup.py' && (this.#setupPys.has(dir) || this.#setupPys.size < MAX_PROJECT_DIRS)) {
      return { role: 'setup-py', dir, cap: limits.maxTextFileBytes };
    }
    return null;
  }

  /** The content of a wanted file (the last copy of a path wins, as extraction leaves it). */
  content(file: WantedFile, bytes: Uint8Array): void {
    if (file.role === 'pkg-info') {
      this.#pkgInfoDir = file.dir;
      this.#report.setMetadata(bytes);
    } else if (file.role === 'setup-py') {
      this.#setupPys.set(file.dir, decodeText(bytes));
    } else {
      this.#backends.set(file.dir, parseBuildBackend(decodeText(bytes)));
    }
  }

  /** The backend of the PKG-INFO directory's pyproject.toml, else the first one declared. */
  finish(): void {
    const own = this.#pkgInfoDir === undefined ? undefined : this.#backends.get(this.#pkgInfoDir);
    let backend = own ?? null;
    if (own === undefined) {
      for (const b of this.#backends.values()) {
        if (b !== null) {
          backend = b;
          break;
        }
      }
    }
    this.#report.buildBackend = backend;
    const dir = this.#pkgInfoDir !== undefined && this.#setupPys.has(this.#pkgInfoDir) ? this.#pkgInfoDir : this.#setupPys.keys().next().value;
    if (dir !== undefined) this.#report.setupPy = { path: dir === '' ? 'setup.py' : `${dir}/setup.py`, text: this.#setupPys.get(dir) as string };
  }
}

export async function inspectSdistZip(zip: ZipArchive, report: DistReport): Promise<void> {
  const facts = new SdistFacts(report);
  // One read per name: the copy zipfile returns (a duplicate is a problem of its own).
  for (const m of zip.byPath.values()) {
    const wanted = facts.want(m.path, m.path.endsWith('/') ? 'dir' : 'file');
    if (wanted === null) continue;
    const read = await readZipMember(zip, m, wanted.cap);
    if (read.problem !== null) report.problem(read.problem);
    // PKG-INFO only as zipfile would return it; a pyproject.toml or setup.py is read for facts regardless.
    if (read.bytes !== null && (read.problem === null || wanted.role !== 'pkg-info')) facts.content(wanted, read.bytes);
  }
  facts.finish();
}
