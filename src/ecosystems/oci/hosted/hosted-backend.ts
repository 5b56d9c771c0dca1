/**
 * A hosted oci repository's images, for the plugin's routes: what was pushed, read from the
 * stores (hosted-images.ts); tag lists paged as the spec pages them (`n`, `last`, `Link`); the
 * push routes with their upload sessions, whose abandoned ones a timer ends.
 */
import { AirlockError } from '../../../core/index.ts';
import type { BlobStore, HostedPackageStore, UploadSessionStore } from '../../../storage/ports/index.ts';
import { MAX_TAGS_PAGE, pageSize, type ImageBackend } from '../backend.ts';
import type { OciSettings } from '../options.ts';
import { HostedImages } from './hosted-images.ts';
import type { UnpublishRule } from '../../shared/hosted-write.ts';
import { PushRoutes } from './push-routes.ts';
import { DEFAULT_UPLOAD_LIMITS, UploadSessions } from './upload-sessions.ts';

export interface HostedBackendDeps {
  readonly store: HostedPackageStore & UploadSessionStore;
  readonly blobs: BlobStore;
  readonly clock: () => Date;
  readonly deletes: UnpublishRule;
  /** A blob no manifest names is kept this long after its upload (`storage.sweepGrace`). */
  readonly uploadGraceMs: number;
}

export function hostedBackend(deps: HostedBackendDeps, settings: OciSettings): { readonly backend: ImageBackend; readonly push: PushRoutes; readonly images: HostedImages } {
  const images = new HostedImages({ repo: settings.repo, store: deps.store, blobs: deps.blobs, clock: deps.clock }, { maxDocumentBytes: settings.maxMetadataBytes, cacheBytes: Math.floor(settings.cacheBytes / 2), uploadGraceMs: deps.uploadGraceMs });
  const uploads = new UploadSessions({ repo: settings.repo, store: deps.store, blobs: deps.blobs, now: () => deps.clock().getTime() }, { ...DEFAULT_UPLOAD_LIMITS, maxBlobBytes: settings.maxArtifactBytes });
  const sweep = setInterval(() => void uploads.sweep().catch(() => undefined), 60_000);
  sweep.unref();
  const push = new PushRoutes({ repo: settings.repo, images, uploads, blobs: deps.blobs, maxBlobBytes: settings.maxArtifactBytes, deletes: deps.deletes });
  const backend: ImageBackend = {
    catalog: images,
    blobs: images,
    referrers: images,
    reportsMissing: false,
    // A hosted repository's tags move by its own pushes, each in the audit trail.
    sightings: async () => [],
    sightingsIfPulled: async () => [],
    tags: async (_request, name, query, at) => {
      const all = await images.tags(name);
      if (all === null) throw new AirlockError('NOT_FOUND', `nothing has been pushed to ${settings.repo}/${name}`, { details: { ociCode: 'NAME_UNKNOWN' } });
      const size = pageSize(query, MAX_TAGS_PAGE) ?? MAX_TAGS_PAGE;
      const last = query.get('last');
      const after = last === null ? all : all.filter((t) => t > last);
      const page = after.slice(0, size);
      const more = after.length > page.length && page.length > 0;
      return { tags: page, next: more ? `<${at.prefix}/${name}/tags/list?${new URLSearchParams({ n: String(size), last: page[page.length - 1] as string }).toString()}>; rel="next"` : null };
    },
    // An image repository is the hosted repository's once anything was pushed to it (a blob is enough).
    has: (name) => images.has(name),
    ownBlob: (name, digest) => images.blobSize(name, digest),
    caches: () => images.caches(),
    close: async () => {
      clearInterval(sweep);
    },
  };
  return { backend, push, images };
}
