/** What every form of `airlock check` shares: the client, many packages checked in chunks, a file read within a cap. */
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ApiError, type AdminClient, type CheckItem } from '../../../api/client.ts';
import { cutShort, isPlainObject, shownJson } from '../../../core/index.ts';
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

function badAnswer(route: string, what: string): ApiError {
  return new ApiError(200, 'BAD_RESPONSE', `the server answered ${route} ${what}`);
}

/** A check's result as the server answered it: an object, or an error (the check does not pass on what it cannot read). */
function resultOf(v: unknown, route: string, at: string): Result {
  if (!isPlainObject(v)) throw badAnswer(route, `with ${at} that is ${shownJson(v, 40)}, not an object`);
  return v;
}

/** One package: a purl, or a purl without a version and a range. */
export async function checkOne(c: AdminClient, item: CheckItem, repo: string | null): Promise<Result> {
  return resultOf(typeof item === 'string' ? await c.check(item, repo) : await c.check(item.purl, repo, item.range), 'GET /-/api/check', 'a result');
}

/**
 * A POST /-/api/check answer checked before it is used: one result object per package asked, in
 * order, and a summary of counts. A server (or whatever answers at its address) that gives fewer
 * results made the check pass: every one of none is allowed.
 */
export async function checkChunk(c: AdminClient, items: readonly CheckItem[], repo: string | null): Promise<{ summary: Record<string, number>; results: Result[] }> {
  const route = 'POST /-/api/check';
  const answer: unknown = await c.checkMany(items, repo);
  if (!isPlainObject(answer)) throw badAnswer(route, `with ${shownJson(answer, 40)}, not an object`);
  const { summary, results } = answer;
  if (!Array.isArray(results)) throw badAnswer(route, 'without a results list');
  if (results.length !== items.length) throw badAnswer(route, `with ${results.length} result${results.length === 1 ? '' : 's'} for ${items.length} package${items.length === 1 ? '' : 's'}`);
  if (!isPlainObject(summary)) throw badAnswer(route, 'without a summary object');
  for (const [k, n] of Object.entries(summary)) {
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw badAnswer(route, `with a summary whose ${JSON.stringify(cutShort(k, 40))} is not a count`);
  }
  return { summary: summary as Record<string, number>, results: results.map((r: unknown, i) => resultOf(r, route, `result ${i + 1}`)) };
}

/** Many packages, in chunks of what one call takes: the summaries added up, the results in order. */
export async function checkAll(c: AdminClient, purls: readonly CheckItem[], repo: string | null): Promise<{ summary: Record<string, number>; results: Result[] }> {
  const summary: Record<string, number> = {};
  const results: Result[] = [];
  for (let i = 0; i < purls.length; i += CHUNK) {
    const r = await checkChunk(c, purls.slice(i, i + CHUNK), repo);
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
