/**
 * What the oci plugin serves images from, whatever the repository's kind: a proxy's upstream
 * registry (proxy-backend.ts) or a hosted repository's own stores (hosted/hosted-backend.ts). The
 * routes, the gate's admission and the signature look-up are the same for both.
 */
import type { FastifyRequest } from 'fastify';
import { AirlockError, type CacheFills } from '../../core/index.ts';
import type { BlobSource, ManifestSource, ReferrerSource } from './image-source.ts';
import type { TagSighting } from './tag-history.ts';

/**
 * Where a request is served: the URL path its links (`Link`, `Location`) go under — the
 * repository's own (`/v2/<repo>`) or a group's in front of it — and whether a name missing from
 * the repository is told to the hallucination tripwire (a group tells it itself, when no member has the name).
 */
export interface ServedAt {
  readonly prefix: string;
  readonly reportsMissing: boolean;
}

/** One page of a tag list, and the `Link` header of the next page (null: the last). */
export interface TagPage {
  readonly tags: readonly string[];
  readonly next: string | null;
}

export interface ImageBackend {
  readonly catalog: ManifestSource;
  readonly blobs: BlobSource;
  readonly referrers: ReferrerSource;
  /** Whether a missing image repository is told to the hallucination tripwire (a proxy's are: a public name that does not exist). */
  readonly reportsMissing: boolean;
  /** The manifests a tag pointed at before as clients saw them, newest first, with this pull noted. */
  sightings(name: string, tag: string, digest: string): Promise<readonly TagSighting[]>;
  /** The same as a pull now would see them, with nothing noted (the pre-flight check). */
  sightingsIfPulled(name: string, tag: string, digest: string): Promise<readonly TagSighting[]>;
  tags(request: FastifyRequest, name: string, query: URLSearchParams, at: ServedAt): Promise<TagPage>;
  /**
   * Whether the image repository `name` exists here (pushed to a hosted repository; its tag list
   * answered by a proxy's upstream). False only when that is the answer; a failure to find out throws.
   */
  has(name: string): Promise<boolean>;
  /**
   * The size of a blob the image repository has of its own, outside any image a client pulled (a
   * hosted repository's pushed blobs: a pushing client asks with HEAD); null when it has none.
   */
  ownBlob(name: string, digest: string): Promise<number | null>;
  /** How full its caches are (the parsed manifests'), read by the metrics when scraped. */
  caches(): CacheFills;
  close(): Promise<void>;
}

/** Tags one tag list page holds, at most (and what a client gets when it does not say). */
export const MAX_TAGS_PAGE = 10_000;

/** A page's size as the client asks for it (`n`), at most `max`; null when it does not say. */
export function pageSize(query: URLSearchParams, max: number): number | null {
  const n = query.get('n');
  if (n === null) return null;
  if (!/^\d{1,6}$/.test(n)) throw new AirlockError('BAD_REQUEST', 'n is not a count', { details: { ociCode: 'UNSUPPORTED' } });
  return Math.min(Number(n), max);
}
