/**
 * The core metadata of an uploaded wheel (PEP 658/714): the exact bytes of its
 * `<name>-<version>.dist-info/METADATA`, read from the stored file by the inspection every pypi
 * file gets when pip asks for it (the same zip reader, under the same bounds and a deadline), and
 * checked against the upload form's name and version as PyPI checks them. The page then offers
 * it with its sha256, and pip resolves from it without downloading the wheel.
 *
 * Sdists are not read: their metadata is not guaranteed static (pypi.md §6), and none is offered.
 */
import { AirlockError, samePep440, type Sha256Digest } from '../../../core/index.ts';
import { DEFAULT_PYTHON_DIST_LIMITS, inspectPythonDist } from '../../../scan/index.ts';
import { storeStream, type BlobStore, type HostedFile } from '../../../storage/ports/index.ts';
import { BlobRangeSource } from '../../shared/blob-range-source.ts';
import { sameName } from '../facts.ts';

/** Time reading a wheel's METADATA may take (the zip's central directory and one member). */
const READ_DEADLINE_MS = 60_000;

export interface WheelMetadata {
  /** The METADATA blob, kept as a file of the project beside the wheel's. */
  readonly file: HostedFile;
  /** Its sha256, hex, for the page's `core-metadata`. */
  readonly sha256: string;
}

function refuse(message: string): never {
  throw new AirlockError('BAD_REQUEST', message);
}

/**
 * Reads the stored wheel's METADATA, refuses an upload whose archive cannot be read completely, whose
 * METADATA is missing or names another project or version than the form (PEP 503 names, PEP 440
 * versions), and stores it.
 */
export async function storeWheelMetadata(blobs: BlobStore, wheel: { readonly blob: Sha256Digest; readonly size: number }, filename: string, form: { readonly name: string; readonly version: string }): Promise<WheelMetadata> {
  const source = new BlobRangeSource(blobs, wheel.blob, wheel.size);
  const inspection = await inspectPythonDist(source, 'wheel', DEFAULT_PYTHON_DIST_LIMITS, AbortSignal.timeout(READ_DEADLINE_MS));
  // A wheel that cannot be read completely (corrupt, truncated, ambiguous, past a bound) is refused,
  // as PyPI refuses an invalid distribution file: METADATA from it would not be what pip installs.
  if (inspection.problem !== null) refuse(`${filename} is not a wheel Airlock can read: ${inspection.problem.slice(0, 300)}`);
  const metadata = inspection.metadata;
  if (metadata === null) refuse(`${filename} has no .dist-info/METADATA; a wheel must carry its core metadata`);
  const { name, version } = inspection.metadataFields;
  if (name === null || !sameName(name, form.name)) {
    refuse(`${filename}: its METADATA names the project ${JSON.stringify(name?.slice(0, 100) ?? null)}, the upload form ${JSON.stringify(form.name.slice(0, 100))} (compared as PEP 503 names)`);
  }
  if (version === null || !samePep440(version, form.version)) {
    refuse(`${filename}: its METADATA gives the version ${JSON.stringify(version?.slice(0, 100) ?? null)}, the upload form ${JSON.stringify(form.version.slice(0, 100))} (compared as PEP 440 versions)`);
  }
  const stored = await storeStream(blobs, [metadata], { maxBytes: metadata.length, digests: 'address', expect: { size: metadata.length } });
  return { file: { blob: stored.digest, size: stored.size }, sha256: stored.digests.sha256 };
}
