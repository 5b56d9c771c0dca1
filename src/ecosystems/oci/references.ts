/**
 * The names of the OCI distribution API, checked before anything is asked upstream: repository
 * names (`library/alpine`), tags, digests, and what a request path under `/v2/<repo>/` asks for.
 * Paths are taken raw (still percent-encoded): a name, a tag or a digest has no character that
 * needs encoding, so an encoded one is refused rather than decoded into something else.
 */
import { AirlockError } from '../../core/index.ts';

/** distribution-spec: path components of lower-case alphanumerics joined by `.`, `_`, `__` or dashes. */
const NAME_RE = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;
const TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
/** Only sha256: the digest Airlock's blob store addresses content by, and the one every registry uses. */
const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;
/** A name, at most (distribution caps the whole at 255 characters with the registry's host). */
const MAX_NAME = 255;

export type Reference = { readonly kind: 'tag'; readonly tag: string } | { readonly kind: 'digest'; readonly digest: string };

export type Target =
  | { readonly kind: 'manifest'; readonly name: string; readonly reference: Reference }
  | { readonly kind: 'blob'; readonly name: string; readonly digest: string }
  | { readonly kind: 'tags'; readonly name: string }
  | { readonly kind: 'referrers'; readonly name: string; readonly digest: string }
  /** A blob upload: `…/blobs/uploads/` (id null: start one) or `…/blobs/uploads/<id>`. */
  | { readonly kind: 'upload'; readonly name: string; readonly id: string | null };

export function isDigest(s: string): boolean {
  return DIGEST_RE.test(s);
}

export function isTag(s: string): boolean {
  return TAG_RE.test(s);
}

export function checkName(name: string): string {
  if (name.length > MAX_NAME || !NAME_RE.test(name)) {
    throw new AirlockError('BAD_REQUEST', `${JSON.stringify(name.slice(0, 80))} is not a repository name (lower-case letters, digits and separators, in path components)`, { details: { ociCode: 'NAME_INVALID' } });
  }
  return name;
}

export function parseReference(s: string): Reference {
  if (DIGEST_RE.test(s)) return { kind: 'digest', digest: s };
  if (isTag(s)) return { kind: 'tag', tag: s };
  if (s.includes(':')) throw new AirlockError('BAD_REQUEST', `${JSON.stringify(s.slice(0, 80))} is not a digest Airlock takes (sha256:<64 hex digits>)`, { details: { ociCode: 'DIGEST_INVALID' } });
  throw new AirlockError('BAD_REQUEST', `${JSON.stringify(s.slice(0, 80))} is not a tag`, { details: { ociCode: 'MANIFEST_INVALID' } });
}

function digestOf(s: string): string {
  if (!DIGEST_RE.test(s)) throw new AirlockError('BAD_REQUEST', `${JSON.stringify(s.slice(0, 80))} is not a digest Airlock takes (sha256:<64 hex digits>)`, { details: { ociCode: 'DIGEST_INVALID' } });
  return s;
}

/** What a path below `/v2/<repo>/` asks for (`library/alpine/manifests/3.20`, `…/blobs/sha256:…`, `…/tags/list`). */
export function parseTarget(path: string): Target {
  const m = /^(.+?)\/(manifests|blobs|referrers)\/([^/]+)$/.exec(path) ?? /^(.+?)\/(tags)\/(list)$/.exec(path) ?? /^(.+?)\/blobs\/(uploads)\/([^/]*)$/.exec(path);
  if (m === null) throw new AirlockError('NOT_FOUND', 'Airlock serves <name>/manifests/<reference>, <name>/blobs/<digest>, <name>/tags/list and <name>/referrers/<digest> here', { details: { ociCode: 'NAME_UNKNOWN' } });
  const name = checkName(m[1] as string);
  const what = m[2] as string;
  const rest = m[3] as string;
  switch (what) {
    case 'manifests':
      return { kind: 'manifest', name, reference: parseReference(rest) };
    case 'blobs':
      return { kind: 'blob', name, digest: digestOf(rest) };
    case 'referrers':
      return { kind: 'referrers', name, digest: digestOf(rest) };
    case 'tags':
      return { kind: 'tags', name };
    default:
      return { kind: 'upload', name, id: rest === '' ? null : rest };
  }
}

/** A one-component name in the default namespace (`alpine` → `library/alpine`), as the upstream names it; others as they are. */
export function nameInNamespace(name: string, namespace: string | null): string {
  return namespace === null || name.includes('/') ? name : `${namespace}/${name}`;
}

/** How a reference is written after the name: `:tag` or `@sha256:…`. */
export function referenceLabel(name: string, ref: Reference): string {
  return ref.kind === 'tag' ? `${name}:${ref.tag}` : `${name}@${ref.digest}`;
}

/** An image as people write it in messages: `name@sha256:<12 hex>`. */
export function imageLabel(name: string, digest: string): string {
  return `${name}@${digest.slice(0, 'sha256:'.length + 12)}`;
}
