/**
 * A hosted package checked and encoded for storage, the same for every driver, and its files read
 * back strictly: the row is the only copy of a published package, so what goes in must read back
 * exactly, and what comes out is checked like any other column.
 */
import { AirlockError, isEcosystem, parseSha256Digest } from '../../core/index.ts';
import type { Ecosystem, Sha256Digest } from '../../core/index.ts';
import type { HostedFile, HostedPackage } from '../ports/index.ts';
import { decodeJson, encodeJson } from './json.ts';
import { nonNegativeInteger, requireText, toMillis } from './validate.ts';

/** Largest registry document a hosted package keeps (UTF-8 bytes). */
export const MAX_HOSTED_DOCUMENT_BYTES = 64 * 1024 * 1024;

export interface HostedRow {
  readonly repo: string;
  readonly ecosystem: Ecosystem;
  readonly name: string;
  readonly rev: number;
  readonly document: string;
  /** The files as stored: JSON text of file name → `{blob, size}`. */
  readonly files: string;
  /** Each blob the files name, once. */
  readonly blobs: readonly Sha256Digest[];
  readonly updatedAt: number;
  /** The package as it will read back (the time kept to the millisecond), for its audit event. */
  readonly stored: HostedPackage;
}

/**
 * The document is text both databases keep verbatim: no NUL (PostgreSQL text cannot hold it) and
 * no unpaired surrogate (UTF-8 cannot encode it; it would read back changed).
 */
function hostedDocument(document: string): string {
  if (typeof document !== 'string' || document.length === 0) throw new AirlockError('BAD_REQUEST', 'hosted document must be a non-empty string');
  if (Buffer.byteLength(document, 'utf8') > MAX_HOSTED_DOCUMENT_BYTES) {
    throw new AirlockError('LIMIT_EXCEEDED', `hosted document exceeds ${MAX_HOSTED_DOCUMENT_BYTES} bytes`);
  }
  if (document.includes('\u0000') || !document.isWellFormed()) {
    throw new AirlockError('BAD_REQUEST', 'hosted document must be well-formed text without NUL characters');
  }
  return document;
}

function hostedFiles(files: HostedPackage['files']): Record<string, HostedFile> {
  if (typeof files !== 'object' || files === null || Array.isArray(files)) throw new AirlockError('BAD_REQUEST', 'hosted files must be an object');
  return Object.fromEntries(
    Object.entries(files).map(([filename, file]): [string, HostedFile] => {
      if (typeof file !== 'object' || file === null) throw new AirlockError('BAD_REQUEST', 'a hosted file must be an object');
      return [
        requireText(filename, 'hosted file name', 1024),
        { blob: parseSha256Digest(String(file.blob)), size: nonNegativeInteger(file.size, 'hosted file size') },
      ];
    }),
  );
}

export function hostedRow(pkg: HostedPackage): HostedRow {
  if (!Number.isSafeInteger(pkg.rev) || pkg.rev < 1) throw new AirlockError('BAD_REQUEST', 'hosted package rev must be a positive integer');
  if (!isEcosystem(pkg.ecosystem)) throw new AirlockError('BAD_REQUEST', `unknown ecosystem ${String(pkg.ecosystem)}`);
  const files = hostedFiles(pkg.files);
  const updatedAt = toMillis(pkg.updatedAt, 'hosted package updatedAt');
  const stored: HostedPackage = {
    repo: requireText(pkg.repo, 'hosted package repo'),
    ecosystem: pkg.ecosystem,
    name: requireText(pkg.name, 'hosted package name', 512),
    rev: pkg.rev,
    document: hostedDocument(pkg.document),
    files,
    updatedAt: new Date(updatedAt),
  };
  return {
    ...stored,
    files: encodeJson(files, 'hosted files'),
    blobs: [...new Set(Object.values(files).map((f) => f.blob))],
    updatedAt,
    stored,
  };
}

function corruptFiles(cause?: unknown): AirlockError {
  return new AirlockError('STORAGE_ERROR', 'metadata store: unexpected value in column files', { cause });
}

/** The `files` column read back: an object of `{blob, size}` and nothing else. */
export function parseHostedFiles(text: string): Readonly<Record<string, HostedFile>> {
  let value: unknown;
  try {
    value = decodeJson(text);
  } catch (err) {
    throw corruptFiles(err);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw corruptFiles();
  return Object.fromEntries(
    Object.entries(value).map(([filename, file]): [string, HostedFile] => {
      if (typeof file !== 'object' || file === null || Array.isArray(file) || Object.keys(file).length !== 2) throw corruptFiles();
      const { blob, size } = file as { blob?: unknown; size?: unknown };
      if (typeof blob !== 'string' || typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw corruptFiles();
      try {
        return [filename, { blob: parseSha256Digest(blob), size }];
      } catch (err) {
        throw corruptFiles(err);
      }
    }),
  );
}

/** A hosted package from its columns as a driver read them: the ecosystem and the files checked. */
export function hostedPackageOf(columns: {
  readonly repo: string;
  readonly ecosystem: string;
  readonly name: string;
  readonly rev: number;
  readonly document: string;
  readonly files: string;
  readonly updatedAt: Date;
}): HostedPackage {
  const { ecosystem } = columns;
  if (!isEcosystem(ecosystem)) throw new AirlockError('STORAGE_ERROR', `metadata store: unknown ecosystem ${ecosystem}`);
  return { ...columns, ecosystem, files: parseHostedFiles(columns.files) };
}
