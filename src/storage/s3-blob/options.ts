import { AirlockError } from '../../core/index.ts';
import { checkCredentials, fixedCredentials, type S3CredentialSource } from './credentials.ts';
import type { SigV4Credentials } from './sigv4.ts';

const MiB = 1024 * 1024;
/** S3's smallest part (all but the last part of a multipart upload). */
export const MIN_PART_SIZE = 5 * MiB;
/** S3's largest part, and its largest single PUT. */
export const MAX_PART_SIZE = 5 * 1024 * MiB;
/** S3's most parts in one multipart upload. */
export const MAX_PARTS = 10_000;

/** What says which bucket and how to reach it: everything but the local staging folder. */
export interface S3Settings {
  /** The service URL alone: `http(s)://host[:port]`. */
  readonly endpoint: string;
  readonly bucket: string;
  /** Default `us-east-1`. */
  readonly region?: string;
  /** Key prefix for everything the store writes (default none); made to end in `/`. */
  readonly prefix?: string;
  /** Fixed keys, or a source of temporary credentials (`credential-sources.ts`). */
  readonly credentials: SigV4Credentials | S3CredentialSource;
  /** `path` (default): `endpoint/bucket/key`, what MinIO and most compatible stores expect; `virtual`: `bucket.host/key`. */
  readonly addressing?: 'path' | 'virtual';
  /** Blobs larger than this go up in parts of this size (default 16 MiB; at least 5 MiB, S3's minimum). */
  readonly partSize?: number;
  /** PEM certificates trusted for an https endpoint next to the built-in authorities. */
  readonly ca?: string;
  /** Longest wait to connect, for the response headers, or between body bytes (default 30 s). */
  readonly timeoutMs?: number;
  /** Connections to the endpoint at most (default 32). */
  readonly maxSockets?: number;
  /** Keys per listing page, 1–1000 (default 1000, S3's most). */
  readonly listPageSize?: number;
  /** Further attempts of an idempotent request that failed in passing (default 3). */
  readonly retries?: number;
  /** Back-off before the first retry at most this long, doubling for each next one up to 5 s (default 200 ms). */
  readonly retryBaseDelayMs?: number;
  /** Staging folders of other hosts are removed when untouched this long (default 24 h). */
  readonly foreignStagingStaleMs?: number;
}

export interface S3BlobStoreOptions extends S3Settings {
  /** Local folder for uploads in progress (`<dataDir>/blobs/staging`); cleaned at start-up like the filesystem store's. */
  readonly stagingDir: string;
}

export interface ResolvedS3Options {
  /** `http(s)://host[:port]`, no trailing slash. */
  readonly endpoint: string;
  readonly secure: boolean;
  readonly hostname: string;
  readonly port: number;
  /** `host[:port]` as the Host header carries it. */
  readonly host: string;
  readonly bucket: string;
  readonly region: string;
  readonly prefix: string;
  readonly credentials: S3CredentialSource;
  readonly addressing: 'path' | 'virtual';
  readonly partSize: number;
  readonly ca: string | null;
  readonly timeoutMs: number;
  readonly maxSockets: number;
  readonly listPageSize: number;
  readonly retries: number;
  readonly retryBaseDelayMs: number;
  readonly foreignStagingStaleMs: number;
}

/** A setting the store refuses; `details.option` names it (the configuration maps it to its path). */
function invalid(option: string, message: string): never {
  throw new AirlockError('CONFIG_INVALID', `S3 blob store: ${message}`, { details: { option } });
}

function whole(value: number | undefined, fallback: number, min: number, max: number, name: string): number {
  const n = value ?? fallback;
  if (!Number.isSafeInteger(n) || n < min || n > max) invalid(name, `${name} must be a whole number from ${min} to ${max}, got ${n}`);
  return n;
}

/** A bucket name S3 accepts in both addressing styles: 3–63 of a-z 0-9 . -, starting and ending with a letter or digit, not an IP address. */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** Prefix characters: the ones S3's object key guidelines call safe. */
const PREFIX = /^[A-Za-z0-9!_.*'()/-]*$/;

export function normalisePrefix(prefix: string): string {
  if (prefix === '') return '';
  if (!PREFIX.test(prefix) || prefix.startsWith('/')) invalid('prefix', `prefix must be letters, digits, and ! _ . * ' ( ) - / (not starting with /), got "${prefix}"`);
  const withSlash = prefix.endsWith('/') ? prefix : `${prefix}/`;
  const segments = withSlash.slice(0, -1).split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) invalid('prefix', `prefix must not have empty, . or .. segments, got "${prefix}"`);
  if (Buffer.byteLength(withSlash) > 512) invalid('prefix', 'prefix must be at most 512 bytes');
  return withSlash;
}

/**
 * Every setting checked and given its default: the one set of rules for the store's settings,
 * which the configuration applies too (naming its own paths through `details.option`).
 */
export function resolveS3Settings(options: S3Settings): ResolvedS3Options {
  let url: URL;
  try {
    url = new URL(options.endpoint);
  } catch {
    invalid('endpoint', `endpoint is not a URL: ${JSON.stringify(options.endpoint)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') invalid('endpoint', `endpoint must be an http:// or https:// URL, got ${url.protocol}`);
  if (url.username !== '' || url.password !== '') invalid('endpoint', 'endpoint must not contain credentials (they are settings of their own)');
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '') invalid('endpoint', `endpoint must be the service URL alone (no path or query; the bucket is a setting of its own), got ${url.origin}${url.pathname}`);
  const addressing = options.addressing ?? 'path';
  if (addressing !== 'path' && addressing !== 'virtual') invalid('addressing', `addressing must be "path" or "virtual", got ${JSON.stringify(addressing)}`);
  if (!BUCKET.test(options.bucket) || /^\d+\.\d+\.\d+\.\d+$/.test(options.bucket) || options.bucket.includes('..')) {
    invalid('bucket', `bucket names are 3 to 63 lower-case letters, digits, dots and hyphens, got ${JSON.stringify(options.bucket)}`);
  }
  const region = options.region ?? 'us-east-1';
  if (!/^[a-z0-9-]{1,64}$/.test(region)) invalid('region', `region must be lower-case letters, digits and hyphens, got ${JSON.stringify(region)}`);
  const given = options.credentials;
  let credentials: S3CredentialSource;
  if ('get' in given) {
    credentials = given;
  } else {
    checkCredentials(given, invalid);
    credentials = fixedCredentials(given);
  }
  const secure = url.protocol === 'https:';
  const port = url.port === '' ? (secure ? 443 : 80) : Number(url.port);
  return Object.freeze({
    endpoint: url.origin,
    secure,
    hostname: url.hostname,
    port,
    host: url.host,
    bucket: options.bucket,
    region,
    prefix: normalisePrefix(options.prefix ?? ''),
    credentials,
    addressing,
    partSize: whole(options.partSize, 16 * MiB, MIN_PART_SIZE, MAX_PART_SIZE, 'partSize'),
    ca: options.ca ?? null,
    timeoutMs: whole(options.timeoutMs, 30_000, 1, 3_600_000, 'timeoutMs'),
    maxSockets: whole(options.maxSockets, 32, 1, 1024, 'maxSockets'),
    listPageSize: whole(options.listPageSize, 1000, 1, 1000, 'listPageSize'),
    retries: whole(options.retries, 3, 0, 10, 'retries'),
    retryBaseDelayMs: whole(options.retryBaseDelayMs, 200, 0, 60_000, 'retryBaseDelayMs'),
    foreignStagingStaleMs: whole(options.foreignStagingStaleMs, 24 * 3600 * 1000, 0, Number.MAX_SAFE_INTEGER, 'foreignStagingStaleMs'),
  });
}
