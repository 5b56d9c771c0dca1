/**
 * `airlock check`: the pre-flight — what Airlock would decide about packages before anything is
 * installed, with every fact and the rule that decided. Against a running server (the verdict
 * needs its upstream, feeds, ledger and policy).
 *
 *   airlock check npm NAME[@VERSION]…          one or more packages (no version: latest)
 *   airlock check --lockfile package-lock.json  every registry package of a lockfile, one call
 */
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { AdminClient } from '../../api/client.ts';
import { makePurl, parseNpmPackageName } from '../../core/index.ts';
import type { Command, CommandIO } from '../command.ts';
import { UsageError } from '../command.ts';
import { DEFAULT_SERVER, EXIT, parse, reportError } from '../admin/cli-support.ts';
import { LockfileError, parseLockfile } from './check/lockfile.ts';
import { lockfileSources } from './check/sources.ts';
import { allowed, renderOne, renderTable, summaryLine, type Result } from './check/render.ts';

const HELP = `usage: airlock check npm NAME[@VERSION]… [--format text|json] [--repo NAME] [--server URL]
       airlock check --lockfile FILE [--format table|json] [--repo NAME] [--server URL]

Asks a running Airlock what it would decide about packages now (metadata phase: content facts
such as the tarball's own install scripts are judged at download). Without a version, the
version the upstream's latest dist-tag names is judged, and the version \`latest\` resolves to
through Airlock is shown.

  --lockfile FILE  every registry package of an npm lockfile (package-lock.json v1-v3,
                   npm-shrinkwrap.json), checked in one call; and where each is downloaded
                   from: an entry whose resolved URL is outside the registry (this server's
                   repository or its upstream), or names another package's tarball, is
                   reported (npm ci would install it past Airlock)
  --registry URL   another base URL the lockfile's registry URLs may have (this server under
                   another name, say); repeatable
  --format         text/table (default) or json
  --repo NAME      the Airlock repository (default: the first npm repository)

Exit status: 0 when everything is allowed, 1 when something is quarantined, blocked, not found,
could not be checked or is downloaded from outside the registry, 2 usage, 3 server unreachable, 4 refused (token).
The server defaults to ${'$'}AIRLOCK_SERVER or ${DEFAULT_SERVER}; the token comes from ${'$'}AIRLOCK_TOKEN.
`;

const MAX_LOCKFILE_BYTES = 64 * 1024 * 1024;
const CHUNK = 5000;
/** A cold lockfile check fetches every packument upstream: allow it time. */
const TIMEOUT_MS = 15 * 60_000;

function splitSpec(spec: string): { name: string; version: string | null } {
  const at = spec.lastIndexOf('@');
  if (at <= 0) return { name: spec, version: null };
  const version = spec.slice(at + 1);
  return { name: spec.slice(0, at), version: version === '' || version === 'latest' ? null : version };
}

function npmPurl(spec: string): string {
  const { name, version } = splitSpec(spec);
  let canonical: string;
  try {
    canonical = parseNpmPackageName(name);
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  return makePurl('npm', canonical, version);
}

function client(server: string | undefined, io: CommandIO): AdminClient {
  const token = io.env['AIRLOCK_TOKEN'];
  return new AdminClient(server ?? io.env['AIRLOCK_SERVER'] ?? DEFAULT_SERVER, token === undefined || token === '' ? null : token, { timeoutMs: TIMEOUT_MS });
}

async function checkAll(c: AdminClient, purls: readonly string[], repo: string | null): Promise<{ summary: Record<string, number>; results: Result[] }> {
  const summary: Record<string, number> = {};
  const results: Result[] = [];
  for (let i = 0; i < purls.length; i += CHUNK) {
    const r = await c.checkMany(purls.slice(i, i + CHUNK), repo);
    for (const [k, n] of Object.entries(r.summary)) summary[k] = (summary[k] ?? 0) + n;
    results.push(...r.results);
  }
  return { summary, results };
}

/** The registry's base URLs for a lockfile's entries: the repository on this server, its upstream, and `--registry`. */
async function registryBases(c: AdminClient, repo: string | undefined, extra: readonly string[]): Promise<URL[]> {
  const repos = await c.repositories();
  const chosen = repo === undefined ? repos.find((r) => r.format === 'npm') : repos.find((r) => r.name === repo);
  if (chosen === undefined) throw new UsageError(repo === undefined ? 'the server has no npm repository' : `the server has no repository named ${repo}`);
  const bases = [new URL(chosen.path.replace(/^\//, ''), c.server), new URL(chosen.upstream)];
  for (const r of extra) {
    try {
      bases.push(new URL(r.endsWith('/') ? r : `${r}/`));
    } catch {
      throw new UsageError(`--registry: not a URL: ${JSON.stringify(r)}`);
    }
  }
  return bases;
}

async function lockfile(file: string, values: { format?: string | undefined; repo?: string | undefined; server?: string | undefined; registry?: string[] | undefined }, io: CommandIO): Promise<number> {
  const format = values.format ?? 'table';
  if (format !== 'table' && format !== 'json' && format !== 'text') throw new UsageError('--format must be table or json');
  const path = resolve(io.cwd, file);
  const st = await stat(path).catch(() => null);
  if (st === null || !st.isFile()) throw new UsageError(`no lockfile at ${path}`);
  if (st.size > MAX_LOCKFILE_BYTES) throw new UsageError(`${path} is larger than ${MAX_LOCKFILE_BYTES / 1024 / 1024} MiB`);
  let parsed;
  try {
    parsed = parseLockfile(await readFile(path, 'utf8'));
  } catch (err) {
    if (err instanceof LockfileError) {
      io.stderr.write(`airlock check: ${path}: ${err.message}\n`);
      return EXIT.failed;
    }
    throw err;
  }
  const purls = parsed.packages.map((p) => makePurl('npm', p.name, p.version));
  const c = client(values.server, io);
  const { summary, results } = purls.length === 0 ? { summary: {}, results: [] } : await checkAll(c, purls, values.repo ?? null);
  const outside = parsed.sources.length === 0 ? [] : lockfileSources(parsed.sources, await registryBases(c, values.repo, values.registry ?? []));
  if (format === 'json') {
    io.stdout.write(`${JSON.stringify({ lockfile: path, lockfileVersion: parsed.lockfileVersion, summary, results, outside, skipped: parsed.skipped }, null, 2)}\n`);
  } else {
    if (results.length > 0) io.stdout.write(renderTable(results));
    io.stdout.write(summaryLine(summary, parsed.skipped.length));
    if (outside.length > 0) {
      io.stdout.write(`${outside.length} lockfile entries are downloaded from outside the registry, past Airlock:\n`);
      for (const o of outside.slice(0, 50)) io.stdout.write(`  ${o.path} (${o.name}@${o.version}): ${o.why}\n`);
      if (outside.length > 50) io.stdout.write(`  … and ${outside.length - 50} more (--format json lists them all)\n`);
    }
  }
  return results.every(allowed) && outside.length === 0 ? EXIT.ok : EXIT.failed;
}

export const command: Command = {
  summary: 'pre-flight: what Airlock would decide about packages or a whole lockfile',
  async run(argv, io) {
    const { values, positionals } = parse(argv, {
      lockfile: { type: 'string' },
      format: { type: 'string' },
      repo: { type: 'string' },
      registry: { type: 'string', multiple: true },
      server: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help === true) {
      io.stdout.write(HELP);
      return EXIT.ok;
    }
    try {
      if (values.lockfile !== undefined) {
        if (positionals.length > 0) throw new UsageError(`give either --lockfile or packages, not both (unexpected ${positionals[0]})`);
        return await lockfile(values.lockfile, values, io);
      }
      const [ecosystem, ...specs] = positionals;
      if (ecosystem === undefined) {
        io.stdout.write(HELP);
        return EXIT.usage;
      }
      if (ecosystem !== 'npm') throw new UsageError(`unsupported ecosystem '${ecosystem}' (npm)`);
      if (specs.length === 0) throw new UsageError('give at least one package: airlock check npm NAME[@VERSION]');
      const format = values.format ?? 'text';
      if (format !== 'text' && format !== 'json' && format !== 'table') throw new UsageError('--format must be text or json');
      const purls = specs.map(npmPurl);
      const c = client(values.server, io);
      const results: Result[] = purls.length === 1 ? [await c.check(purls[0] as string, values.repo ?? null)] : (await checkAll(c, purls, values.repo ?? null)).results;
      if (format === 'json') io.stdout.write(`${JSON.stringify(results.length === 1 ? results[0] : results, null, 2)}\n`);
      else if (format === 'table') io.stdout.write(renderTable(results));
      else io.stdout.write(results.map(renderOne).join('\n'));
      return results.every(allowed) ? EXIT.ok : EXIT.failed;
    } catch (err) {
      return reportError(err, io, 'airlock check');
    }
  },
};
