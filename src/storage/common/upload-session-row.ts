/**
 * An upload session checked and encoded for storage, the same for every driver, and read back
 * strictly: its parts are JSON text of `[{blob, size}, …]`.
 */
import { AirlockError, parseSha256Digest } from '../../core/index.ts';
import { MAX_UPLOAD_PARTS, type UploadPart, type UploadSessionRecord } from '../ports/index.ts';
import { decodeJson, encodeJson } from './json.ts';
import { nonNegativeInteger, requireText, toMillis } from './validate.ts';

export interface UploadSessionRow {
  readonly id: string;
  readonly repo: string;
  readonly name: string;
  readonly rev: number;
  /** JSON text of the parts. */
  readonly parts: string;
  readonly startedAt: number;
  readonly touchedAt: number;
}

export function uploadSessionId(id: string): string {
  return requireText(id, 'upload session id', 64);
}

export function uploadSessionRow(s: UploadSessionRecord): UploadSessionRow {
  if (!Number.isSafeInteger(s.rev) || s.rev < 1) throw new AirlockError('BAD_REQUEST', 'upload session rev must be a positive integer');
  if (!Array.isArray(s.parts)) throw new AirlockError('BAD_REQUEST', 'upload session parts must be an array');
  if (s.parts.length > MAX_UPLOAD_PARTS) throw new AirlockError('LIMIT_EXCEEDED', `an upload session has at most ${MAX_UPLOAD_PARTS} parts`);
  const parts = s.parts.map((p): UploadPart => ({ blob: parseSha256Digest(String(p.blob)), size: nonNegativeInteger(p.size, 'upload part size') }));
  return {
    id: uploadSessionId(s.id),
    repo: requireText(s.repo, 'upload session repo', 64),
    name: requireText(s.name, 'upload session name', 512),
    rev: s.rev,
    parts: encodeJson(parts, 'upload session parts'),
    startedAt: toMillis(s.startedAt, 'upload session startedAt'),
    touchedAt: toMillis(s.touchedAt, 'upload session touchedAt'),
  };
}

function corruptParts(cause?: unknown): AirlockError {
  return new AirlockError('STORAGE_ERROR', 'metadata store: unexpected value in column parts', { cause });
}

function parseParts(text: string): UploadPart[] {
  let value: unknown;
  try {
    value = decodeJson(text);
  } catch (err) {
    throw corruptParts(err);
  }
  if (!Array.isArray(value) || value.length > MAX_UPLOAD_PARTS) throw corruptParts();
  return value.map((p: unknown): UploadPart => {
    if (typeof p !== 'object' || p === null || Array.isArray(p) || Object.keys(p).length !== 2) throw corruptParts();
    const { blob, size } = p as { blob?: unknown; size?: unknown };
    if (typeof blob !== 'string' || typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw corruptParts();
    try {
      return { blob: parseSha256Digest(blob), size };
    } catch (err) {
      throw corruptParts(err);
    }
  });
}

/** A session from its columns as a driver read them, its parts checked. */
export function uploadSessionOf(columns: Omit<UploadSessionRecord, 'parts'> & { readonly parts: string }): UploadSessionRecord {
  return { ...columns, parts: parseParts(columns.parts) };
}
