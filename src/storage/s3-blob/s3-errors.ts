/**
 * What an S3 failure says, for whoever reads the error: the operation, the bucket and key, the
 * HTTP status, and S3's own `<Code>` and `<Message>` (capped: the endpoint is not ours). Which
 * failures are worth another attempt.
 */
import { AirlockError } from '../../core/index.ts';
import { HttpTimeout } from './http.ts';
import { childText, parseXml, XmlError } from './xml.ts';

/** What names a request in messages: `S3 PUT of <key> in bucket "b"`. */
export interface S3Subject {
  /** `PUT`, `HEAD`, `UploadPart 3`, `listing` … */
  readonly operation: string;
  /** The object key, or what a bucket-level request is about (a listing's prefix), already quoted. */
  readonly what: string;
  readonly bucket: string;
}

export interface S3ErrorBody {
  readonly code: string | null;
  readonly message: string | null;
}

const MAX_MESSAGE = 300;
/** Error bodies are read up to this many bytes. */
export const ERROR_BODY_CAP = 64 * 1024;

/** Printable, one line, capped: text from the endpoint is not ours to trust. */
export function clean(text: string, max: number): string {
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max).trimEnd()}…` : flat;
}

/** S3's `<Error><Code>…</Code><Message>…</Message></Error>`, or nulls when the body is not one. */
export function parseErrorBody(body: Buffer): S3ErrorBody {
  try {
    const root = parseXml(new TextDecoder().decode(body), { maxLength: ERROR_BODY_CAP, maxDepth: 8, maxElements: 200 });
    if (root.name !== 'Error') return { code: null, message: null };
    const code = childText(root, 'Code');
    const message = childText(root, 'Message');
    return {
      code: code !== undefined && /^[A-Za-z0-9.]{1,64}$/.test(code) ? code : null,
      message: message === undefined || message.trim() === '' ? null : clean(message, MAX_MESSAGE),
    };
  } catch (err) {
    if (err instanceof XmlError) return { code: null, message: null };
    throw err;
  }
}

export function describeSubject(subject: S3Subject): string {
  return `S3 ${subject.operation} of ${subject.what} in bucket "${subject.bucket}"`;
}

/** The error for an answer that is a refusal or a failure. */
export function answerError(subject: S3Subject, status: number, body: S3ErrorBody, attempts: number): AirlockError {
  const code = body.code === null ? '' : ` ${body.code}`;
  const message = body.message === null ? '' : `: ${body.message}`;
  const tries = attempts > 1 ? ` (after ${attempts} attempts)` : '';
  return new AirlockError('STORAGE_ERROR', `${describeSubject(subject)} answered ${status}${code}${message}${tries}`, {
    details: { status, ...(body.code === null ? {} : { s3Code: body.code }) },
  });
}

/**
 * The error for a request that got no answer, or whose answer broke off (`midBody`): the
 * endpoint is named (it is what to check).
 */
export function networkError(subject: S3Subject, endpoint: string, err: unknown, attempts: number, midBody = false): AirlockError {
  const tries = attempts > 1 ? ` (after ${attempts} attempts)` : '';
  const what =
    err instanceof HttpTimeout
      ? `${err.message} from ${endpoint}`
      : midBody
        ? `the answer from ${endpoint} broke off: ${reason(err)}`
        : `cannot reach ${endpoint}: ${reason(err)}`;
  return new AirlockError('STORAGE_ERROR', `${describeSubject(subject)} failed: ${what}${tries}`, { cause: err });
}

function reason(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[A-Z0-9_]+$/.test(code)) return code;
  return clean(err instanceof Error ? err.message : String(err), 200);
}

/** Server-side conditions that pass: S3 asks clients to retry these. */
const RETRYABLE_CODES = new Set(['SlowDown', 'InternalError', 'ServiceUnavailable', 'RequestTimeout', 'RequestTimeoutException', 'ThrottlingException']);

export function isRetryableAnswer(status: number, body: S3ErrorBody): boolean {
  return status === 500 || status === 502 || status === 503 || status === 504 || (body.code !== null && RETRYABLE_CODES.has(body.code));
}

/** Connection-level failures worth another attempt (a kept-alive connection the server closed meanwhile among them). */
const RETRYABLE_ERRNOS = new Set(['ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'ETIMEDOUT', 'ECONNABORTED', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

export function isRetryableFailure(err: unknown): boolean {
  if (err instanceof HttpTimeout) return true;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRYABLE_ERRNOS.has(code);
}
