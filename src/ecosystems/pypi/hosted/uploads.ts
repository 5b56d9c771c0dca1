/**
 * Uploads to a pypi hosted repository: the legacy upload API twine, uv publish, flit and hatch
 * speak (pypi.md §8) — one `multipart/form-data` POST per file, `:action=file_upload`, the file in
 * `content`, its digests and core metadata in fields.
 *
 * The file streams into blob-store staging while it is hashed (sha256, md5, BLAKE2b-256): it is
 * committed only once the form is whole and every digest the client gave matches the bytes, its
 * name is a wheel or sdist of the named project and version, and the file name is new — or the
 * same bytes again (PyPI's rule: an identical upload is accepted, other bytes under a published
 * file name are refused with 400 "File already exists", which `twine --skip-existing` reads as
 * "already there"). The project's page (PEP 691 JSON) is then written with a compare-and-swap on
 * its revision, with the audit event, and names the file only after its bytes are stored: nothing
 * partial is ever listed. A wheel's METADATA is read from the stored bytes first (it must name the
 * form's project and version, as PyPI requires) and kept beside it for PEP 658 (`wheel-metadata.ts`).
 *
 * An upload decides nothing about the file: it is judged, like any proxied file, when pip asks for
 * it (the policy knows it came from a hosted repository: `repo_kind`).
 */
import { createHash } from 'node:crypto';
import { AirlockError, Blake2b, comparePep440, makePurl, normalizePypiName, parsePep440, type Pep440, type PypiProjectName } from '../../../core/index.ts';
import type { BlobStore, HostedFile } from '../../../storage/ports/index.ts';
import { writeHosted, type HostedWriterDeps, type Publisher } from '../../shared/hosted-write.ts';
import { boundaryOf, readMultipart, type MultipartLimits } from '../../shared/multipart.ts';
import { parseDistFilename, type DistKind } from '../filenames.ts';
import { hostedFileUrl } from './origin.ts';
import { pageWith, readPage, removedEntry, type Page, type PageFile } from './page.ts';
import { storeWheelMetadata, type WheelMetadata } from './wheel-metadata.ts';

/** The shared writer's, and the blob store files go to. */
export interface UploadDeps extends Omit<HostedWriterDeps, 'ecosystem'> {
  readonly blobs: BlobStore;
}

export interface UploadLimits {
  readonly maxFileBytes: number;
  /** Largest project page the repository keeps (every file's entry together). */
  readonly maxDocumentBytes: number;
}

export interface UploadResult {
  readonly name: PypiProjectName;
  readonly version: string;
  readonly filename: string;
  /** False for an identical re-upload, which changes nothing. */
  readonly created: boolean;
}

/** Fields of the form: twine sends the whole core metadata (a long description among it). */
const FIELD_LIMITS = { maxParts: 512, maxHeaderBytes: 8 * 1024, maxFieldBytes: 4 * 1024 * 1024, maxFieldsBytes: 8 * 1024 * 1024 } as const;
/** What the page keeps of `requires_python`. */
const MAX_REQUIRES_PYTHON = 1024;
// What PyPI accepts: wheels, and sdists as .tar.gz (PEP 625) or the legacy .zip.
const UPLOAD_SUFFIXES = ['.whl', '.tar.gz', '.zip'] as const;
const FILENAME_RE = /^[A-Za-z0-9][A-Za-z0-9._+!-]*$/;
const HEX_RE = /^[0-9a-f]+$/;

const FILETYPE: Readonly<Record<DistKind, string>> = { wheel: 'bdist_wheel', sdist: 'sdist' };

function refuse(message: string): never {
  throw new AirlockError('BAD_REQUEST', message);
}

function single(fields: ReadonlyMap<string, readonly string[]>, key: string): string | null {
  const values = fields.get(key);
  if (values === undefined) return null;
  if (values.length !== 1) refuse(`the upload form gives ${key} ${values.length} times`);
  return values[0] as string;
}

function hexDigest(fields: ReadonlyMap<string, readonly string[]>, key: string, length: number): string | null {
  const raw = single(fields, key);
  if (raw === null || raw === '') return null;
  const value = raw.trim().toLowerCase();
  if (value.length !== length || !HEX_RE.test(value)) refuse(`${key} is not ${length} hex digits`);
  return value;
}

export class PypiUploads {
  readonly #deps: UploadDeps;
  readonly #limits: UploadLimits;

  constructor(deps: UploadDeps, limits: UploadLimits) {
    this.#deps = deps;
    this.#limits = limits;
  }

  /**
   * One upload, read from the request body as it arrives. `authorize` is asked about the project
   * before anything is stored (a token scoped to other packages is refused).
   */
  async upload(body: AsyncIterable<Uint8Array>, contentType: string | undefined, who: Publisher, authorize: (name: PypiProjectName) => void): Promise<UploadResult> {
    const boundary = boundaryOf(contentType);
    const limits: MultipartLimits = { ...FIELD_LIMITS, maxFileBytes: this.#limits.maxFileBytes };
    const upload = await this.#deps.blobs.begin({ maxBytes: this.#limits.maxFileBytes, digests: 'address' });
    try {
      const md5 = createHash('md5');
      const blake2 = new Blake2b(32);
      const form = await readMultipart(body, boundary, limits, (part) => {
        if (part.field !== 'content') refuse(`the upload form has a file in ${JSON.stringify(part.field.slice(0, 60))}; only the distribution (content) is taken${part.field === 'gpg_signature' ? ' (signatures are not kept: upload without --sign)' : ''}`);
        return {
          async write(chunk) {
            md5.update(chunk);
            blake2.update(chunk);
            await upload.write(chunk);
          },
        };
      });
      const fields = form.fields;
      const action = single(fields, ':action');
      if (action !== 'file_upload') refuse(`the upload form's :action is ${JSON.stringify(action?.slice(0, 40) ?? null)}; this repository takes file_upload only`);
      const protocol = single(fields, 'protocol_version');
      if (protocol !== null && protocol !== '1') refuse(`protocol_version ${JSON.stringify(protocol.slice(0, 20))} is not supported (1 is)`);
      if (fields.has('attestations')) refuse('attestations are not kept by this hosted repository yet; upload without --attestations');
      const file = form.files[0];
      if (file === undefined) refuse('the upload form has no file (content)');
      if (form.files.length > 1) refuse('the upload form has more than one file');
      const rawName = single(fields, 'name');
      const rawVersion = single(fields, 'version');
      if (rawName === null || rawVersion === null) refuse('the upload form needs name and version');
      const name = normalizePypiName(rawName);
      authorize(name);
      const version = parsePep440(rawVersion);
      if (version === null) refuse(`${JSON.stringify(rawVersion.slice(0, 100))} is not a valid PEP 440 version`);

      const filename = file.filename;
      if (!FILENAME_RE.test(filename) || filename.length > 255 || !UPLOAD_SUFFIXES.some((s) => filename.endsWith(s))) {
        refuse(`${JSON.stringify(filename.slice(0, 100))} is not a wheel (.whl) or sdist (.tar.gz, .zip) file name`);
      }
      const dist = parseDistFilename(filename, name);
      if (dist === null) refuse(`${filename} is not a distribution file of ${name}: its name does not start with the project's name and a valid version`);
      if (comparePep440(parsePep440(dist.version) as Pep440, version) !== 0) refuse(`${filename} is of version ${dist.version}, not ${rawVersion}`);
      const filetype = single(fields, 'filetype');
      if (filetype !== null && filetype !== FILETYPE[dist.kind]) refuse(`${filename} is ${dist.kind === 'wheel' ? 'a wheel' : 'an sdist'}; its filetype is ${FILETYPE[dist.kind]}, not ${JSON.stringify(filetype.slice(0, 40))}`);
      if (upload.bytesWritten === 0) refuse(`${filename} is empty`);

      const sha256 = hexDigest(fields, 'sha256_digest', 64);
      if (sha256 === null) refuse('the upload form needs sha256_digest');
      const givenMd5 = hexDigest(fields, 'md5_digest', 32);
      if (givenMd5 !== null && givenMd5 !== md5.digest('hex')) refuse(`${filename}: its bytes do not match md5_digest; nothing was stored`);
      const givenBlake2 = hexDigest(fields, 'blake2_256_digest', 64);
      if (givenBlake2 !== null && givenBlake2 !== blake2.digest().toString('hex')) refuse(`${filename}: its bytes do not match blake2_256_digest; nothing was stored`);
      const requiresPython = (single(fields, 'requires_python') ?? '').trim();
      if (requiresPython.length > MAX_REQUIRES_PYTHON) refuse(`requires_python is longer than ${MAX_REQUIRES_PYTHON} characters`);

      // A file name already taken: refused before its bytes are kept (the write checks again).
      const existing = await this.#deps.store.getHostedPackage(this.#deps.repo, name);
      const have = existing === null || !Object.hasOwn(existing.files, filename) ? undefined : existing.files[filename];
      if (have !== undefined && have.blob !== `sha256:${sha256}`) throw alreadyExists(filename);
      refuseRemoved(readPage(existing, name), filename);

      let committed;
      try {
        committed = await upload.commit({ sha256, size: upload.bytesWritten });
      } catch (err) {
        if (err instanceof AirlockError && (err.code === 'DIGEST_MISMATCH' || err.code === 'SIZE_MISMATCH')) refuse(`${filename}: its bytes do not match sha256_digest; nothing was stored`);
        throw err;
      }
      const stored: HostedFile = { blob: committed.digest, size: committed.size };
      // A wheel's METADATA, read from the bytes just stored, must name the form's project and version.
      const metadata: WheelMetadata | null = dist.kind === 'wheel' ? await storeWheelMetadata(this.#deps.blobs, stored, filename, { name: rawName, version: rawVersion }) : null;
      let created = true;
      await writeHosted({ ...this.#deps, ecosystem: 'pypi' }, name, { maxDocumentBytes: this.#limits.maxDocumentBytes, what: 'the page' }, (pkg, now) => {
        const page = readPage(pkg, name);
        refuseRemoved(page, filename);
        const current = pkg?.files[filename];
        if (current !== undefined && Object.hasOwn(pkg?.files ?? {}, filename)) {
          if (current.blob !== stored.blob) throw alreadyExists(filename);
          created = false;
          return null;
        }
        const entry: PageFile = {
          filename,
          url: hostedFileUrl(this.#deps.repo, name, filename),
          hashes: { sha256 },
          ...(metadata === null ? {} : { 'core-metadata': { sha256: metadata.sha256 } }),
          ...(requiresPython === '' ? {} : { 'requires-python': requiresPython }),
          size: stored.size,
          'upload-time': now,
          yanked: false,
          '_uploaded-by': who.name,
        };
        return {
          document: JSON.stringify(pageWith(page, [...page.files, entry], [...page.versions, dist.version])),
          files: { ...(pkg?.files ?? {}), [filename]: stored, ...(metadata === null ? {} : { [`${filename}.metadata`]: metadata.file }) },
          audit: { action: 'package.publish', subject: makePurl('pypi', name, dist.version), details: { repo: this.#deps.repo, version: dist.version, filename, sha256, size: stored.size } },
        };
      }, who);
      return { name, version: dist.version, filename, created };
    } finally {
      await upload.abort();
    }
  }
}

/** PyPI's refusal, which `twine upload --skip-existing` takes for "already there" (a 400 saying "already exist"). */
function alreadyExists(filename: string): AirlockError {
  return new AirlockError('BAD_REQUEST', `File already exists: ${filename} was uploaded before with other bytes; a file name is never reused (upload a new version)`);
}

/** PyPI's rule: a file name removed from the project is never used again (its bytes may be cached anywhere). */
function refuseRemoved(page: Page, filename: string): void {
  const removed = removedEntry(page, filename);
  if (removed !== undefined) refuse(`This filename has already been used: ${filename} was uploaded and removed (${removed['removed-at']}), and a file name is never reused; upload a new version`);
}
