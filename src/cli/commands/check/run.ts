/** What every form of `airlock check` shares: the client, many packages checked in chunks, a file read within a cap. */
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { AdminClient, CheckItem } from '../../../api/client.ts';
import type { CommandIO } from '../../command.ts';
import { UsageError } from '../../command.ts';
import { clientFrom, type ServerValues } from '../../admin/cli-support.ts';
import type { Result } from './render.ts';

/** Packages per call (the server's limit). */
const CHUNK = 5000;
/** A cold check of a whole file fetches every package's metadata upstream: allow it time. */
const TIMEOUT_MS = 15 * 60_000;

export function client(values: ServerValues, io: CommandIO): AdminClient {
  return clientFrom(values, io, { timeoutMs: TIMEOUT_MS });
}

/** One package: a purl, or a purl without a version and a range. */
export async function checkOne(c: AdminClient, item: CheckItem, repo: string | null): Promise<Result> {
  return typeof item === 'string' ? c.check(item, repo) : c.check(item.purl, repo, item.range);
}

/** Many packages, in chunks of what one call takes: the summaries added up, the results in order. */
export async function checkAll(c: AdminClient, purls: readonly CheckItem[], repo: string | null): Promise<{ summary: Record<string, number>; results: Result[] }> {
  const summary: Record<string, number> = {};
  const results: Result[] = [];
  for (let i = 0; i < purls.length; i += CHUNK) {
    const r = await c.checkMany(purls.slice(i, i + CHUNK), repo);
    for (const [k, n] of Object.entries(r.summary)) summary[k] = (summary[k] ?? 0) + n;
    results.push(...r.results);
  }
  return { summary, results };
}

/** A file named on the command line (relative to the working directory), at most `maxBytes`: its absolute path and text. */
/** A file check's `--format`: table (the default), json or text. */
export function fileFormat(values: { readonly format?: string | undefined }): 'table' | 'json' | 'text' {
  const format = values.format ?? 'table';
  if (format !== 'table' && format !== 'json' && format !== 'text') throw new UsageError('--format must be table, json or text');
  return format;
}

/**
 * `file` read (see `readInput`) and parsed. A parse failure `isParseError` knows is written to
 * stderr as `airlock check: PATH: message` and gives undefined (the check then exits failed).
 */
export async function readParsed<T>(io: CommandIO, file: string, what: string, maxBytes: number, parse: (text: string, path: string) => T, isParseError: (err: unknown) => err is Error): Promise<{ path: string; parsed: T } | undefined> {
  const { path, text } = await readInput(io, file, what, maxBytes);
  try {
    return { path, parsed: parse(text, path) };
  } catch (err) {
    if (!isParseError(err)) throw err;
    io.stderr.write(`airlock check: ${path}: ${err.message}\n`);
    return undefined;
  }
}

export async function readInput(io: CommandIO, file: string, what: string, maxBytes: number): Promise<{ path: string; text: string }> {
  const path = resolve(io.cwd, file);
  const st = await stat(path).catch(() => null);
  if (st === null || !st.isFile()) throw new UsageError(`no ${what} at ${path}`);
  if (st.size > maxBytes) throw new UsageError(`${path} is larger than ${maxBytes / 1024 / 1024} MiB`);
  return { path, text: await readFile(path, 'utf8') };
}
