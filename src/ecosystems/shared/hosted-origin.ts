/**
 * A hosted repository's packages as its ecosystem plugin reads them: the same interface as an
 * upstream registry's client, answered from Airlock's own stores (`HostedPackageStore` for each
 * package's registry document, the blob store for its files). So a published package takes the
 * proxy's whole path to a client — document parsed and judged version by version, each file
 * verified against the document, inspected and judged before its first byte is served, every
 * decision recorded — and nothing is trusted for having been published here.
 *
 * Its documents and files live under a base URL of its own on a reserved domain (`.invalid`,
 * which never resolves): documents name files there, and only URLs there are this origin's. What
 * a path names (which package's document, which file) is the ecosystem's `HostedLayout`.
 */
import { Readable } from 'node:stream';
import { AirlockError } from '../../core/index.ts';
import type { BlobReader, HostedPackage, HostedPackageStore } from '../../storage/ports/index.ts';
import type { DocumentRequest, DocumentResult, ForwardResult, RequestOptionsBase, StreamResult, Upstream } from '../../upstream/index.ts';

/** The base URL a hosted repository's documents name its files under. */
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
 * Whether every version of the package was removed: the row stays (its name stays claimed and
 * its version numbers used), with no files — every published version has one.
 */
export function isUnpublished(pkg: Pick<HostedPackage, 'files'>): boolean {
  return Object.keys(pkg.files).length === 0;
}

/** A path below the base decoded, or the origin's "nothing here". */
export function decodedPath(repo: string, path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    throw new AirlockError('UPSTREAM_NOT_FOUND', `hosted repository ${repo} has nothing at ${path.slice(0, 200)}`);
  }
}

/** What a document's path names: a package's stored document, or an answer the layout makes itself (npm's search). */
export type HostedDocumentTarget = { readonly kind: 'package'; readonly name: string } | { readonly kind: 'answer'; readonly body: Buffer; readonly contentType: string };

/** How an ecosystem lays out a hosted repository's URL space. */
export interface HostedLayout {
  /** The content type of a stored document. */
  readonly contentType: string;
  /** What the URL of a document names (throws UPSTREAM_NOT_FOUND for nothing). */
  document(url: URL): Promise<HostedDocumentTarget>;
  /** The package and file name a file path (below the base, no leading slash) names. */
  file(path: string): { readonly name: string; readonly filename: string };
  /** Told of each package read (npm's search index keeps them). */
  saw?(pkg: HostedPackage): void;
}

export class HostedStoreOrigin implements Upstream {
  readonly #repo: string;
  readonly #base: URL;
  readonly #store: HostedPackageStore;
  readonly #blobs: BlobReader;
  readonly #layout: HostedLayout;

  constructor(repo: string, store: HostedPackageStore, blobs: BlobReader, layout: HostedLayout) {
    this.#repo = repo;
    this.#base = hostedBase(repo);
    this.#store = store;
    this.#blobs = blobs;
    this.#layout = layout;
  }

  get name(): string {
    return this.#repo;
  }

  resolve(target: string | URL): URL {
    const url = typeof target === 'string' ? new URL(target.replace(/^\/+/, ''), this.#base) : target;
    if (!this.owns(url)) throw new AirlockError('UPSTREAM_BAD_RESPONSE', `hosted repository ${this.#repo}: a document named a file elsewhere (${url.origin})`);
    return url;
  }

  owns(url: URL): boolean {
    return url.origin === this.#base.origin;
  }

  async fetchDocument(target: string | URL, req: DocumentRequest): Promise<DocumentResult> {
    const url = this.resolve(target);
    const what = await this.#layout.document(url);
    if (what.kind === 'answer') {
      if (what.body.length > req.maxBytes) throw new AirlockError('LIMIT_EXCEEDED', `the answer is larger than ${req.maxBytes} bytes`);
      return { kind: 'fresh', body: what.body, contentType: what.contentType, etag: null, lastModified: null };
    }
    const name = what.name;
    const pkg = await this.#store.getHostedPackage(this.#repo, name);
    if (pkg === null) throw new AirlockError('UPSTREAM_NOT_FOUND', `${name} has not been published to ${this.#repo}`);
    this.#layout.saw?.(pkg);
    if (isUnpublished(pkg)) throw new AirlockError('UPSTREAM_NOT_FOUND', `${name} was unpublished from ${this.#repo} on ${pkg.updatedAt.toISOString()}`);
    const etag = hostedEtag(pkg);
    if (req.validators?.etag === etag) return { kind: 'not-modified', etag, lastModified: null };
    const body = Buffer.from(pkg.document, 'utf8');
    if (body.length > req.maxBytes) throw new AirlockError('LIMIT_EXCEEDED', `the document of ${name} is larger than ${req.maxBytes} bytes`);
    return { kind: 'fresh', body, contentType: this.#layout.contentType, etag, lastModified: null };
  }

  async openStream(target: string | URL, req: RequestOptionsBase): Promise<StreamResult> {
    const url = this.resolve(target);
    const { name, filename } = this.#layout.file(url.pathname.slice(1));
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
}
