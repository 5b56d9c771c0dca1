/**
 * Install scripts of the packages bundled inside an npm tarball (`node_modules/…` in it, as
 * `bundleDependencies` ships them). npm runs their preinstall, install and postinstall scripts
 * when it installs the package that bundles them (npm 11: a bundled dependency's postinstall ran
 * while the package's own package.json had no script), so the inspection reads their
 * package.json files, and notes their binding.gyp, as it does the package's own.
 *
 * Only the package's own `node_modules` chain counts (`node_modules/a/node_modules/@s/b`), which
 * is where npm loads bundled packages from; a `node_modules` folder elsewhere (test fixtures) is
 * never installed as a package. Paths are compared folded (`TarEntry.folded`), as on a
 * case-insensitive disk.
 * A bundled package.json npm would read but Airlock cannot (too large, not JSON) makes the
 * tarball uninspectable: its scripts would be unknown.
 */
import type { Json } from '../../storage/ports/index.ts';
import { installScripts, parseTarballJson } from './facts.ts';
import { dependencySourcesOf, MAX_SOURCES_LISTED } from './manifest-reader.ts';
import { TarFormatError } from './tar-reader.ts';

/** A bundled package's folder (group 1) and the file of it that matters (group 2). */
const BUNDLED = /^((?:node_modules\/(?:@[^/]+\/)?[^/]+\/)*node_modules\/(?:@[^/]+\/)?[^/]+)\/(package\.json|binding\.gyp)$/;
/** Bundled manifests read per tarball, and their bytes in all; past either it is uninspectable. */
const MAX_MANIFESTS = 10_000;
const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;
/** Bundled packages listed by folder in the facts (all are counted). */
const MAX_LISTED = 64;

interface Bundled {
  /** The folder as the archive spells it (the first spelling seen). */
  readonly folder: string;
  /** Its package.json's `scripts`, once read (the last one of the folder wins, as on extraction). */
  scripts: unknown;
  gyp: boolean;
  /** Its package.json's dependencies from outside the registry (the last one of the folder wins). */
  sources: readonly string[];
  sourceCount: number;
}

export interface BundledScriptFacts {
  /** Folder → install scripts, for the bundled packages that have any (the first `MAX_LISTED`). */
  readonly listed: { [folder: string]: Json };
  /** How many bundled packages have install scripts. */
  readonly count: number;
  /** More have scripts than are listed: the hooks of the others would go unanalysed. */
  readonly truncated: string | null;
  /**
   * Their dependencies npm would install from outside the registry, `folder: name from spec`
   * (the first `MAX_SOURCES_LISTED`): npm resolves a bundled package's missing dependencies when
   * it reads the installed package (an install beside node_modules with no lockfile).
   */
  readonly sources: readonly string[];
  readonly sourceCount: number;
}

export class BundledScripts {
  readonly #byFolder = new Map<string, Bundled>();
  readonly #maxManifestBytes: number;
  #manifests = 0;
  #bytes = 0;
  #reading: { readonly into: Bundled; readonly chunks: Buffer[] } | null = null;

  constructor(maxManifestBytes: number) {
    this.#maxManifestBytes = maxManifestBytes;
  }

  /** A file of `size` bytes begins, extracted at `at` (`TarEntry.at`, and `folded` its `TarEntry.folded`). */
  file(at: string, folded: string, size: number): void {
    this.close();
    if (!folded.startsWith('node_modules/')) return;
    const m = BUNDLED.exec(folded);
    if (m === null) return;
    const key = m[1] as string;
    let into = this.#byFolder.get(key);
    if (into === undefined) {
      // Folding keeps every `/`: the folder is as many components of `at` as the key has.
      const folder = at.split('/').slice(0, key.split('/').length).join('/');
      this.#byFolder.set(key, (into = { folder, scripts: undefined, gyp: false, sources: [], sourceCount: 0 }));
    }
    if (m[2] === 'binding.gyp') {
      into.gyp = true;
      return;
    }
    if (size > this.#maxManifestBytes) throw new TarFormatError(`bundled ${into.folder.slice(0, 100)}/package.json is larger than ${this.#maxManifestBytes} bytes`);
    this.#bytes += size;
    if (++this.#manifests > MAX_MANIFESTS || this.#bytes > MAX_MANIFEST_BYTES) throw new TarFormatError('too many bundled package.json files to read');
    this.#reading = { into, chunks: [] };
  }

  /** Data of the current file (valid only during the call). */
  data(chunk: Uint8Array): void {
    this.#reading?.chunks.push(Buffer.from(chunk));
  }

  /** The current file ends: a bundled package.json is read. */
  close(): void {
    const r = this.#reading;
    if (r === null) return;
    this.#reading = null;
    const parsed = parseTarballJson(Buffer.concat(r.chunks));
    if ('problem' in parsed) throw new TarFormatError(`bundled ${r.into.folder.slice(0, 100)}/package.json ${parsed.problem}`);
    r.into.scripts = parsed.object['scripts'];
    const outside = dependencySourcesOf(parsed.object);
    r.into.sources = outside.sources;
    r.into.sourceCount = outside.count;
  }

  facts(): BundledScriptFacts {
    const listed: { [folder: string]: Json } = {};
    let count = 0;
    const sources: string[] = [];
    let sourceCount = 0;
    for (const b of this.#byFolder.values()) {
      sourceCount += b.sourceCount;
      for (const entry of b.sources) if (sources.length < MAX_SOURCES_LISTED) sources.push(`${b.folder}: ${entry}`);
      const scripts = installScripts(b.scripts, b.gyp);
      if (Object.keys(scripts).length === 0) continue;
      if (count++ < MAX_LISTED) listed[b.folder] = scripts;
    }
    return { listed, count, truncated: count > MAX_LISTED ? `more than ${MAX_LISTED} bundled packages with install scripts` : null, sources, sourceCount };
  }
}
