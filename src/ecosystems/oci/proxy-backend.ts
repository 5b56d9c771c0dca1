/**
 * An oci proxy's images: manifests from the upstream registry (a tag revalidated after
 * `metadataMaxAge`, a digest kept for good), blobs fetched once and verified, referrers from the
 * upstream's API or its referrers tag, tag lists with the upstream's pages, and which manifests
 * each tag has pointed at as clients pulled it.
 */
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import { AirlockError, isAirlockError } from '../../core/index.ts';
import type { Gate } from '../../gate/index.ts';
import { requestContextOf } from '../../gate/identity.ts';
import type { ArtifactIndex, BlobStore, DocumentCache } from '../../storage/ports/index.ts';
import type { Upstream } from '../../upstream/index.ts';
import { DocumentSource } from '../shared/document-source.ts';
import type { RepositoryMetrics } from '../shared/metrics.ts';
import { MAX_TAGS_PAGE, pageSize, type ImageBackend, type ServedAt, type TagPage } from './backend.ts';
import { BlobService } from './blob-service.ts';
import { ImageCatalog, upstreamHasName } from './catalog.ts';
import { MAX_MANIFEST_BYTES } from './manifest.ts';
import type { OciSettings } from './options.ts';
import { isTag } from './references.ts';
import { UpstreamReferrers } from './signatures.ts';
import { TagHistory } from './tag-history.ts';

const YEAR_MS = 365 * 24 * 3600 * 1000;

export interface ProxyBackendDeps {
  readonly upstream: Upstream;
  readonly gate: Gate;
  readonly documents: DocumentCache & ArtifactIndex;
  readonly blobs: BlobStore;
  readonly clock: () => Date;
  readonly metrics?: RepositoryMetrics | undefined;
  readonly log: FastifyBaseLogger;
}

export function proxyBackend(deps: ProxyBackendDeps, settings: OciSettings): ImageBackend {
  const { upstream, clock, log } = deps;
  const docDeps = { repo: settings.repo, documents: deps.documents, blobs: deps.blobs, upstream, clock, metrics: deps.metrics, log };
  const tags = new DocumentSource(docDeps, { freshness: { maxAgeMs: settings.metadataMaxAgeMs, staleIfErrorMs: settings.staleIfErrorMs }, maxBytes: MAX_MANIFEST_BYTES });
  // A manifest by digest never changes.
  const manifests = new DocumentSource(docDeps, { freshness: { maxAgeMs: YEAR_MS, staleIfErrorMs: YEAR_MS }, maxBytes: MAX_MANIFEST_BYTES });
  const catalog = new ImageCatalog({ upstream, tags, manifests }, Math.floor(settings.cacheBytes / 2));
  const blobs = new BlobService({ repo: settings.repo, upstream, blobs: deps.blobs, index: deps.documents, clock, metrics: deps.metrics, maxArtifactBytes: settings.maxArtifactBytes });
  const tagHistory = new TagHistory({ repo: settings.repo, documents: deps.documents, blobs: deps.blobs, keeper: manifests, clock, log });
  return {
    catalog,
    blobs,
    referrers: new UpstreamReferrers(upstream, catalog),
    reportsMissing: true,
    sightings: (name, tag, digest) => tagHistory.note(name, tag, digest),
    sightingsIfPulled: (name, tag, digest) => tagHistory.peek(name, tag, digest),
    tags: (request, name, query, at) => upstreamTags(deps, settings, request, name, query, at),
    has: (name) => upstreamHasName(upstream, name),
    ownBlob: async () => null,
    caches: () => catalog.caches(),
    close: async () => {
      await Promise.all([tags.flush(), manifests.flush()]);
    },
  };
}

/** The upstream's tag list page (its `n` and `last` passed on, bounded), its next page under this repository. */
async function upstreamTags(deps: ProxyBackendDeps, settings: OciSettings, request: FastifyRequest, name: string, query: URLSearchParams, at: ServedAt): Promise<TagPage> {
  const n = pageSize(query, MAX_TAGS_PAGE);
  const last = query.get('last');
  const asked = new URLSearchParams();
  if (n !== null) asked.set('n', String(n));
  if (last !== null) asked.set('last', last.slice(0, 128));
  const qs = asked.toString();
  let res;
  try {
    res = await deps.upstream.fetchDocument(`v2/${name}/tags/list${qs === '' ? '' : `?${qs}`}`, { accept: 'application/json', maxBytes: settings.maxMetadataBytes });
  } catch (err) {
    if (isAirlockError(err, 'UPSTREAM_NOT_FOUND')) {
      if (at.reportsMissing) await deps.gate.reportMissing('oci', name, requestContextOf(request));
      throw new AirlockError('UPSTREAM_NOT_FOUND', `the image repository ${name} does not exist upstream (or is private)`, { details: { ociCode: 'NAME_UNKNOWN' } });
    }
    throw err;
  }
  if (res.kind !== 'fresh') throw new AirlockError('UPSTREAM_BAD_RESPONSE', `upstream ${deps.upstream.name} answered 304 to an unconditional request`);
  return { tags: tagsOf(res.body, name), next: nextTagsLink(res.link ?? null, name, at.prefix) };
}

/** The upstream's tag list, checked: `{"name", "tags": [...]}` with tags as the spec writes them. */
function tagsOf(body: Buffer, name: string): string[] {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch {
    throw new AirlockError('UPSTREAM_BAD_RESPONSE', `the upstream's tag list of ${name} is not JSON`);
  }
  const tags = typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>)['tags'] : undefined;
  if (tags === null || tags === undefined) return [];
  if (!Array.isArray(tags) || tags.length > MAX_TAGS_PAGE) throw new AirlockError('UPSTREAM_BAD_RESPONSE', `the upstream's tag list of ${name} is not a list of at most ${MAX_TAGS_PAGE} tags`);
  return tags.filter((t): t is string => typeof t === 'string' && isTag(t));
}

/** The upstream's next-page link, as a path under the prefix served at (only its `n` and `last` are kept). */
function nextTagsLink(link: string | null, name: string, prefix: string): string | null {
  if (link === null) return null;
  const m = /<([^>]*)>\s*;\s*rel="?next"?/.exec(link);
  if (m === null) return null;
  let url: URL;
  try {
    url = new URL(m[1] as string, 'http://upstream.invalid/');
  } catch {
    return null;
  }
  const next = new URLSearchParams();
  for (const k of ['n', 'last']) {
    const v = url.searchParams.get(k);
    if (v !== null) next.set(k, v.slice(0, 128));
  }
  return `<${prefix}/${name}/tags/list?${next.toString()}>; rel="next"`;
}
