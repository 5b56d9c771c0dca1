/**
 * `server.tls`: Airlock serving HTTPS itself. Checks the settings' shape only; the files are read,
 * parsed and matched (key to certificate, validity dates) by `app/tls-material.ts` at start and on
 * every rotation, so that the same checks guard both.
 */
import { resolve } from 'node:path';
import { boolean, fail, join, object, oneOf, pathText } from './checks.ts';
import { secretRef } from './secret.ts';
import type { TlsConfig, TlsKeySource } from './types.ts';

export const TLS_KEYS = ['cert', 'key', 'ca', 'minVersion', 'clientCa', 'requireClientCert', 'watch'] as const;
export const TLS_VERSIONS = ['TLSv1.2', 'TLSv1.3'] as const;

const PEM_TEXT = /-----BEGIN /;

/** A PEM file's path (relative to `baseDir`); PEM text written in its place is refused. */
function pemPath(v: unknown, path: string, baseDir: string, what: string): string {
  const text = pathText(v, path);
  if (PEM_TEXT.test(text)) fail(path, `give the path of a PEM file holding the ${what}, not its text`);
  return resolve(baseDir, text);
}

function keySource(v: unknown, path: string, ctx: { readonly env: NodeJS.ProcessEnv; readonly baseDir: string }): TlsKeySource {
  if (typeof v === 'string') {
    if (PEM_TEXT.test(v)) fail(path, 'a private key is never written inline: give its file (a path or {file: PATH}) or {env: NAME}');
    return { kind: 'file', path: pemPath(v, path, ctx.baseDir, 'private key') };
  }
  const o = object(v, path, ['env', 'file']);
  if (Object.keys(o).length !== 1) fail(path, 'give a path, or exactly one of env or file');
  // A file is read again whenever the pair rotates; an environment variable only at start.
  if (o['file'] !== undefined) return { kind: 'file', path: pemPath(o['file'], join(path, 'file'), ctx.baseDir, 'private key') };
  return { kind: 'env', secret: secretRef(o, path, ctx) };
}

/** `server.tls`, or null when it is not set (plain HTTP). */
export function tlsConfig(v: unknown, path: string, ctx: { readonly env: NodeJS.ProcessEnv; readonly baseDir: string }): TlsConfig | null {
  if (v === undefined || v === null) return null;
  const o = object(v, path, TLS_KEYS);
  if (o['cert'] === undefined) fail(join(path, 'cert'), 'required: the PEM file of the server certificate (and its intermediates)');
  if (o['key'] === undefined) fail(join(path, 'key'), 'required: the PEM file of the private key, or {env: NAME}');
  const clientCa = o['clientCa'] === undefined || o['clientCa'] === null ? null : pemPath(o['clientCa'], join(path, 'clientCa'), ctx.baseDir, 'client certificate authorities');
  const requireClientCert = o['requireClientCert'] === undefined ? clientCa !== null : boolean(o['requireClientCert'], join(path, 'requireClientCert'));
  if (requireClientCert && clientCa === null) fail(join(path, 'requireClientCert'), 'needs clientCa: the PEM file of the authorities client certificates must chain to');
  return {
    cert: pemPath(o['cert'], join(path, 'cert'), ctx.baseDir, 'certificate'),
    key: keySource(o['key'], join(path, 'key'), ctx),
    ca: o['ca'] === undefined || o['ca'] === null ? null : pemPath(o['ca'], join(path, 'ca'), ctx.baseDir, 'intermediate certificates'),
    minVersion: o['minVersion'] === undefined ? 'TLSv1.2' : oneOf(o['minVersion'], join(path, 'minVersion'), TLS_VERSIONS),
    clientCa,
    requireClientCert,
    watch: o['watch'] === undefined ? true : boolean(o['watch'], join(path, 'watch')),
  };
}

/**
 * `--tls-cert FILE --tls-key FILE` over what the configuration says (relative to the working
 * directory): both name files, so the other settings of `server.tls` stay as they are.
 */
export function tlsWithFlags(current: TlsConfig | null, flags: { readonly cert?: string; readonly key?: string }, cwd: string): TlsConfig | null {
  if (flags.cert === undefined && flags.key === undefined) return current;
  const cert = flags.cert === undefined ? current?.cert : resolve(cwd, pathText(flags.cert, '--tls-cert'));
  const key: TlsKeySource | undefined = flags.key === undefined ? current?.key : { kind: 'file', path: resolve(cwd, pathText(flags.key, '--tls-key')) };
  if (cert === undefined) fail('--tls-cert', 'needed with --tls-key (or server.tls.cert in the configuration)');
  if (key === undefined) fail('--tls-key', 'needed with --tls-cert (or server.tls.key in the configuration)');
  const rest = current ?? { ca: null, minVersion: 'TLSv1.2', clientCa: null, requireClientCert: false, watch: true };
  return { ...rest, cert, key };
}
