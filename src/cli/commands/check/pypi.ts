/**
 * `airlock check pypi NAME[==VERSION|SPECIFIER]…` and `airlock check --requirements
 * requirements.txt`: the pre-flight for pip. A specifier (`>=2,<3`) is resolved by the server to
 * the version pip gets through Airlock. A requirements file's pinned requirements and specifiers
 * are checked in one call, each with the line it is on and its environment marker (checked
 * whatever the environment); its `--hash` pins are compared with the files the index lists for
 * that version; a requirement without a version is any version (`>=0`: what pip gets); what
 * cannot be checked (includes, editables, URLs, pip options) is listed as skipped.
 */
import type { CheckItem } from '../../../api/client.ts';
import { makePurl } from '../../../core/index.ts';
import type { CommandIO } from '../../command.ts';
import { UsageError } from '../../command.ts';
import { EXIT, type ServerValues } from '../../admin/cli-support.ts';
import { requirementHashes } from './hashes.ts';
import { fileVerdict, renderFileReport, type Result } from './render.ts';
import { parseRequirements, parseRequirementSpec, RequirementsError, REQUIREMENTS_LIMITS } from './requirements.ts';
import { checkAll, client, fileFormat, readParsed } from './run.ts';

/** A project and its pin or specifier as the check takes it: a purl, or a purl without a version and the specifier. */
function pypiItem(name: string, version: string | null, specifier: string | null): CheckItem {
  return specifier === null ? makePurl('pypi', name, version) : { purl: makePurl('pypi', name, null), range: specifier };
}

/** `NAME`, `NAME==VERSION` or `NAME` and a specifier (PEP 508 name, extras allowed) as the check takes it. */
export function pypiSpec(spec: string): CheckItem {
  try {
    const { name, version, specifier } = parseRequirementSpec(spec);
    return pypiItem(name, version, specifier);
  } catch (err) {
    if (err instanceof RequirementsError) throw new UsageError(err.message);
    throw err;
  }
}

export async function requirementsCheck(file: string, values: ServerValues & { format?: string | undefined; repo?: string | undefined }, io: CommandIO): Promise<number> {
  const format = fileFormat(values);
  const input = await readParsed(io, file, 'requirements file', REQUIREMENTS_LIMITS.maxBytes, (text) => parseRequirements(text), (err) => err instanceof RequirementsError);
  if (input === undefined) return EXIT.failed;
  const { path, parsed } = input;
  const reqs = parsed.requirements;
  const checked = reqs.length === 0 ? { summary: {}, results: [] } : await checkAll(client(values, io), reqs.map((r) => pypiItem(r.canonical, r.version, r.specifier)), values.repo ?? null);
  // Each result with the line it checks, and the marker and extras it was written with.
  const results: Result[] = checked.results.map((r, i) => {
    const req = reqs[i];
    return req === undefined ? r : { ...r, line: req.line, marker: req.marker, extras: req.extras };
  });
  const report = { summary: checked.summary, results, outside: requirementHashes(reqs, results), skipped: parsed.skipped };
  if (format === 'json') {
    io.stdout.write(`${JSON.stringify({ requirements: path, ...report }, null, 2)}\n`);
  } else {
    io.stdout.write(renderFileReport(report, { skipped: 'requirement lines are not checked', outside: 'hash pins name no file the index lists for the version, so pip could install them from elsewhere', at: '==', listSkipped: true }));
    const marked = reqs.filter((r) => r.marker !== null);
    if (marked.length > 0) {
      io.stdout.write(`${marked.length} requirements apply only where their environment marker holds (checked regardless):\n`);
      for (const r of marked.slice(0, 50)) io.stdout.write(`  line ${r.line}: ${r.name}${r.version === null ? (r.specifier ?? '') : `==${r.version}`} ; ${r.marker ?? ''}\n`);
    }
  }
  return fileVerdict(report) ? EXIT.ok : EXIT.failed;
}
