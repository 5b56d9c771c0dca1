/**
 * `airlock check`: the pre-flight — what Airlock would decide about packages before anything is
 * installed, with every fact and the rule that decided. Against a running server (the verdict
 * needs its upstream, feeds, ledger and policy).
 *
 *   airlock check npm NAME[@VERSION|@RANGE]…   one or more packages (no version: latest; a range: what npm installs)
 *   airlock check --lockfile package-lock.json  every registry package of a lockfile, one call
 *   airlock check --package-json [FILE]  every dependency of a package.json, as npm resolves its range
 *   airlock check pypi NAME[==VERSION|SPECIFIER]…  PyPI projects (no version: latest; a specifier: what pip installs)
 *   airlock check --requirements requirements.txt  every pinned requirement and specifier, one call
 *   airlock check oci REPO/IMAGE[:TAG|@DIGEST]…   container images (no tag: latest)
 *   airlock check huggingface ORG/NAME[@REVISION]…  Hub models and datasets (no revision: the default branch)
 */
import { basename } from 'node:path';
import type { AdminClient, CheckItem } from '../../api/client.ts';
import { makePurl } from '../../core/index.ts';
import type { Command, CommandIO } from '../command.ts';
import { UsageError } from '../command.ts';
import { DEFAULT_SERVER, EXIT, TLS_HELP, parse, reportError, serverOptions, type ServerValues } from '../admin/cli-support.ts';
import { LockfileError, parseLockfile, type LockfilePackages } from './check/lockfile.ts';
import { parsePnpmLock, parseYarnLock } from './check/other-lockfiles.ts';
import { lockfileSources, resolvedThrough } from './check/sources.ts';
import type { RepositoryInfo } from '../../api/routes/repository-routes.ts';
import { allowed, fileVerdict, renderFileReport, renderOne, renderTable, type Result } from './check/render.ts';
import { checkAll, checkOne, client, fileFormat, readParsed } from './check/run.ts';
import { npmSpec, packageJsonCheck } from './check/npm.ts';
import { pypiSpec, requirementsCheck } from './check/pypi.ts';
import { checkImages, ociSpec } from './check/oci.ts';
import { huggingfacePurl } from './check/huggingface.ts';

const HELP = `usage: airlock check npm NAME[@VERSION|@RANGE]… [--format text|json] [--repo NAME] [--server URL]
       airlock check pypi NAME[==VERSION|SPECIFIER]… [--format text|json] [--repo NAME] [--server URL]
       airlock check oci REPO/IMAGE[:TAG|@sha256:…]… [--format text|json] [--server URL]
       airlock check huggingface ORG/NAME[@REVISION]… [--type model|dataset] [--format text|json] [--repo NAME] [--server URL]
       airlock check --lockfile FILE [--format table|json] [--repo NAME] [--server URL]
       airlock check --package-json [FILE] [--peers] [--format table|json] [--repo NAME] [--server URL]
       airlock check --requirements FILE [--format table|json] [--repo NAME] [--server URL]

Asks a running Airlock what it would decide about packages now (metadata phase: content facts
such as the tarball's own install scripts are judged at download). Without a version, the
latest version upstream is judged (npm: its latest dist-tag; PyPI: the newest final release
that is not yanked), and the version \`latest\` resolves to through Airlock is shown.

A range (npm: lodash@^4.17.0, @scope/name@~1.2.0, lodash@'>=2 <3'; PyPI: 'requests>=2,<3',
requests~=2.31) is resolved as the client resolves it from what Airlock serves: the version an
install of it gets is judged (npm's latest when it satisfies the range, else the newest
satisfying version Airlock allows), and when the newest satisfying version is held, it is shown
with its verdict and why. Quote a range for the shell.

An image is written as in a pull reference without the host: \`hub/library/alpine:3.20\` for
\`HOST:PORT/hub/library/alpine:3.20\`, where \`hub\` is the oci repository (proxy, hosted or
group); no tag is \`latest\`. It is judged as a pull of it would be: its manifest and config, then
what its signatures prove (a multi-platform image: the index and each platform image). No layer
is fetched, so model layers are scanned and judged when pulled, not by a check.

A Hugging Face repo is written as its clients name it (\`acme/tiny\`; a dataset
\`datasets/acme/corpus\` or with --type dataset), with a branch, tag or commit after @ (none:
the default branch). The revision is resolved to its commit as a download resolves it, and the
commit is judged as a download of it would be: the commit, then each of its files with what
the tree says of it (name, size, sha256, pickle-based or not, Python code) and what the
commit's model signature (model.sig, fetched) says of it. No other file is fetched: a file
Airlock holds already is scanned from its store; any other is scanned when downloaded and
judged by the check as if the scanner found nothing in it (listed as not judged).

  --lockfile FILE  every registry package of a lockfile (npm's package-lock.json v1-v3 or
                   npm-shrinkwrap.json, pnpm-lock.yaml, yarn.lock of yarn 1 or 2+), checked
                   in one call; and where each is downloaded
                   from: an entry whose resolved URL is outside the registry (this server's
                   repository or its upstream), or names another package's tarball, is
                   reported (npm ci would install it past Airlock)
  --registry URL   another base URL the lockfile's registry URLs may have (this server under
                   another name, say); repeatable
  --package-json [FILE]  every dependency of a package.json (default ./package.json) in
                   dependencies, optionalDependencies and devDependencies, resolved as npm
                   resolves its spec through Airlock: a version, a range (the version an
                   install gets), \`latest\` (as with no version), an alias npm:other@RANGE
                   (other is checked); git, GitHub user/repo, file:, link:, workspace:, URL
                   and other dist-tags are listed as not checked. Exit 1 when a range
                   installs nothing Airlock allows
  --peers          with --package-json, peerDependencies too (npm 7+ installs a project's
                   peers; those peerDependenciesMeta marks optional are not checked)
  --requirements FILE  every requirement of a pip requirements file, pinned (name==version, as
                   pip-compile writes it) or with a specifier (name>=2,<3: the version pip gets
                   through Airlock), extras and environment markers allowed, checked in one
                   call; its sha256 --hash pins must name files the index lists for the version
                   (others are reported: pip could install them from elsewhere). Includes (-r,
                   -c; not followed), editables, URLs, paths, VCS references and pip options
                   are listed as not checked; a requirement without a version (requests,
                   requests[socks]) is checked as any version, >=0: the newest final release
                   pip gets through Airlock
  --format         text/table (default) or json
  --repo NAME      the Airlock repository (default: the first of the ecosystem)
  --type TYPE      huggingface: model (default) or dataset

Exit status: 0 when everything is allowed, 1 when something is quarantined, blocked, not found,
could not be checked, is downloaded from outside the registry or has a hash pin of a file the
index does not list, 2 usage, 3 server unreachable, 4 refused (token).
The server defaults to ${'$'}AIRLOCK_SERVER or ${DEFAULT_SERVER}; the token comes from ${'$'}AIRLOCK_TOKEN.
${TLS_HELP}`;

const MAX_LOCKFILE_BYTES = 64 * 1024 * 1024;

const USAGE = {
  npm: 'give at least one package: airlock check npm NAME[@VERSION|@RANGE]',
  pypi: 'give at least one project: airlock check pypi NAME[==VERSION|SPECIFIER]',
  oci: 'give at least one image: airlock check oci REPO/IMAGE[:TAG|@sha256:…]',
  huggingface: 'give at least one repo: airlock check huggingface ORG/NAME[@REVISION]',
} as const;

/** npm's, pnpm's or yarn's lockfile, by its name (or, renamed, by its first line). */
function parseAnyLockfile(name: string, text: string): LockfilePackages {
  if (name === 'pnpm-lock.yaml' || /^lockfileVersion:/m.test(text.slice(0, 200))) return parsePnpmLock(text);
  if (name === 'yarn.lock' || text.startsWith('# THIS IS AN AUTOGENERATED FILE') || /^# yarn lockfile v1/m.test(text.slice(0, 300))) return parseYarnLock(text);
  return parseLockfile(text);
}

/**
 * The registry's base URLs for a lockfile's entries: every npm repository on this server (each
 * serves through the gate), the upstream of the repository checked against (of a group: its
 * members'), and `--registry`.
 */
function registryBases(c: AdminClient, repos: readonly RepositoryInfo[], repo: string | undefined, extra: readonly string[]): URL[] {
  // By default the proxy: a lockfile's packages come from the public registry through it.
  const chosen = repo === undefined ? (repos.find((r) => r.format === 'npm' && r.kind === 'proxy') ?? repos.find((r) => r.format === 'npm')) : repos.find((r) => r.name === repo);
  if (chosen === undefined) throw new UsageError(repo === undefined ? 'the server has no npm repository' : `the server has no repository named ${repo}`);
  const upstreams = [chosen, ...(chosen.members ?? []).flatMap((name) => repos.filter((r) => r.name === name))].flatMap((r) => (r.upstream === null ? [] : [new URL(r.upstream)]));
  const bases = [...repos.filter((r) => r.format === chosen.format).map((r) => new URL(r.path.replace(/^\//, ''), c.server)), ...upstreams];
  for (const r of extra) {
    try {
      bases.push(new URL(r.endsWith('/') ? r : `${r}/`));
    } catch {
      throw new UsageError(`--registry: not a URL: ${JSON.stringify(r)}`);
    }
  }
  return bases;
}

async function lockfile(file: string, values: ServerValues & { format?: string | undefined; repo?: string | undefined; registry?: string[] | undefined }, io: CommandIO): Promise<number> {
  const format = fileFormat(values);
  const input = await readParsed(io, file, 'lockfile', MAX_LOCKFILE_BYTES, (text, path) => parseAnyLockfile(basename(path), text), (err) => err instanceof LockfileError);
  if (input === undefined) return EXIT.failed;
  const { path, parsed } = input;
  const purls = parsed.packages.map((p) => makePurl('npm', p.name, p.version));
  const c = client(values, io);
  const repos = parsed.sources.length === 0 ? [] : await c.repositories();
  // Without --repo, the repository the lockfile was resolved through (such as a group), if one.
  const repo = values.repo ?? resolvedThrough(parsed.sources, repos.map((r) => ({ name: r.name, base: new URL(r.path.replace(/^\//, ''), c.server) }))) ?? undefined;
  const { summary, results } = purls.length === 0 ? { summary: {}, results: [] } : await checkAll(c, purls, repo ?? null);
  const outside = parsed.sources.length === 0 ? [] : lockfileSources(parsed.sources, registryBases(c, repos, repo, values.registry ?? []));
  const report = { summary, results, outside, skipped: parsed.skipped };
  if (format === 'json') io.stdout.write(`${JSON.stringify({ lockfile: path, lockfileVersion: parsed.lockfileVersion, ...report }, null, 2)}\n`);
  else io.stdout.write(renderFileReport(report, { skipped: 'lockfile entries are not registry packages', outside: 'lockfile entries are downloaded from outside the registry, past Airlock', at: '@', listSkipped: false }));
  return fileVerdict(report) ? EXIT.ok : EXIT.failed;
}

/** `--package-json` without a value (last, or before another option) takes `file`. */
function withDefaultFile(argv: readonly string[], option: string, file: string): string[] {
  return argv.flatMap((a, i) => (a === option && (i + 1 === argv.length || (argv[i + 1] as string).startsWith('-')) ? [a, file] : [a]));
}

export const command: Command = {
  summary: 'pre-flight: what Airlock would decide about packages, a whole lockfile, a package.json or a requirements file',
  async run(argv, io) {
    const { values, positionals } = parse(withDefaultFile(argv, '--package-json', 'package.json'), {
      lockfile: { type: 'string' },
      'package-json': { type: 'string' },
      peers: { type: 'boolean' },
      requirements: { type: 'string' },
      format: { type: 'string' },
      repo: { type: 'string' },
      registry: { type: 'string', multiple: true },
      type: { type: 'string' },
      ...serverOptions,
    });
    if (values.help === true) {
      io.stdout.write(HELP);
      return EXIT.ok;
    }
    try {
      const files = [values.lockfile, values['package-json'], values.requirements].filter((f) => f !== undefined);
      if (values.peers === true && values['package-json'] === undefined) throw new UsageError('--peers is taken with --package-json only');
      if (files.length > 0) {
        if (files.length > 1) throw new UsageError('give one of --lockfile, --package-json or --requirements');
        if (positionals.length > 0) throw new UsageError(`give either a file or packages, not both (unexpected ${positionals[0]})`);
        if (values.lockfile !== undefined) return await lockfile(values.lockfile, values, io);
        if (values['package-json'] !== undefined) return await packageJsonCheck(values['package-json'], values, io);
        return await requirementsCheck(values.requirements as string, values, io);
      }
      const [ecosystem, ...specs] = positionals;
      if (ecosystem === undefined) {
        io.stdout.write(HELP);
        return EXIT.usage;
      }
      if (ecosystem !== 'npm' && ecosystem !== 'pypi' && ecosystem !== 'oci' && ecosystem !== 'huggingface') throw new UsageError(`unsupported ecosystem '${ecosystem}' (npm, pypi, oci, huggingface)`);
      if (specs.length === 0) throw new UsageError(USAGE[ecosystem]);
      if (values.type !== undefined && ecosystem !== 'huggingface') throw new UsageError('--type is taken with huggingface only');
      const format = values.format ?? 'text';
      if (format !== 'text' && format !== 'json' && format !== 'table') throw new UsageError('--format must be text or json');
      if (ecosystem === 'oci' && values.repo !== undefined) throw new UsageError('an image names its repository itself (REPO/IMAGE): --repo is not taken with oci');
      let results: Result[];
      if (ecosystem === 'oci') {
        const images = specs.map(ociSpec);
        results = await checkImages(client(values, io), images);
      } else {
        const items = specs.map(ecosystem === 'npm' ? npmSpec : ecosystem === 'pypi' ? pypiSpec : (spec) => huggingfacePurl(spec, values.type));
        const c = client(values, io);
        results = items.length === 1 ? [await checkOne(c, items[0] as CheckItem, values.repo ?? null)] : (await checkAll(c, items, values.repo ?? null)).results;
      }
      if (format === 'json') io.stdout.write(`${JSON.stringify(results.length === 1 ? results[0] : results, null, 2)}\n`);
      else if (format === 'table') io.stdout.write(renderTable(results));
      else io.stdout.write(results.map(renderOne).join('\n'));
      return results.every(allowed) ? EXIT.ok : EXIT.failed;
    } catch (err) {
      return reportError(err, io, 'airlock check');
    }
  },
};
