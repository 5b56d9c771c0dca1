/**
 * `airlock token exchange --issuer-token FILE|-`: a CI job's OIDC ID token (from a file, or `-`
 * for stdin) exchanged at a running server for a short-lived Airlock token, printed on stdout;
 * what it was granted on stderr. No Airlock token is sent: the ID token is the credential.
 */
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CommandIO } from '../../command.ts';
import { UsageError } from '../../command.ts';
import { EXIT, clientFrom, type ServerValues } from '../../admin/cli-support.ts';
import { scopeText } from './scope-text.ts';

/** Far above any ID token; the server's own limit is 8,192 characters. */
const MAX_ID_TOKEN_BYTES = 64 * 1024;

async function readBounded(source: AsyncIterable<Buffer | string>, what: string): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of source) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += b.length;
    if (size > MAX_ID_TOKEN_BYTES) throw new UsageError(`${what} is larger than ${MAX_ID_TOKEN_BYTES} bytes: not an ID token`);
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8').trim();
}

async function readIdToken(path: string, io: CommandIO): Promise<string> {
  if (path === '-') return readBounded(process.stdin, 'stdin');
  const file = await open(resolve(io.cwd, path)).catch((err: unknown) => {
    throw new UsageError(`cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`);
  });
  try {
    return await readBounded(file.createReadStream(), path);
  } finally {
    await file.close();
  }
}

export async function exchangeCommand(values: ServerValues & { readonly 'issuer-token'?: string | undefined }, io: CommandIO): Promise<number> {
  const path = values['issuer-token'];
  if (path === undefined) throw new UsageError('exchange needs --issuer-token FILE (or - for stdin): the OIDC ID token to exchange');
  const idToken = await readIdToken(path, io);
  if (idToken === '') throw new UsageError(`${path === '-' ? 'stdin' : path} is empty`);
  const client = clientFrom(values, io, { anonymous: true });
  const t = await client.exchangeOidcToken(idToken);
  const limits = t.scope === null ? '' : `, limited to ${scopeText(t.scope)}`;
  io.stderr.write(`exchanged an ID token of ${t.issuer} (${t.subject}) by rule ${t.rule} for ${t.role} token ${t.id} (${t.label})${limits}, until ${t.expiresAt.toISOString()}:\n`);
  io.stdout.write(`${t.token}\n`);
  return EXIT.ok;
}
