/**
 * `airlock check npm NAME[@VERSION|@RANGE]…`: a package as npm names it on its command line —
 * `lodash`, `lodash@4.17.21`, `lodash@^4.17.0`, `@scope/name@~1.2.0` (split at the last `@` after
 * the first character, as npm splits a scoped name from its version) — as the check takes it: a
 * purl, or a purl without a version and the range, which the server resolves to the version npm
 * gets through Airlock. A range is what npm reads as one (`1`, `1.x`, `>=2 <3`); one it cannot
 * read is a usage error saying why. And `airlock check --package-json [FILE]`: a project's
 * dependencies (package-json.ts reads them) checked in one call, each with its key in the file.
 */
import type { CheckItem } from '../../../api/client.ts';
import { isAirlockError, makePurl, parseNpmPackageName } from '../../../core/index.ts';
import { isVersionRange, parseVersionRange } from '../../../gate/version-range.ts';
import type { CommandIO } from '../../command.ts';
import { UsageError } from '../../command.ts';
import { EXIT, type ServerValues } from '../../admin/cli-support.ts';
import { PACKAGE_JSON_LIMITS, PackageJsonError, parsePackageJson } from './package-json.ts';
import { fileVerdict, renderFileReport, type Result } from './render.ts';
import { checkAll, client, fileFormat, readParsed } from './run.ts';

/** The name and what follows its `@` (null: nothing, or `latest`). */
function splitNpmSpec(spec: string): { name: string; version: string | null } {
  const at = spec.lastIndexOf('@');
  if (at <= 0) return { name: spec, version: null };
  const version = spec.slice(at + 1).trim();
  return { name: spec.slice(0, at), version: version === '' || version === 'latest' ? null : version };
}

export function npmSpec(spec: string): CheckItem {
  const { name, version } = splitNpmSpec(spec);
  let canonical: string;
  try {
    canonical = parseNpmPackageName(name);
    if (version === null || !isVersionRange('npm', version)) return makePurl('npm', canonical, version);
    return { purl: makePurl('npm', canonical, null), range: parseVersionRange('npm', version).text };
  } catch (err) {
    if (isAirlockError(err)) throw new UsageError(err.message);
    throw err;
  }
}

export async function packageJsonCheck(file: string, values: ServerValues & { format?: string | undefined; repo?: string | undefined; peers?: boolean | undefined }, io: CommandIO): Promise<number> {
  const format = fileFormat(values);
  const input = await readParsed(io, file, 'package.json', PACKAGE_JSON_LIMITS.maxBytes, (text) => parsePackageJson(text, { peers: values.peers === true }), (err) => err instanceof PackageJsonError);
  if (input === undefined) return EXIT.failed;
  const { path, parsed } = input;
  const deps = parsed.dependencies;
  const checked = deps.length === 0 ? { summary: {}, results: [] } : await checkAll(client(values, io), deps.map((d) => d.item), values.repo ?? null);
  // Each result with the key it checks and the spec written there.
  const results: Result[] = checked.results.map((r, i) => {
    const d = deps[i];
    return d === undefined ? r : { ...r, key: d.key, spec: d.spec, alias: d.alias };
  });
  const report = { summary: checked.summary, results, outside: [], skipped: parsed.skipped };
  if (format === 'json') io.stdout.write(`${JSON.stringify({ packageJson: path, ...report }, null, 2)}\n`);
  else io.stdout.write(renderFileReport(report, { skipped: 'dependencies are not checked', outside: '', at: '@', listSkipped: true }));
  return fileVerdict(report) ? EXIT.ok : EXIT.failed;
}
