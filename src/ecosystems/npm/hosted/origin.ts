/**
 * A hosted repository's packages as the npm plugin reads them: the same interface as an upstream
 * registry's client, answered from Airlock's own stores. So a published package takes the proxy's
 * whole path to a client — packument indexed and judged version by version, tarball verified
 * against the packument, inspected and judged before its first byte is served, every decision
 * recorded — and nothing is trusted for having been published here.
 *
 * Its documents and files live under a base URL of its own on a reserved domain (`.invalid`, which
 * never resolves): packuments name tarballs there, and only URLs there are this origin's.
 */
import { Readable } from 'node:stream';
import { AirlockError, parseNpmPackageName, type NpmPackageName } from '../../../core/index.ts';
import type { BlobReader, HostedPackage, HostedPackageStore } from '../../../storage/ports/index.ts';
import type { DocumentRequest, DocumentResult, ForwardResult, RequestOptionsBase, StreamResult, Upstream } from '../../../upstream/index.ts';
import { HostedSearch } from './search-index.ts';

/** The base URL a hosted repository's packuments name its files under. */
export function hostedBase(repo: string): URL {
  return new URL(`http://${repo}.hosted.airlock.invalid/`);
}

/** One stored revision as clients name it (`_rev`, CouchDB's form): it changes with every write. */
export function hostedRev(pkg: Pick<HostedPackage, 'rev' | 'updatedAt'>): string {
  return `${pkg.rev}-${pkg.updatedAt.getTime().toString(36)}`;
}

/** The validator of one stored revision. */
export function hostedEtag(pkg: Pick<HostedPackage, 'rev' | 'updatedAt'>): string {
  return `"${hostedRev(pkg)}"`;
}

/**
 * Whether every version of the package was unpublished: the row stays (its name stays claimed
 * and its version numbers used), with no versions and so no files — every published version has one.
 */
export function isUnpublished(pkg: Pick<HostedPackage, 'files'>): boolean {
  return Object.keys(pkg.files).length === 0;
}

export class HostedOrigin implements Upstream {
  readonly #repo: string;
  readonly #base: URL;
  readonly #store: HostedPackageStore;
  readonly #blobs: BlobReader;
  readonly #search: HostedSearch;

  constructor(repo: string, store: HostedPackageStore, blobs: BlobReader, clock?: () => Date) {
    this.#repo = repo;
    this.#base = hostedBase(repo);
    this.#store = store;
    this.#blobs = blobs;
    this.#search = new HostedSearch(repo, store, clock);
  }

  get name(): string {
    return this.#repo;
  }

  resolve(target: string | URL): URL {
    const url = typeof target === 'string' ? new URL(target.replace(/^\/+/, ''), this.#base) : target;
    if (!this.owns(url)) throw new AirlockError('UPSTREAM_BAD_RESPONSE', `hosted repository ${this.#repo}: a packument named a file elsewhere (${url.origin})`);
    return url;
  }

  owns(url: URL): boolean {
    return url.origin === this.#base.origin;
  }

  async fetchDocument(target: string | URL, req: DocumentRequest): Promise<DocumentResult> {
    const url = this.resolve(target);
    if (url.pathname === '/-/v1/search') {
      const body = await this.#search.answer(url.search.slice(1));
      if (body.length > req.maxBytes) throw new AirlockError('LIMIT_EXCEEDED', `the search answer is larger than ${req.maxBytes} bytes`);
      return { kind: 'fresh', body, contentType: 'application/json', etag: null, lastModified: null };
    }
    const name = this.#packageName(url);
    const pkg = await this.#store.getHostedPackage(this.#repo, name);
    if (pkg === null) throw new AirlockError('UPSTREAM_NOT_FOUND', `${name} has not been published to ${this.#repo}`);
    this.#search.saw(pkg);
    if (isUnpublished(pkg)) throw new AirlockError('UPSTREAM_NOT_FOUND', `${name} was unpublished from ${this.#repo} on ${pkg.updatedAt.toISOString()}`);
    const etag = hostedEtag(pkg);
    if (req.validators?.etag === etag) return { kind: 'not-modified', etag, lastModified: null };
    const body = Buffer.from(pkg.document, 'utf8');
    if (body.length > req.maxBytes) throw new AirlockError('LIMIT_EXCEEDED', `the packument of ${name} is larger than ${req.maxBytes} bytes`);
    return { kind: 'fresh', body, contentType: 'application/json', etag, lastModified: null };
  }

  async openStream(target: string | URL, req: RequestOptionsBase): Promise<StreamResult> {
    const url = this.resolve(target);
    const path = url.pathname.slice(1);
    const at = path.lastIndexOf('/-/');
    if (at <= 0) throw new AirlockError('UPSTREAM_NOT_FOUND', `hosted repository ${this.#repo} has no file at ${path.slice(0, 200)}`);
    const name = this.#nameOf(path.slice(0, at));
    const filename = this.#decoded(path.slice(at + 3));
    const pkg = await this.#store.getHostedPackage(this.#repo, name);
    const file = pkg !== null && Object.hasOwn(pkg.files, filename) ? pkg.files[filename] : undefined;
    if (file === undefined) throw new AirlockError('UPSTREAM_NOT_FOUND', `${filename} has not been published to ${this.#repo}`);
    if (file.size > req.maxBytes) throw new AirlockError('LIMIT_EXCEEDED', `${filename} is larger than ${req.maxBytes} bytes`);
    const body = await this.#blobs.open(file.blob);
    // The only copy of a published file: its loss is Airlock's fault, not a missing package.
    if (body === null) throw new AirlockError('STORAGE_ERROR', `${filename} of ${name}, published to ${this.#repo}, is missing from the blob store`);
    return { body: body instanceof Readable ? body : Readable.from(body), contentLength: file.size, contentType: 'application/octet-stream', etag: `"${file.blob}"` };
  }

  async forward(target: string | URL): Promise<ForwardResult> {
    throw new AirlockError('UPSTREAM_NOT_FOUND', `hosted repository ${this.#repo} has no upstream to ask for ${String(target).slice(0, 100)}`);
  }

  /** The package a packument path names (`name`, `@scope%2fname`); anything else is not here. */
  #packageName(url: URL): NpmPackageName {
    const path = url.pathname.slice(1);
    if (path.startsWith('-/')) throw new AirlockError('UPSTREAM_NOT_FOUND', `hosted repository ${this.#repo} has no ${path.slice(0, 100)}`);
    return this.#nameOf(path);
  }

  #nameOf(path: string): NpmPackageName {
    return parseNpmPackageName(this.#decoded(path));
  }

  #decoded(path: string): string {
    try {
      return decodeURIComponent(path);
    } catch {
      throw new AirlockError('UPSTREAM_NOT_FOUND', `hosted repository ${this.#repo} has nothing at ${path.slice(0, 200)}`);
    }
  }
}
