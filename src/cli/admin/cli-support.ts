/**
 * Shared by the admin commands (serve, quarantine, token, audit): argument parsing, the
 * server/token pair, exit codes and one-line error reporting.
 */
import { resolve } from 'node:path';
import { createSecureContext } from 'node:tls';
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { readNamedFile } from '../../app/config/named-file.ts';
import { ApiError, ApiUnreachableError, AdminClient } from '../../api/client.ts';
import type { ClientTls } from '../../api/client-tls.ts';
import { isAirlockError } from '../../core/index.ts';
import type { CommandIO } from '../command.ts';
import { UsageError } from '../command.ts';

/** Exit codes: 0 ok, 1 failed, 2 usage, 3 server unreachable, 4 refused (401/403), 5 not found, 6 conflict. */
export const EXIT = { ok: 0, failed: 1, usage: 2, unreachable: 3, refused: 4, notFound: 5, conflict: 6 } as const;

export const DEFAULT_SERVER = 'http://127.0.0.1:8080';

export function parse<const O extends ParseArgsOptionsConfig>(argv: readonly string[], options: O) {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

/** How to reach an https:// server: its authority, and a client certificate where it requires one. */
export const tlsOptions = {
  cacert: { type: 'string' },
  cert: { type: 'string' },
  key: { type: 'string' },
} as const;

export const serverOptions = {
  server: { type: 'string' },
  ...tlsOptions,
  help: { type: 'boolean', short: 'h' },
} as const;

/** For the commands' help: the options every command that talks to a server takes. */
export const TLS_HELP = `Over https://, --cacert FILE (or ${'$'}AIRLOCK_CA_CERT) names the PEM authorities to trust
instead of the built-in ones (a private CA), and --cert FILE --key FILE (or ${'$'}AIRLOCK_CLIENT_CERT,
${'$'}AIRLOCK_CLIENT_KEY) the client certificate for a server that requires one.
`;

export interface ServerValues {
  readonly server?: string | undefined;
  readonly cacert?: string | undefined;
  readonly cert?: string | undefined;
  readonly key?: string | undefined;
}

/** A PEM file named by an option or a variable, read, or a usage error saying which and why. */
function readPem(file: string, from: string, io: CommandIO, want: RegExp, what: string): string {
  const path = resolve(io.cwd, file);
  let text: string;
  try {
    // As the configuration's files are read: a regular file of at most 1 MiB.
    text = readNamedFile(path, from);
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  if (!want.test(text)) throw new UsageError(`${from}: ${path} holds no PEM ${what}`);
  return text;
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----/;
const PEM_KEY = /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/;

/**
 * The TLS settings of --cacert, --cert and --key (each over its variable), read and checked:
 * `undefined` when none is given. A --cert file that holds the key too needs no --key.
 */
export function clientTlsFrom(values: ServerValues, io: CommandIO): ClientTls | undefined {
  const pick = (option: 'cacert' | 'cert' | 'key', variable: string): { file: string; from: string } | undefined => {
    const given = values[option];
    if (given !== undefined) return { file: given, from: `--${option}` };
    const env = io.env[variable];
    return env === undefined || env === '' ? undefined : { file: env, from: `${'$'}${variable}` };
  };
  const [caFile, certFile, keyFile] = [pick('cacert', 'AIRLOCK_CA_CERT'), pick('cert', 'AIRLOCK_CLIENT_CERT'), pick('key', 'AIRLOCK_CLIENT_KEY')];
  if (caFile === undefined && certFile === undefined && keyFile === undefined) return undefined;
  const ca = caFile === undefined ? undefined : readPem(caFile.file, caFile.from, io, PEM_CERT, 'certificate');
  if (ca !== undefined) {
    try {
      createSecureContext({ ca });
    } catch (err) {
      throw new UsageError(`${caFile?.from}: ${resolve(io.cwd, caFile?.file ?? '')}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (certFile === undefined && keyFile !== undefined) throw new UsageError(`${keyFile.from} needs a client certificate as well (--cert FILE or ${'$'}AIRLOCK_CLIENT_CERT)`);
  if (certFile === undefined) return { ...(ca === undefined ? {} : { ca }) };
  const cert = readPem(certFile.file, certFile.from, io, PEM_CERT, 'certificate');
  const key = keyFile === undefined ? (PEM_KEY.test(cert) ? cert : undefined) : readPem(keyFile.file, keyFile.from, io, PEM_KEY, 'private key');
  if (key === undefined) throw new UsageError(`${certFile.from} needs its key (--key FILE or ${'$'}AIRLOCK_CLIENT_KEY), or a file that holds both`);
  try {
    createSecureContext({ cert, key });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const why = /key values mismatch/.test(message) ? 'the key is not the key of the certificate' : message;
    throw new UsageError(`${certFile.from} ${resolve(io.cwd, certFile.file)}${keyFile === undefined ? '' : ` and ${keyFile.from} ${resolve(io.cwd, keyFile.file)}`}: ${why}`);
  }
  return { ...(ca === undefined ? {} : { ca }), cert, key };
}

/**
 * The client of the server the options name (--server, else $AIRLOCK_SERVER), with the token of
 * $AIRLOCK_TOKEN (none with `anonymous`) and the TLS settings of `clientTlsFrom`.
 */
export function clientFrom(values: ServerValues, io: CommandIO, options: { readonly anonymous?: boolean; readonly timeoutMs?: number } = {}): AdminClient {
  const server = values.server ?? io.env['AIRLOCK_SERVER'] ?? DEFAULT_SERVER;
  const token = options.anonymous === true ? undefined : io.env['AIRLOCK_TOKEN'];
  const tls = clientTlsFrom(values, io);
  return new AdminClient(server, token === undefined || token === '' ? null : token, {
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(tls === undefined ? {} : { tls }),
  });
}

/** Error codes of a server certificate the client could not verify. */
const UNTRUSTED = new Set(['SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT', 'CERT_UNTRUSTED']);

/** What to do about a connection that failed in the TLS handshake, if that is why. */
function tlsHint(err: ApiUnreachableError): string {
  let cause: unknown = err.cause;
  while (cause instanceof Error && !('code' in cause) && cause.cause !== undefined) cause = cause.cause;
  const code = cause instanceof Error && 'code' in cause ? String(cause.code) : '';
  if (UNTRUSTED.has(code)) return ' (give the authority that issued its certificate: --cacert FILE or $AIRLOCK_CA_CERT)';
  if (/CERTIFICATE_REQUIRED/.test(code)) return ' (the server requires a client certificate: --cert FILE --key FILE, or $AIRLOCK_CLIENT_CERT and $AIRLOCK_CLIENT_KEY)';
  // TLS 1.3: a client certificate the server refuses ends the connection after the client's side of the handshake.
  if (/HANDSHAKE_FAILURE|UNKNOWN_CA|BAD_CERTIFICATE/.test(code) || (code === 'ECONNRESET' && err.message.includes(' at https://'))) return ' (if the server requires client certificates, it refused the one given or none: give one its clientCa issued, --cert FILE --key FILE)';
  return '';
}

/** Prints one clear line for an error and returns the exit code. */
export function reportError(err: unknown, io: CommandIO, prefix: string): number {
  if (err instanceof UsageError) throw err;
  if (err instanceof ApiUnreachableError) {
    io.stderr.write(`${prefix}: ${err.message}${tlsHint(err)}\n`);
    return EXIT.unreachable;
  }
  if (err instanceof ApiError) {
    const hint = err.status === 401 && io.env['AIRLOCK_TOKEN'] === undefined ? ' (set AIRLOCK_TOKEN to an API token)' : '';
    io.stderr.write(`${prefix}: ${err.message}${hint}\n`);
    if (err.status === 401 || err.status === 403) return EXIT.refused;
    if (err.status === 404) return EXIT.notFound;
    if (err.status === 409) return EXIT.conflict;
    return EXIT.failed;
  }
  if (isAirlockError(err)) {
    io.stderr.write(`${prefix}: ${err.message}\n`);
    if (err.code === 'BAD_REQUEST') return EXIT.usage;
    if (err.code === 'NOT_FOUND') return EXIT.notFound;
    return EXIT.failed;
  }
  io.stderr.write(`${prefix}: ${err instanceof Error ? err.message : String(err)}\n`);
  return EXIT.failed;
}

/** A fixed-width text table. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return `${[line(headers), ...rows.map(line)].join('\n')}\n`;
}

export function clip(text: string, max: number): string {
  const one = text.replace(/\s+/g, ' ');
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}
