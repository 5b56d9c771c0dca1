/**
 * `storage.metadata` and `storage.blobs`: which drivers hold Airlock's records and bytes. The
 * defaults (SQLite and files under the data directory) need nothing else; PostgreSQL and an
 * S3-compatible object store are how several gateway nodes share one state.
 */
import { isAirlockError } from '../../core/index.ts';
import { PG_SCHEMA_NAME } from '../../storage/postgres/schema-name.ts';
import { credentialSource, detectedSource } from '../../storage/s3-blob/index.ts';
import { MAX_PART_SIZE, MIN_PART_SIZE, resolveS3Settings, type ResolvedS3Options } from '../../storage/s3-blob/options.ts';
import { fail, filePath, integer, join, object, oneOf, size, string } from './checks.ts';
import { readCaFile } from './ca.ts';
import { secretRef, type Secret } from './secret.ts';
import type { BlobStorageConfig, MetadataStorageConfig, S3CredentialConfig } from './types.ts';

export const METADATA_DRIVER_KEYS = ['driver', 'url', 'schema', 'maxConnections'] as const;
export const BLOB_DRIVER_KEYS = ['driver', 'endpoint', 'bucket', 'region', 'prefix', 'addressing', 'credentials', 'accessKeyId', 'secretAccessKey', 'sessionToken', 'ca', 'partSize'] as const;
/** `storage.blobs.credentials`: where the signing keys come from. */
export const CREDENTIAL_SOURCES = ['auto', 'keys', 'web-identity', 'container', 'instance'] as const;

interface Context {
  readonly env: NodeJS.ProcessEnv;
  readonly baseDir: string;
}

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
    schema: o['schema'] === undefined ? 'airlock' : string(o['schema'], join(path, 'schema'), { pattern: PG_SCHEMA_NAME, hint: 'a lower-case SQL identifier (letters, digits, _; at most 63)' }),
    maxConnections: o['maxConnections'] === undefined ? 10 : integer(o['maxConnections'], join(path, 'maxConnections'), 1, 1000),
  };
}

/** `storage.blobs`: `{driver: fs}` (the default) or `{driver: s3, endpoint, bucket, …}`, checked by the S3 store's own rules. */
export function blobDriver(v: unknown, path: string, ctx: Context): BlobStorageConfig {
  if (v === undefined || v === null) return { driver: 'fs' };
  const o = object(v, path, BLOB_DRIVER_KEYS);
  const driver = oneOf(o['driver'], join(path, 'driver'), ['fs', 's3'] as const);
  if (driver === 'fs') {
    const given = BLOB_DRIVER_KEYS.filter((k) => k !== 'driver' && o[k] !== undefined);
    if (given.length > 0) fail(join(path, given[0] as string), 'applies to the s3 driver only');
    return { driver };
  }
  for (const k of ['endpoint', 'bucket'] as const) if (o[k] === undefined || o[k] === null) fail(join(path, k), 'required for the s3 driver');
  const text = (key: string): string | undefined => (o[key] === undefined || o[key] === null ? undefined : string(o[key], join(path, key)));
  const region = text('region');
  const source = s3Credentials(o, path, ctx, region ?? 'us-east-1');
  const prefix = text('prefix');
  const addressing = o['addressing'] === undefined ? undefined : oneOf(o['addressing'], join(path, 'addressing'), ['path', 'virtual'] as const);
  // S3 refuses parts under 5 MiB (but the last) and over 5 GiB.
  const partSize = o['partSize'] === undefined ? undefined : size(o['partSize'], join(path, 'partSize'), MIN_PART_SIZE, MAX_PART_SIZE);
  let settings: ResolvedS3Options;
  try {
    settings = resolveS3Settings({
      endpoint: text('endpoint') as string,
      bucket: text('bucket') as string,
      ...(region === undefined ? {} : { region }),
      ...(prefix === undefined ? {} : { prefix }),
      ...(addressing === undefined ? {} : { addressing }),
      ...(partSize === undefined ? {} : { partSize }),
      credentials:
        source.kind === 'keys'
          ? {
              accessKeyId: source.accessKeyId.reveal(),
              secretAccessKey: source.secretAccessKey.reveal(),
              ...(source.sessionToken === null ? {} : { sessionToken: source.sessionToken.reveal() }),
            }
          : source.source,
    });
  } catch (err) {
    const option = isAirlockError(err, 'CONFIG_INVALID') ? err.details['option'] : undefined;
    if (typeof option === 'string') fail(join(path, option), err instanceof Error ? err.message.replace(/^S3 blob store: /, '') : String(err));
    throw err;
  }
  const caPath = o['ca'] === undefined || o['ca'] === null ? null : filePath(o['ca'], join(path, 'ca'), ctx.baseDir);
  return {
    driver,
    endpoint: settings.endpoint,
    bucket: settings.bucket,
    region: settings.region,
    prefix: settings.prefix,
    addressing: settings.addressing,
    credentials: source,
    ca: caPath === null ? null : { pems: readCaFile(caPath, join(path, 'ca')), source: `the blob store's ca file ${caPath}` },
    partSizeBytes: settings.partSize,
  };
}

/**
 * Where the S3 keys come from. `keys`: accessKeyId and secretAccessKey (default: the variables
 * every S3 tool reads). A platform's temporary credentials: `web-identity`, `container`,
 * `instance`. `auto` (the default): keys when any are configured or AWS_ACCESS_KEY_ID is set, else
 * the web identity or container credentials the environment describes; the instance metadata
 * service only when named (asking it where there is none takes a time-out to fail).
 */
function s3Credentials(o: Readonly<Record<string, unknown>>, path: string, ctx: Context, region: string): S3CredentialConfig {
  const env = ctx.env;
  const at = join(path, 'credentials');
  const chosen = o['credentials'] === undefined ? 'auto' : oneOf(o['credentials'], at, CREDENTIAL_SOURCES);
  const keysGiven = (['accessKeyId', 'secretAccessKey', 'sessionToken'] as const).filter((k) => o[k] !== undefined);
  let kind: S3CredentialConfig['kind'];
  if (chosen === 'auto') {
    const detected = detectedSource(env);
    if (keysGiven.length > 0 || (env['AWS_ACCESS_KEY_ID'] ?? '') !== '' || detected === null) kind = 'keys';
    else kind = detected;
  } else {
    kind = chosen;
  }
  if (kind !== 'keys') {
    if (keysGiven.length > 0) fail(join(path, keysGiven[0] as string), `does not apply with credentials: ${kind} (the keys come from the platform)`);
    // Its settings (the platform's variables) are checked now; it fetches nothing before the store opens.
    try {
      return { kind, source: credentialSource(kind, { env, region }) };
    } catch (err) {
      if (isAirlockError(err, 'CONFIG_INVALID')) fail(at, err.message.replace(/^S3 blob store: /, ''));
      throw err;
    }
  }
  // Keys default to the variables every S3 tool reads.
  const credential = (key: string, fallback: string): Secret =>
    secretRef(o[key] ?? { env: fallback }, o[key] === undefined ? `${join(path, key)} (default {env: ${fallback}})` : join(path, key), ctx);
  const sessionToken =
    o['sessionToken'] !== undefined
      ? secretRef(o['sessionToken'], join(path, 'sessionToken'), ctx)
      : (env['AWS_SESSION_TOKEN'] ?? '') !== '' && o['accessKeyId'] === undefined
        ? secretRef({ env: 'AWS_SESSION_TOKEN' }, join(path, 'sessionToken'), ctx)
        : null;
  return { kind, accessKeyId: credential('accessKeyId', 'AWS_ACCESS_KEY_ID'), secretAccessKey: credential('secretAccessKey', 'AWS_SECRET_ACCESS_KEY'), sessionToken };
}
