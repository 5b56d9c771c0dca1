/**
 * `storage.metadata` and `storage.blobs`: which drivers hold Airlock's records and bytes. The
 * defaults (SQLite and files under the data directory) need nothing else; PostgreSQL and an
 * S3-compatible object store are how several gateway nodes share one state.
 */
import { resolve } from 'node:path';
import { fail, integer, join, object, oneOf, parsedHttpUrl, size, string } from './checks.ts';
import { readCaFile } from './ca.ts';
import { secretRef } from './secret.ts';
import type { BlobStorageConfig, MetadataStorageConfig } from './types.ts';

export const METADATA_DRIVER_KEYS = ['driver', 'url', 'schema', 'maxConnections'] as const;
export const BLOB_DRIVER_KEYS = ['driver', 'endpoint', 'bucket', 'region', 'prefix', 'addressing', 'accessKeyId', 'secretAccessKey', 'sessionToken', 'ca', 'partSize'] as const;

interface Context {
  readonly env: NodeJS.ProcessEnv;
  readonly baseDir: string;
}

const PG_SCHEMA_RE = /^[a-z_][a-z0-9_]{0,62}$/;
/** S3's bucket naming rules (lower-case letters, digits, dots and hyphens; 3-63 characters). */
const BUCKET_RE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const REGION_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** Characters S3 documents as safe in keys, and `/` between segments. */
const PREFIX_RE = /^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*\/?$/;
const MiB = 1024 ** 2;

/** `storage.metadata`: `{driver: sqlite}` (the default) or `{driver: postgres, url: SECRET, …}`. */
export function metadataDriver(v: unknown, path: string, ctx: Context): MetadataStorageConfig {
  if (v === undefined || v === null) return { driver: 'sqlite' };
  const o = object(v, path, METADATA_DRIVER_KEYS);
  const driver = oneOf(o['driver'], join(path, 'driver'), ['sqlite', 'postgres'] as const);
  if (driver === 'sqlite') {
    for (const k of ['url', 'schema', 'maxConnections']) if (o[k] !== undefined) fail(join(path, k), 'applies to the postgres driver only');
    return { driver };
  }
  if (o['url'] === undefined) fail(join(path, 'url'), 'required for the postgres driver (a secret reference: {env: NAME} or {file: PATH})');
  const url = secretRef(o['url'], join(path, 'url'), ctx);
  let parsed: URL | null = null;
  try {
    parsed = new URL(url.reveal());
  } catch {
    parsed = null;
  }
  // The value is a secret: say what is wrong without printing it.
  if (parsed === null || (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:')) {
    fail(join(path, 'url'), `the value from ${url.source} is not a postgres:// URL`);
  }
  return {
    driver,
    url,
    schema: o['schema'] === undefined ? 'airlock' : string(o['schema'], join(path, 'schema'), { pattern: PG_SCHEMA_RE, hint: 'a lower-case SQL identifier (letters, digits, _; at most 63)' }),
    maxConnections: o['maxConnections'] === undefined ? 10 : integer(o['maxConnections'], join(path, 'maxConnections'), 1, 1000),
  };
}

/** `storage.blobs`: `{driver: fs}` (the default) or `{driver: s3, endpoint, bucket, …}`. */
export function blobDriver(v: unknown, path: string, ctx: Context): BlobStorageConfig {
  if (v === undefined || v === null) return { driver: 'fs' };
  const o = object(v, path, BLOB_DRIVER_KEYS);
  const driver = oneOf(o['driver'], join(path, 'driver'), ['fs', 's3'] as const);
  if (driver === 'fs') {
    const given = BLOB_DRIVER_KEYS.filter((k) => k !== 'driver' && o[k] !== undefined);
    if (given.length > 0) fail(join(path, given[0] as string), 'applies to the s3 driver only');
    return { driver };
  }
  for (const k of ['endpoint', 'bucket'] as const) if (o[k] === undefined) fail(join(path, k), 'required for the s3 driver');
  // Credentials default to the variables every S3 tool reads.
  const credential = (key: string, fallback: string): ReturnType<typeof secretRef> =>
    secretRef(o[key] ?? { env: fallback }, o[key] === undefined ? `${join(path, key)} (default {env: ${fallback}})` : join(path, key), ctx);
  const sessionToken =
    o['sessionToken'] !== undefined
      ? secretRef(o['sessionToken'], join(path, 'sessionToken'), ctx)
      : ctx.env['AWS_SESSION_TOKEN'] !== undefined && ctx.env['AWS_SESSION_TOKEN'] !== '' && o['accessKeyId'] === undefined
        ? secretRef({ env: 'AWS_SESSION_TOKEN' }, join(path, 'sessionToken'), ctx)
        : null;
  let prefix = '';
  if (o['prefix'] !== undefined && o['prefix'] !== null && o['prefix'] !== '') {
    prefix = string(o['prefix'], join(path, 'prefix'), {
      max: 512,
      pattern: PREFIX_RE,
      hint: "letters, digits and !_.*'()- in /-separated segments, without a leading / or empty segments",
    });
    if (prefix.split('/').some((segment) => segment === '.' || segment === '..')) fail(join(path, 'prefix'), 'must not have . or .. segments');
    if (!prefix.endsWith('/')) prefix = `${prefix}/`;
  }
  const caPath = o['ca'] === undefined || o['ca'] === null ? null : resolve(ctx.baseDir, string(o['ca'], join(path, 'ca'), { max: 4096 }));
  return {
    driver,
    endpoint: endpoint(o['endpoint'], join(path, 'endpoint')),
    bucket: string(o['bucket'], join(path, 'bucket'), { pattern: BUCKET_RE, hint: "S3 bucket names are 3-63 lower-case letters, digits, '.' and '-'" }),
    region: o['region'] === undefined ? 'us-east-1' : string(o['region'], join(path, 'region'), { pattern: REGION_RE, hint: 'a region name such as eu-west-1' }),
    prefix,
    addressing: o['addressing'] === undefined ? 'path' : oneOf(o['addressing'], join(path, 'addressing'), ['path', 'virtual'] as const),
    accessKeyId: credential('accessKeyId', 'AWS_ACCESS_KEY_ID'),
    secretAccessKey: credential('secretAccessKey', 'AWS_SECRET_ACCESS_KEY'),
    sessionToken,
    ca: caPath === null ? null : { pems: readCaFile(caPath, join(path, 'ca')), source: `the blob store's ca file ${caPath}` },
    // S3 refuses parts under 5 MiB (but the last) and more than 10,000 parts.
    partSizeBytes: o['partSize'] === undefined ? 16 * MiB : size(o['partSize'], join(path, 'partSize'), 5 * MiB, 5 * 1024 * MiB),
  };
}

/** The object store's base URL: http(s), no credentials, path, query or fragment. */
function endpoint(v: unknown, path: string): string {
  const url = parsedHttpUrl(v, path, 'give accessKeyId and secretAccessKey (secret references)');
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '') fail(path, 'must be the service URL alone (scheme, host, port): the bucket is given by bucket');
  return url.origin;
}
