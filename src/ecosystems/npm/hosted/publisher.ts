/**
 * Writes to a hosted repository: `npm publish` of a new version, `npm deprecate` of published
 * ones, `npm dist-tag add|rm` and `npm unpublish`. A version, once published, never changes but
 * for its deprecation message: publishing it again is refused, as the public registry refuses it,
 * and so is publishing a version number that was unpublished (a lockfile's integrity names the
 * first bytes; other bytes under the same number are what an attacker would publish). An
 * unpublished package keeps its row with no versions: its name stays claimed, so a public
 * package of that name does not take its place. Each write is a compare-and-swap on the package's revision (gateways
 * sharing a store cannot lose each other's versions), recorded in the audit trail in the same
 * transaction. The tarball is stored before the packument names it, so a packument never names a
 * file that is not there.
 *
 * Publishing decides nothing about the package: it is judged, like any other, by the gate when
 * clients ask for it (the policy knows it came from a hosted repository: `repo_kind`).
 */
import semver from 'semver';
import { AirlockError, cutShort, digestHex, makePurl, sha256Of, type NpmPackageName } from '../../../core/index.ts';
import { storeStream, type AuditEventInput, type BlobStore, type HostedFile, type HostedPackage, type Json } from '../../../storage/ports/index.ts';
import { inspectTarball } from '../tarball-inspect.ts';
import { tarballFilename, tarballPath } from '../urls.ts';
import { hostedBase, hostedRev, isUnpublished } from './origin.ts';
import { writeHosted, type HostedWriterDeps, type Publisher } from '../../shared/hosted-write.ts';

export type { Publisher } from '../../shared/hosted-write.ts';
import { base64Length, checkTagName, parsePutBody, parseUnpublishBody, type DeprecateRequest, type PublishRequest } from './publish-body.ts';

/** The shared writer's (its `changed` told of a package's packument), and the blob store tarballs go to. */
export interface HostedPublisherDeps extends Omit<HostedWriterDeps, 'ecosystem'> {
  readonly blobs: BlobStore;
}

export interface HostedLimits {
  readonly maxTarballBytes: number;
  /** Largest packument the repository keeps (all its versions' manifests together). */
  readonly maxDocumentBytes: number;
}

type Packument = { [k: string]: Json };

function objectAt(doc: Packument, key: string): { [k: string]: Json } {
  const v = doc[key];
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as { [k: string]: Json };
  const fresh: { [k: string]: Json } = {};
  doc[key] = fresh;
  return fresh;
}

export class HostedPublisher {
  readonly #deps: HostedPublisherDeps;
  readonly #limits: HostedLimits;

  constructor(deps: HostedPublisherDeps, limits: HostedLimits) {
    this.#deps = deps;
    this.#limits = limits;
  }

  /** The request body a publish may have (base64 tarball, manifest, readme). */
  get maxBodyBytes(): number {
    return base64Length(this.#limits.maxTarballBytes) + Math.min(this.#limits.maxDocumentBytes, 16 * 1024 * 1024);
  }

  /**
   * `PUT /<name>`: `npm publish` of a new version, or `npm deprecate` (the packument sent back
   * without a tarball). The revision written, or the current one when nothing changed.
   */
  async put(name: NpmPackageName, body: Buffer, who: Publisher): Promise<{ readonly kind: 'publish' | 'deprecate'; readonly rev: number }> {
    const req = parsePutBody(body, name, { maxTarballBytes: this.#limits.maxTarballBytes });
    if (req.kind === 'deprecate') return { kind: 'deprecate', rev: (await this.#deprecate(req.deprecate, who)).rev };
    return { kind: 'publish', rev: (await this.#publish(req.publish, who)).rev };
  }

  async #publish(req: PublishRequest, who: Publisher): Promise<{ readonly rev: number }> {
    const name = req.name;
    const inspection = await inspectTarball(req.tarball);
    if (inspection.manifestError !== null) {
      // A tarball that cannot be read has no package.json to speak of: say what is wrong with it.
      const why = inspection.error === null ? inspection.manifestError : `the tarball cannot be read: ${inspection.error}`;
      throw new AirlockError('BAD_REQUEST', `publish refused: ${why}`);
    }
    if (inspection.manifestName !== name || inspection.manifestVersion !== req.version) {
      throw new AirlockError('BAD_REQUEST', `publish refused: the tarball's package.json names ${shown(inspection.manifestName, 214)}@${shown(inspection.manifestVersion, 64)}, not ${name}@${req.version}`);
    }
    const file = await this.#store(req.tarball);
    const filename = tarballFilename(name, req.version);
    const purl = makePurl('npm', name, req.version);
    return this.#write(name, (pkg, now) => {
      const doc = pkg === null ? newPackument(name, now) : (JSON.parse(pkg.document) as Packument);
      const versions = objectAt(doc, 'versions');
      if (Object.hasOwn(versions, req.version)) throw new AirlockError('FORBIDDEN', `You cannot publish over the previously published versions: ${req.version} of ${name} is already in ${this.#deps.repo}`);
      const time = objectAt(doc, 'time');
      if (Object.hasOwn(time, req.version)) {
        throw new AirlockError('FORBIDDEN', `You cannot publish over the previously published versions: ${req.version} of ${name} was published to ${this.#deps.repo} and unpublished, and a version number is never used twice`);
      }
      versions[req.version] = this.#manifest(req, who);
      delete time['unpublished'];
      time[req.version] = now;
      time['modified'] = now;
      const tags = objectAt(doc, 'dist-tags');
      for (const tag of req.tags) tags[tag] = req.version;
      if (req.description !== null) doc['description'] = req.description;
      if (req.readme !== null) doc['readme'] = req.readme;
      return {
        doc,
        files: { ...(pkg?.files ?? {}), [filename]: file },
        audit: { action: 'package.publish', subject: purl, details: { repo: this.#deps.repo, version: req.version, tags: [...req.tags], sha512: req.sha512, size: file.size } },
      };
    }, who);
  }

  /**
   * Deprecation messages of published versions, as `npm deprecate` sends them (every version the
   * client listed, each with the message it should have). Versions the client did not list are
   * left as they are (a view can hide some); a listed version not published here is refused.
   */
  async #deprecate(req: DeprecateRequest, who: Publisher): Promise<{ readonly rev: number }> {
    const name = req.name;
    return this.#write(name, (pkg, now) => {
      const doc = this.#existing(name, pkg);
      const versions = objectAt(doc, 'versions');
      const deprecated: { [version: string]: string } = {};
      const undeprecated: string[] = [];
      for (const [version, message] of req.messages) {
        if (!Object.hasOwn(versions, version)) {
          throw new AirlockError('BAD_REQUEST', `${name}@${version.slice(0, 100)} has not been published to ${this.#deps.repo}: versions are added by npm publish, with their tarball`);
        }
        const manifest = versions[version] as { [k: string]: Json };
        const current = typeof manifest['deprecated'] === 'string' && manifest['deprecated'] !== '' ? manifest['deprecated'] : null;
        if (current === message) continue;
        if (message === null) {
          delete manifest['deprecated'];
          undeprecated.push(version);
        } else {
          manifest['deprecated'] = message;
          deprecated[version] = message;
        }
      }
      if (Object.keys(deprecated).length === 0 && undeprecated.length === 0) return null;
      objectAt(doc, 'time')['modified'] = now;
      return { doc, files: pkg?.files ?? {}, audit: { action: 'package.deprecate', subject: makePurl('npm', name), details: { repo: this.#deps.repo, deprecated, undeprecated } } };
    }, who);
  }

  /** `npm dist-tag add name@version tag`. */
  async setTag(name: NpmPackageName, tag: string, body: Buffer, who: Publisher): Promise<void> {
    checkTagName(tag);
    let version: unknown;
    try {
      version = JSON.parse(body.toString('utf8'));
    } catch {
      throw new AirlockError('BAD_REQUEST', 'the dist-tag body must be the version as a JSON string');
    }
    if (typeof version !== 'string') throw new AirlockError('BAD_REQUEST', 'the dist-tag body must be the version as a JSON string');
    await this.#write(name, (pkg, now) => {
      const doc = this.#existing(name, pkg);
      if (!Object.hasOwn(objectAt(doc, 'versions'), version)) throw new AirlockError('NOT_FOUND', `${name}@${version.slice(0, 100)} has not been published to ${this.#deps.repo}`);
      objectAt(doc, 'dist-tags')[tag] = version;
      objectAt(doc, 'time')['modified'] = now;
      return { doc, files: pkg?.files ?? {}, audit: { action: 'package.dist-tag', subject: makePurl('npm', name, version), details: { repo: this.#deps.repo, tag, version } } };
    }, who);
  }

  /** `npm dist-tag rm name tag`; `latest` stays (npm needs it to resolve the package). */
  async removeTag(name: NpmPackageName, tag: string, who: Publisher): Promise<void> {
    if (tag === 'latest') throw new AirlockError('BAD_REQUEST', 'the latest dist-tag cannot be removed; point it at another version instead');
    await this.#write(name, (pkg, now) => {
      const doc = this.#existing(name, pkg);
      const tags = objectAt(doc, 'dist-tags');
      if (!Object.hasOwn(tags, tag)) throw new AirlockError('NOT_FOUND', `${name} has no dist-tag ${tag}`);
      const version = tags[tag];
      delete tags[tag];
      objectAt(doc, 'time')['modified'] = now;
      return { doc, files: pkg?.files ?? {}, audit: { action: 'package.dist-tag-remove', subject: makePurl('npm', name, String(version)), details: { repo: this.#deps.repo, tag } } };
    }, who);
  }

  /**
   * `GET /<name>?write=true`: the packument as stored, with its `_rev` and its tarballs under
   * `base`. npm deprecate and npm unpublish send it back changed; nothing in it is judged, so
   * only those who may write are given it.
   */
  async writable(name: NpmPackageName, base: string): Promise<Buffer> {
    const pkg = await this.#deps.store.getHostedPackage(this.#deps.repo, name);
    const doc = this.#existing(name, pkg);
    const versions = objectAt(doc, 'versions');
    for (const version of Object.keys(versions)) objectAt(objectAt(versions, version), 'dist')['tarball'] = new URL(tarballPath(name, version), base).href;
    doc['_rev'] = hostedRev(pkg as HostedPackage);
    return Buffer.from(JSON.stringify(doc), 'utf8');
  }

  /**
   * `PUT /<name>/-rev/<rev>` from `npm unpublish name@version`: the packument read with
   * `?write=true`, sent back without the version. Exactly one published version may be left out;
   * the client's other changes (its recomputed dist-tags) are not taken. The version's file goes
   * with it. Returns the version removed.
   */
  async unpublishVersion(name: NpmPackageName, rev: string, body: Buffer, who: Publisher): Promise<string> {
    const listed = parseUnpublishBody(body, name);
    let removed = '';
    await this.#write(name, (pkg, now) => {
      const doc = this.#revision(name, pkg, rev);
      const gone = Object.keys(objectAt(doc, 'versions')).filter((v) => !listed.has(v));
      if (gone.length === 0) {
        throw new AirlockError('BAD_REQUEST', `unpublish refused: the packument sent lists every published version of ${name}; a PUT to /-rev/ is taken only from npm unpublish, which leaves out the version it removes`);
      }
      if (gone.length > 1) {
        throw new AirlockError('BAD_REQUEST', `unpublish refused: the packument sent leaves out ${gone.length} published versions of ${name} (${gone.slice(0, 5).join(', ')}); npm unpublish removes one version at a time`);
      }
      removed = gone[0] as string;
      return this.#without(name, pkg as HostedPackage, doc, gone, now);
    }, who);
    return removed;
  }

  /** `DELETE /<name>/-rev/<rev>` (`npm unpublish name --force`, or of its last version): every version, and every file. */
  async unpublishPackage(name: NpmPackageName, rev: string, who: Publisher): Promise<readonly string[]> {
    let removed: readonly string[] = [];
    await this.#write(name, (pkg, now) => {
      const doc = this.#revision(name, pkg, rev);
      removed = Object.keys(objectAt(doc, 'versions'));
      return this.#without(name, pkg as HostedPackage, doc, removed, now);
    }, who);
    return removed;
  }

  /**
   * `DELETE /<name>/-/<file>/-rev/<rev>`, npm unpublish's last step: the file went with its
   * version, so there is nothing left to do but to say so. A file whose version is still
   * published is refused: versions are unpublished whole.
   */
  async unpublishFile(name: NpmPackageName, filename: string): Promise<void> {
    const pkg = await this.#deps.store.getHostedPackage(this.#deps.repo, name);
    if (pkg === null) throw new AirlockError('NOT_FOUND', `${name} has not been published to ${this.#deps.repo}`);
    if (!Object.hasOwn(pkg.files, filename)) return;
    const doc = JSON.parse(pkg.document) as Packument;
    const version = Object.keys(objectAt(doc, 'versions')).find((v) => tarballFilename(name, v) === filename);
    throw new AirlockError('CONFLICT', `${filename} belongs to ${name}@${version ?? '?'}, which is published: unpublish the version (npm unpublish ${name}@${version ?? '<version>'}), and its file goes with it`);
  }

  /**
   * The package without `gone`: their manifests, files and the tags naming them. `latest` moves to
   * the highest remaining release (a prerelease only when nothing else is left); with no version
   * left, the package is marked unpublished. Their times stay, so their numbers are never reused.
   */
  #without(name: NpmPackageName, pkg: HostedPackage, doc: Packument, gone: readonly string[], now: string): { doc: Packument; files: Readonly<Record<string, HostedFile>>; audit: Omit<AuditEventInput, 'at' | 'actor'> } {
    const versions = objectAt(doc, 'versions');
    const files = { ...pkg.files };
    const removedFiles: { [filename: string]: string } = {};
    for (const v of gone) {
      delete versions[v];
      const filename = tarballFilename(name, v);
      const file = files[filename];
      if (file !== undefined) removedFiles[filename] = file.blob;
      delete files[filename];
    }
    const left = Object.keys(versions);
    const tags = objectAt(doc, 'dist-tags');
    const latestGone = typeof tags['latest'] === 'string' && gone.includes(tags['latest']);
    for (const [tag, v] of Object.entries(tags)) if (typeof v !== 'string' || !Object.hasOwn(versions, v)) delete tags[tag];
    if (latestGone && left.length > 0) tags['latest'] = highestRelease(left);
    const time = objectAt(doc, 'time');
    time['modified'] = now;
    if (left.length === 0) time['unpublished'] = { time: now, versions: [...gone] };
    const purl = gone.length === 1 && left.length > 0 ? makePurl('npm', name, gone[0] as string) : makePurl('npm', name);
    return { doc, files, audit: { action: 'package.unpublish', subject: purl, details: { repo: this.#deps.repo, versions: [...gone], files: removedFiles, whole: left.length === 0 } } };
  }

  /** The stored packument, if `rev` is still its revision (CouchDB's rule: a write names what it read). */
  #revision(name: NpmPackageName, pkg: HostedPackage | null, rev: string): Packument {
    const doc = this.#existing(name, pkg);
    const current = hostedRev(pkg as HostedPackage);
    if (current !== rev) throw new AirlockError('CONFLICT', `${name} has changed since it was read (revision ${rev}, now ${current}); read it again`);
    return doc;
  }

  #existing(name: NpmPackageName, pkg: HostedPackage | null): Packument {
    if (pkg === null) throw new AirlockError('NOT_FOUND', `${name} has not been published to ${this.#deps.repo}`);
    if (isUnpublished(pkg)) throw new AirlockError('NOT_FOUND', `${name} was unpublished from ${this.#deps.repo} on ${pkg.updatedAt.toISOString()}`);
    return JSON.parse(pkg.document) as Packument;
  }

  /** The version's manifest as the packument keeps it: the file under this repository's base, the publisher as Airlock knows it. */
  #manifest(req: PublishRequest, who: Publisher): Json {
    const { dist, _npmUser: _claimed, ...rest } = req.manifest as { [k: string]: Json };
    // Signatures and attestations are the registry's to add; the client's claims are not kept.
    const { tarball: _tarball, signatures: _signatures, attestations: _attestations, ...digests } = dist as { [k: string]: Json };
    return {
      ...rest,
      _npmUser: { name: who.name },
      dist: { ...digests, tarball: new URL(tarballPath(req.name, req.version), hostedBase(this.#deps.repo)).href },
    };
  }

  /** The tarball in the blob store (content-addressed: publishing the same bytes again stores nothing new). */
  async #store(tarball: Buffer): Promise<HostedFile> {
    const blob = sha256Of(tarball);
    await storeStream(this.#deps.blobs, [tarball], { maxBytes: tarball.length, digests: 'address', expect: { size: tarball.length, sha256: digestHex(blob) } });
    return { blob, size: tarball.length };
  }

  /** The shared compare-and-swap write (`writeHosted`), with the packument as its document. */
  #write(
    name: NpmPackageName,
    change: (pkg: HostedPackage | null, now: string) => { doc: Packument; files: Readonly<Record<string, HostedFile>>; audit: Omit<AuditEventInput, 'at' | 'actor'> } | null,
    who: Publisher,
  ): Promise<{ readonly rev: number }> {
    const deps = { ...this.#deps, ecosystem: 'npm' as const };
    return writeHosted(deps, name, { maxDocumentBytes: this.#limits.maxDocumentBytes, what: 'the packument' }, (pkg, now) => {
      const changed = change(pkg, now);
      return changed === null ? null : { document: JSON.stringify(changed.doc), files: changed.files, audit: changed.audit };
    }, who);
  }
}

/** A name or version a tarball's package.json gives, in a message: the publisher may give any string, of up to a megabyte. */
function shown(s: string | null, max: number): string {
  return s === null ? '?' : cutShort(s, max);
}

/** The highest of `versions`, preferring releases to prereleases. */
function highestRelease(versions: readonly string[]): string {
  const sorted = [...versions].sort(semver.compareLoose);
  return sorted.filter((v) => semver.prerelease(v) === null).pop() ?? (sorted.pop() as string);
}

function newPackument(name: NpmPackageName, now: string): Packument {
  return { _id: name, name, 'dist-tags': {}, versions: {}, time: { created: now, modified: now } };
}
