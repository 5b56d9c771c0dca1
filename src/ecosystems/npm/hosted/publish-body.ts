/**
 * The body of `npm publish` (`PUT /<name>`, npm.md §10), checked as hostile input: one version,
 * its manifest, the dist-tags to point at it, and its tarball as a base64 attachment. The
 * tarball's bytes must be what the manifest's `dist.integrity` (sha512) and `dist.shasum` say,
 * and its own package.json must name the same package and version (checked by the publisher,
 * which reads the tarball). Everything the client computed about URLs is ignored.
 */
import { createHash } from 'node:crypto';
import semver from 'semver';
import { AirlockError, jsonKind, nestsDeeper, shownJson, type NpmPackageName } from '../../../core/index.ts';
import { isStrictSemver } from '../facts.ts';
import { MAX_DEPTH as MAX_PACKUMENT_DEPTH } from '../json-scan.ts';

export interface PublishRequest {
  readonly name: NpmPackageName;
  readonly version: string;
  /** The version's manifest as the client sent it (without attachments). */
  readonly manifest: { readonly [k: string]: unknown };
  /** The dist-tags to point at the version (`latest` unless `--tag` named another). */
  readonly tags: readonly string[];
  readonly tarball: Buffer;
  /** The sha512 and sha1 of the tarball (hex), checked against the manifest. */
  readonly sha512: string;
  readonly sha1: string;
  /** Package-level fields of the body (description, readme), as the newest publish gives them. */
  readonly description: string | null;
  readonly readme: string | null;
}

type Obj = { readonly [k: string]: unknown };

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function refuse(message: string): never {
  throw new AirlockError('BAD_REQUEST', `publish refused: ${message}`);
}

/**
 * Levels a version's manifest may nest (itself the first): the packument it is kept in adds two
 * more (the packument, its `versions`), and a packument deeper than the packument reader takes
 * (json-scan's MAX_DEPTH) could be stored but never served, nor written back as JSON text at all
 * when it is deep enough to overflow `JSON.stringify`.
 */
export const MAX_MANIFEST_DEPTH = MAX_PACKUMENT_DEPTH - 2;

/** Bytes [i, i + STRIDE) encode to text [i / 3 * 4, …): compared a slice at a time, not in one more copy of the whole. */
const STRIDE = 3 * 64 * 1024;

/** The length of `bytes` bytes in padded base64. */
export function base64Length(bytes: number): number {
  return Math.ceil(bytes / 3) * 4;
}

function encodesTo(bytes: Buffer, text: string): boolean {
  if (base64Length(bytes.length) !== text.length) return false;
  for (let i = 0; i < bytes.length; i += STRIDE) {
    const part = bytes.subarray(i, i + STRIDE).toString('base64');
    if (text.slice((i / 3) * 4, (i / 3) * 4 + part.length) !== part) return false;
  }
  return true;
}

/**
 * A dist-tag name npm would accept: not empty, not a semver range (`npm dist-tag` refuses those
 * too). A lone surrogate (`\ud800` in the JSON) is refused before `encodeURIComponent`, which
 * throws a URIError on it (found by fuzzing: a publish with such a tag answered 500).
 */
export function checkTagName(tag: string): void {
  if (tag === '' || tag.length > 128 || tag === '__proto__' || !tag.isWellFormed() || encodeURIComponent(tag) !== tag) refuse(`the dist-tag ${JSON.stringify(tag.slice(0, 130))} is not a valid tag name`);
  if (semver.validRange(tag) !== null) refuse(`the dist-tag ${JSON.stringify(tag)} is a semver range; tags must not look like versions`);
}

/**
 * `npm deprecate` (and `npm undeprecate`): the packument as the client read it, sent back without
 * a tarball, each listed version with the deprecation message it should have.
 */
export interface DeprecateRequest {
  readonly name: NpmPackageName;
  /** Each listed version's message; null: not deprecated. */
  readonly messages: ReadonlyMap<string, string | null>;
}

/** What a `PUT /<name>` asks for: a new version, or deprecation messages of published ones. */
export type PutRequest = { readonly kind: 'publish'; readonly publish: PublishRequest } | { readonly kind: 'deprecate'; readonly deprecate: DeprecateRequest };

/** Longest deprecation message kept (the public registry's messages are a sentence or two). */
export const MAX_DEPRECATION_CHARS = 1024;

/**
 * A `PUT /<name>` body: a publish when it carries attachments, else the packument sent back by
 * `npm deprecate`, of which only the versions' `deprecated` messages are read.
 */
export function parsePutBody(body: Buffer, name: NpmPackageName, limits: { readonly maxTarballBytes: number }): PutRequest {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch (err) {
    refuse(`the body is not JSON (${err instanceof Error ? err.message.slice(0, 200) : 'unreadable'})`);
  }
  if (!isObject(doc)) refuse('the body is not a JSON object');
  if (doc['name'] !== name || (doc['_id'] !== undefined && doc['_id'] !== name)) refuse(`the body names another package than ${name}`);
  const attachments = doc['_attachments'];
  if (attachments === undefined || (isObject(attachments) && Object.keys(attachments).length === 0)) return { kind: 'deprecate', deprecate: parseDeprecations(doc, name) };
  return { kind: 'publish', publish: parsePublishBody(doc, name, limits) };
}

/**
 * The body of `PUT /<name>/-rev/<rev>` (`npm unpublish name@version`): the packument the client
 * read with `?write=true`, without the version it removes. Only the versions it lists are read.
 */
export function parseUnpublishBody(body: Buffer, name: NpmPackageName): ReadonlySet<string> {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new AirlockError('BAD_REQUEST', `unpublish refused: the body is not JSON (${err instanceof Error ? err.message.slice(0, 200) : 'unreadable'})`);
  }
  if (!isObject(doc)) throw new AirlockError('BAD_REQUEST', 'unpublish refused: the body is not a JSON object');
  if (doc['name'] !== name || (doc['_id'] !== undefined && doc['_id'] !== name)) throw new AirlockError('BAD_REQUEST', `unpublish refused: the body names another package than ${name}`);
  const versions = doc['versions'];
  if (!isObject(versions)) throw new AirlockError('BAD_REQUEST', 'unpublish refused: the body has no versions');
  return new Set(Object.keys(versions));
}

function parseDeprecations(doc: Obj, name: NpmPackageName): DeprecateRequest {
  const versions = doc['versions'];
  if (!isObject(versions)) refuse('the body has neither a tarball attachment nor versions');
  const messages = new Map<string, string | null>();
  for (const [version, manifest] of Object.entries(versions)) {
    if (!isObject(manifest)) refuse(`the manifest of ${JSON.stringify(version.slice(0, 100))} is not an object`);
    const message = manifest['deprecated'];
    if (message !== undefined && typeof message !== 'string') refuse(`the deprecation message of ${name}@${version.slice(0, 100)} is not a string`);
    if (typeof message === 'string' && message.length > MAX_DEPRECATION_CHARS) refuse(`the deprecation message of ${name}@${version.slice(0, 100)} is longer than ${MAX_DEPRECATION_CHARS} characters`);
    messages.set(version, message === undefined || message === '' ? null : message);
  }
  return { name, messages };
}

function parsePublishBody(doc: Obj, name: NpmPackageName, limits: { readonly maxTarballBytes: number }): PublishRequest {
  const attachments = doc['_attachments'];
  if (!isObject(attachments)) refuse('the body has no tarball attachment');
  const versions = doc['versions'];
  if (!isObject(versions)) refuse('the body has no versions (changing a package without publishing a version is not supported here)');
  const listed = Object.keys(versions);
  if (listed.length !== 1) refuse(`one version per publish, not ${listed.length}`);
  const version = listed[0] as string;
  if (!isStrictSemver(version)) refuse(`${JSON.stringify(version.slice(0, 100))} is not a valid semver version`);
  const manifest = versions[version];
  if (!isObject(manifest)) refuse(`the manifest of ${version} is not an object`);
  if (manifest['name'] !== name || manifest['version'] !== version) refuse(`the manifest of ${version} names another package or version`);
  if (nestsDeeper(manifest, MAX_MANIFEST_DEPTH)) refuse(`the manifest of ${version} nests deeper than ${MAX_MANIFEST_DEPTH} levels`);
  const dist = manifest['dist'];
  if (!isObject(dist)) refuse('the manifest has no dist');

  const tagsDoc = doc['dist-tags'];
  if (!isObject(tagsDoc)) refuse('the body has no dist-tags');
  const tags: string[] = [];
  for (const [tag, v] of Object.entries(tagsDoc)) {
    checkTagName(tag);
    if (v !== version) refuse(`the dist-tag ${tag} names ${shownJson(v, 100)}, not the version published`);
    tags.push(tag);
  }

  for (const key of Object.keys(attachments)) {
    if (key.endsWith('.sigstore')) refuse('provenance attestations are not kept by this hosted repository; publish without --provenance');
  }
  const key = `${name}-${version}.tgz`;
  const attachment = attachments[key];
  if (Object.keys(attachments).length !== 1 || !isObject(attachment)) refuse(`the body must carry exactly one attachment, ${key}`);
  const data = attachment['data'];
  if (typeof data !== 'string') refuse('the tarball attachment has no data');
  if (data.length > base64Length(limits.maxTarballBytes)) throw new AirlockError('LIMIT_EXCEEDED', `publish refused: the tarball is larger than this repository's limit of ${limits.maxTarballBytes} bytes`);
  // Strict base64 (npm sends it padded, without line breaks): Buffer.from skips stray characters,
  // so the bytes must encode back to exactly the text sent.
  const tarball = Buffer.from(data, 'base64');
  if (!encodesTo(tarball, data)) refuse('the tarball attachment is not base64');
  if (tarball.length === 0) refuse('the tarball is empty');
  if (tarball.length > limits.maxTarballBytes) throw new AirlockError('LIMIT_EXCEEDED', `publish refused: the tarball is larger than this repository's limit of ${limits.maxTarballBytes} bytes`);
  if (attachment['length'] !== undefined && attachment['length'] !== tarball.length) {
    // Not String() of it: an object with a toString member throws, and a list nested deep overflows the stack.
    const said = attachment['length'];
    refuse(typeof said === 'number' ? `the attachment says ${said} bytes; it holds ${tarball.length}` : `the attachment's length is no number of bytes (JSON ${jsonKind(said)}); it holds ${tarball.length}`);
  }

  const sha512 = createHash('sha512').update(tarball).digest();
  const sha1 = createHash('sha1').update(tarball).digest('hex');
  const integrity = dist['integrity'];
  if (typeof integrity !== 'string' || !integrity.split(/\s+/).includes(`sha512-${sha512.toString('base64')}`)) {
    refuse(`the tarball of ${name}@${version} does not match its dist.integrity (sha512)`);
  }
  if (dist['shasum'] !== undefined && dist['shasum'] !== sha1) refuse(`the tarball of ${name}@${version} does not match its dist.shasum`);

  const description = typeof doc['description'] === 'string' ? doc['description'] : typeof manifest['description'] === 'string' ? manifest['description'] : null;
  const readme = typeof doc['readme'] === 'string' ? doc['readme'] : typeof manifest['readme'] === 'string' ? manifest['readme'] : null;
  return { name, version, manifest, tags: tags.length === 0 ? ['latest'] : tags, tarball, sha512: sha512.toString('hex'), sha1, description, readme };
}
