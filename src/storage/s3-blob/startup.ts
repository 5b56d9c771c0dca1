import { AirlockError, isAirlockError } from '../../core/index.ts';
import type { ResolvedS3Options } from './options.ts';

/** What an S3 error code at start-up most likely means, in words an operator can act on. */
const HINTS: Readonly<Record<string, (o: ResolvedS3Options) => string>> = {
  NoSuchBucket: () => 'the bucket does not exist',
  InvalidAccessKeyId: () => 'the endpoint does not know the access key id',
  SignatureDoesNotMatch: () => 'the secret access key does not match the access key id',
  AccessDenied: () => 'the credentials may not list the bucket (the store needs to list, read, write and delete objects in it)',
  AllAccessDisabled: () => 'all access to the bucket is disabled',
  AuthorizationHeaderMalformed: (o) => `the bucket is not in region ${o.region}, or the endpoint wants another region`,
  PermanentRedirect: (o) => `the bucket is not in region ${o.region} or not at this endpoint`,
  RequestTimeTooSkewed: () => "this machine's clock differs from the endpoint's by more than S3 allows",
  ExpiredToken: () => 'the session token has expired',
  InvalidToken: () => 'the session token is not valid',
};

/** Start-up's check failed: which bucket where, what that most likely means, and what S3 said. */
export function startupError(o: ResolvedS3Options, err: unknown): AirlockError {
  const where = `S3 blob store: cannot use bucket "${o.bucket}" at ${o.endpoint}`;
  if (!isAirlockError(err)) return new AirlockError('STORAGE_ERROR', `${where}: ${String(err)}`, { cause: err });
  const code = err.details['s3Code'];
  const hint = typeof code === 'string' && Object.hasOwn(HINTS, code) ? (HINTS[code] as (o: ResolvedS3Options) => string)(o) : null;
  return new AirlockError('STORAGE_ERROR', `${where}${hint === null ? '' : `: ${hint}`} (${err.message})`, { cause: err, details: err.details });
}
