/**
 * The OCI facts Airlock puts in `input.facts` (documented in docs/facts/oci.md). A version is a
 * manifest digest: an image (manifest and config), a multi-platform index, or another artifact
 * (a signature, an SBOM, anything oras pushes). Both phases see what the manifest and the
 * image's config say; the artifact phase, which decides whether the image is served, adds what
 * its signatures prove (`image_signature`). Every list is bounded.
 */
import { makePurl } from '../../core/index.ts';
import type { Facts, VersionCandidate } from '../../gate/index.ts';
import type { Json } from '../../storage/ports/index.ts';
import type { ResolvedManifest } from './catalog.ts';
import { MEDIA, type ImageConfig } from './manifest.ts';
import type { TagSighting } from './tag-history.ts';

const MAX_LIST = 64;
const MAX_MESSAGE = 500;
/** The first container images are from 2013: a `created` before that is a builder's placeholder (reproducible builds write 1970). */
const EARLIEST_PLAUSIBLE = Date.parse('2013-01-01T00:00:00Z');

const IMAGE_CONFIGS: ReadonlySet<string> = new Set(['application/vnd.oci.image.config.v1+json', 'application/vnd.docker.container.image.v1+json']);

export function isImageConfig(mediaType: string): boolean {
  return IMAGE_CONFIGS.has(mediaType);
}

/** A cosign signature object (legacy `.sig` tag) or a Sigstore bundle stored as a referrer. */
export function isSignatureArtifact(m: ResolvedManifest): boolean {
  const man = m.manifest;
  if (man.artifactType === MEDIA.sigstoreBundle) return true;
  return man.kind === 'manifest' && man.layers.length > 0 && man.layers.every((l) => l.mediaType === MEDIA.cosignSimpleSigning || l.mediaType === MEDIA.sigstoreBundle);
}

/** When the image says it was built, if that is a time at all plausible. */
function publishedAt(config: ImageConfig | null, now: Date): string | null {
  if (config?.created == null) return null;
  const t = Date.parse(config.created);
  if (!Number.isFinite(t) || t < EARLIEST_PLAUSIBLE || t > now.getTime() + 24 * 3600_000) return null;
  return new Date(t).toISOString();
}

/** The tag a client asked for, with the manifests it pointed at before (newest first) as Airlock saw them. */
export interface TagAsked {
  readonly tag: string;
  readonly sightings: readonly TagSighting[];
}

const MAX_EARLIER = 8;

function tagHistoryFacts(m: ResolvedManifest, asked: TagAsked | null): Json {
  if (asked === null) return null;
  const at = asked.sightings.findIndex((s) => s.digest === m.digest);
  const earlier = asked.sightings.slice(0, at === -1 ? asked.sightings.length : at).reverse();
  return {
    first_seen: at === -1 ? null : (asked.sightings[at] as TagSighting).firstSeen,
    earlier: earlier.slice(0, MAX_EARLIER).map((s) => ({ digest: s.digest, first_seen: s.firstSeen })),
    earlier_count: earlier.length,
  };
}

export function imageFacts(m: ResolvedManifest, asked: TagAsked | null, config: ImageConfig | null, now: Date, index: string | null = null): Facts {
  const reference = asked?.tag ?? null;
  const man = m.manifest;
  const kind = man.kind === 'index' ? 'index' : isSignatureArtifact(m) ? 'signature' : isImageConfig(man.config.mediaType) ? 'image' : 'artifact';
  const layers = man.kind === 'manifest' ? man.layers : [];
  const platforms =
    man.kind === 'index'
      ? man.manifests.flatMap((d) => (d.platform === null ? [] : [{ os: d.platform.os, architecture: d.platform.architecture, variant: d.platform.variant }]))
      : config !== null && config.os !== null && config.architecture !== null
        ? [{ os: config.os, architecture: config.architecture, variant: null }]
        : [];
  return {
    published_at: publishedAt(config, now),
    image: {
      name: m.name,
      digest: m.digest,
      reference,
      tag_history: tagHistoryFacts(m, asked),
      index,
      media_type: m.mediaType,
      kind,
      artifact_type: man.artifactType ?? (man.kind === 'manifest' && !isImageConfig(man.config.mediaType) ? man.config.mediaType : null),
      size: m.bytes.length + layers.reduce((n, l) => n + l.size, 0) + (man.kind === 'manifest' ? man.config.size : 0),
      platforms: platforms.slice(0, MAX_LIST),
      manifests: man.kind === 'index' ? man.manifests.length : 0,
      layers: {
        count: layers.length,
        size: layers.reduce((n, l) => n + l.size, 0),
        media_types: [...new Set(layers.map((l) => l.mediaType))].slice(0, MAX_LIST),
      },
      subject: man.subject?.digest ?? null,
      annotations: Object.fromEntries(Object.entries(man.annotations).slice(0, MAX_LIST).map(([k, v]) => [k, v.slice(0, MAX_MESSAGE)])),
      config:
        config === null
          ? null
          : {
              created: config.created,
              user: config.user,
              entrypoint: [...config.entrypoint],
              cmd: [...config.cmd],
              env_names: [...config.env],
              labels: { ...config.labels },
              exposed_ports: [...config.exposedPorts],
              history_count: config.historyCount,
            },
    },
  };
}

export function imagePurl(name: string, digest: string) {
  return makePurl('oci', name, digest);
}

export function imageCandidate(gateRepo: string, m: ResolvedManifest, facts: Facts): VersionCandidate {
  return {
    subject: { repo: gateRepo, ecosystem: 'oci', name: m.name, version: m.digest, purl: imagePurl(m.name, m.digest) },
    facts,
  };
}

/** `input.facts.image_signature`: whether the image is signed (cosign), whether that checks out, and who signed. */
export interface SignatureFacts {
  readonly status: 'verified' | 'invalid' | 'unverifiable' | 'absent';
  readonly signers: readonly { readonly mode: string; readonly identity: string | null; readonly issuer: string | null; readonly key_hint: string | null; readonly source: string; readonly predicate_type: string | null }[];
  readonly error: string | null;
}

export function signatureFactsJson(f: SignatureFacts): Json {
  return { status: f.status, signers: f.signers.slice(0, MAX_LIST).map((s) => ({ ...s })), error: f.error === null ? null : f.error.slice(0, MAX_MESSAGE) };
}
