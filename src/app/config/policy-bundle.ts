/**
 * `policy.bundle`: the policy fetched as an OPA bundle from a bundle server, as OPA's bundle
 * service does — the URL, a bearer token by reference, the polling delays, the limits a bundle is
 * held to, and the key it must be signed with (a PEM public key by reference, optionally a key id,
 * an algorithm and a scope, as OPA's `signing` and `keys` say them).
 */
import { publicJwkFromPem, isJwtError, JWT_ALGORITHMS } from '../../verify/index.ts';
import { boolean, duration, fail, filePath, integer, join, object, oneOf, optionalObject, size, string } from './checks.ts';
import { readCaFile } from './ca.ts';
import { secretRef } from './secret.ts';
import type { ValidateContext } from './schema.ts';
import type { PolicyBundleConfig, PolicyBundleSigningConfig } from './types.ts';

export const POLICY_BUNDLE_KEYS = ['url', 'credentials', 'polling', 'signing', 'maxSize', 'maxUnpackedSize', 'maxFiles', 'timeout', 'startupTimeout', 'persist', 'proxy', 'ca'] as const;
const POLLING_KEYS = ['minDelay', 'maxDelay'] as const;
const SIGNING_KEYS = ['publicKey', 'keyId', 'algorithm', 'scope'] as const;
const DAY = 86_400_000;
const MIB = 1024 * 1024;

/** The bundle's URL: http(s), with no credentials, query or fragment (a token goes in credentials). */
function bundleUrl(v: unknown, path: string): string {
  if (v === undefined) fail(path, 'is required: the bundle to fetch, e.g. https://bundles.example.com/airlock/bundle.tar.gz');
  const text = string(v, path, { max: 2048 });
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    fail(path, `not a URL: ${JSON.stringify(text.slice(0, 200))}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') fail(path, 'must be an http:// or https:// URL');
  if (url.username !== '' || url.password !== '') fail(path, 'must not contain credentials; give a token with credentials.bearer (a secret reference)');
  if (url.search !== '' || url.hash !== '') fail(path, 'must not have a query or fragment; give a token with credentials.bearer (a secret reference)');
  return url.toString();
}

function signing(v: unknown, path: string, ctx: ValidateContext): PolicyBundleSigningConfig | null {
  if (v === undefined || v === null) return null;
  const o = object(v, path, SIGNING_KEYS);
  if (o['publicKey'] === undefined) fail(join(path, 'publicKey'), 'is required: the PEM public key bundles are signed for, as {file: PATH} or {env: NAME}');
  const keyId = o['keyId'] === undefined || o['keyId'] === null ? null : string(o['keyId'], join(path, 'keyId'), { max: 256 });
  const algorithm = o['algorithm'] === undefined || o['algorithm'] === null ? null : oneOf(o['algorithm'], join(path, 'algorithm'), JWT_ALGORITHMS);
  const scope = o['scope'] === undefined || o['scope'] === null ? null : string(o['scope'], join(path, 'scope'), { max: 1024 });
  const pem = secretRef(o['publicKey'], join(path, 'publicKey'), ctx).reveal();
  try {
    publicJwkFromPem(pem, keyId, algorithm);
  } catch (err) {
    if (isJwtError(err)) fail(join(path, 'publicKey'), err.message);
    throw err;
  }
  return { publicKeyPem: pem, keyId, algorithm, scope };
}

export function policyBundle(v: unknown, path: string, ctx: ValidateContext): PolicyBundleConfig | null {
  if (v === undefined || v === null) return null;
  const o = object(v, path, POLICY_BUNDLE_KEYS);
  const url = bundleUrl(o['url'], join(path, 'url'));
  let bearer = null;
  if (o['credentials'] !== undefined && o['credentials'] !== null) {
    const c = object(o['credentials'], join(path, 'credentials'), ['bearer']);
    if (c['bearer'] === undefined) fail(join(path, 'credentials'), 'give bearer: {env: NAME} or {file: PATH}');
    bearer = secretRef(c['bearer'], join(join(path, 'credentials'), 'bearer'), ctx);
  }
  const pp = join(path, 'polling');
  const p = optionalObject(o['polling'], pp, POLLING_KEYS);
  const minDelayMs = p['minDelay'] === undefined ? 60_000 : duration(p['minDelay'], join(pp, 'minDelay'), 10, DAY);
  const maxDelayMs = p['maxDelay'] === undefined ? Math.max(minDelayMs, 120_000) : duration(p['maxDelay'], join(pp, 'maxDelay'), 10, DAY);
  if (maxDelayMs < minDelayMs) fail(join(pp, 'maxDelay'), `must be at least minDelay (${minDelayMs}ms)`);
  const caPath = join(path, 'ca');
  return {
    url,
    bearer,
    minDelayMs,
    maxDelayMs,
    signing: signing(o['signing'], join(path, 'signing'), ctx),
    maxSizeBytes: o['maxSize'] === undefined ? 16 * MIB : size(o['maxSize'], join(path, 'maxSize'), 1024, 1024 * MIB),
    maxUnpackedSizeBytes: o['maxUnpackedSize'] === undefined ? 64 * MIB : size(o['maxUnpackedSize'], join(path, 'maxUnpackedSize'), 1024, 4096 * MIB),
    maxFiles: o['maxFiles'] === undefined ? 2000 : integer(o['maxFiles'], join(path, 'maxFiles'), 1, 100_000),
    timeoutMs: o['timeout'] === undefined ? 30_000 : duration(o['timeout'], join(path, 'timeout'), 100, 600_000),
    startupTimeoutMs: o['startupTimeout'] === undefined ? 60_000 : duration(o['startupTimeout'], join(path, 'startupTimeout'), 0, DAY),
    persist: o['persist'] === undefined ? true : boolean(o['persist'], join(path, 'persist')),
    proxy: o['proxy'] === undefined ? 'env' : oneOf(o['proxy'], join(path, 'proxy'), ['env', 'none'] as const),
    ca: o['ca'] === undefined || o['ca'] === null ? null : readCaFile(filePath(o['ca'], caPath, ctx.baseDir), caPath),
  };
}
