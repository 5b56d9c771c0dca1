/**
 * `airlock vulnerabilities`: the versions Airlock holds (downloaded through it, in every
 * repository) that imported vulnerability advisories include, worst first, through a running
 * server's API (reader token in AIRLOCK_TOKEN). `--fail-on LEVEL` makes it a CI gate.
 */
import type { Command } from '../command.ts';
import { UsageError } from '../command.ts';
import { EXIT, clientFrom, clip, parse, reportError, serverOptions, table, TLS_HELP } from '../admin/cli-support.ts';
import { SEVERITY_LEVELS, type SeverityLevel } from '../../gate/index.ts';

const HELP = `usage: airlock vulnerabilities [--severity LEVEL] [--ecosystem npm|pypi] [--name NAME]
                              [--limit N] [--fail-on LEVEL] [--format table|json] [--server URL]

Lists the package versions Airlock holds (what clients downloaded through it) that the imported
vulnerability advisories include (airlock feeds import), worst first, with the advisories, the
version that fixes each, the repositories holding it and when a client last downloaded it.

  --severity LEVEL   only versions with an advisory at LEVEL or worse
                     (critical, high, moderate, low, unknown; default: all)
  --ecosystem, --name  one ecosystem, one package
  --limit N          list at most N versions (default 500; the totals count all)
  --fail-on LEVEL    exit 1 when a version has an advisory at LEVEL or worse
  --format           table (default) or json

The API needs a reader token in ${'$'}AIRLOCK_TOKEN; --server defaults to ${'$'}AIRLOCK_SERVER or
http://127.0.0.1:8080.
${TLS_HELP}`;

function level(value: string | undefined, option: string): SeverityLevel | undefined {
  if (value === undefined) return undefined;
  if (!(SEVERITY_LEVELS as readonly string[]).includes(value)) throw new UsageError(`${option} must be one of ${SEVERITY_LEVELS.join(', ')}, not '${value}'`);
  return value as SeverityLevel;
}

export const command: Command = {
  summary: 'the versions held that known vulnerabilities affect',
  async run(argv, io) {
    if (argv.includes('--help') || argv.includes('-h')) {
      io.stdout.write(HELP);
      return EXIT.ok;
    }
    const { values, positionals } = parse(argv, {
      ...serverOptions,
      severity: { type: 'string' },
      ecosystem: { type: 'string' },
      name: { type: 'string' },
      limit: { type: 'string' },
      'fail-on': { type: 'string' },
      format: { type: 'string' },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
    const severity = level(values.severity, '--severity');
    const failOn = level(values['fail-on'], '--fail-on');
    if (values.ecosystem !== undefined && values.ecosystem !== 'npm' && values.ecosystem !== 'pypi') throw new UsageError(`--ecosystem must be npm or pypi, not '${values.ecosystem}'`);
    if (values.limit !== undefined && (!/^[1-9]\d{0,3}$/.test(values.limit) || Number(values.limit) > 5000)) throw new UsageError('--limit must be a whole number from 1 to 5000');
    const format = values.format ?? 'table';
    if (format !== 'table' && format !== 'json') throw new UsageError(`--format must be table or json, not '${format}'`);
    try {
      const report = await clientFrom(values, io).vulnerabilities({
        severity,
        ecosystem: values.ecosystem,
        name: values.name,
        limit: values.limit === undefined ? undefined : Number(values.limit),
      });
      if (format === 'json') io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else if (report.total === 0) io.stdout.write(`no held version has a known vulnerability${severity === undefined ? '' : ` of ${severity} severity or worse`} (${report.packages} packages have advisories)\n`);
      else {
        io.stdout.write(
          table(
            ['PACKAGE', 'VERSION', 'SEVERITY', 'ADVISORIES', 'FIXED IN', 'REPOSITORIES', 'LAST USED'],
            report.items.map((i) => {
              const v = i.vulnerabilities;
              const fixes = [...new Set(v.records.map((r) => r.fixed).filter((f): f is string => f !== null))];
              return [
                `${i.ecosystem}:${i.name}`,
                i.version,
                v.max_score === null ? String(v.max_severity) : `${v.max_severity} (${v.max_score})`,
                clip(v.records.map((r) => r.id).join(', '), 60),
                fixes.length === 0 ? '-' : clip(fixes.join(', '), 30),
                i.repos.join(', '),
                i.usedAt.slice(0, 10),
              ];
            }),
          ),
        );
        const counts = SEVERITY_LEVELS.filter((l) => report.bySeverity[l] > 0).map((l) => `${report.bySeverity[l]} ${l}`);
        io.stdout.write(`${report.total} held version${report.total === 1 ? '' : 's'} affected (${counts.join(', ')})${report.items.length < report.total ? `; ${report.items.length} listed` : ''}\n`);
      }
      if (failOn !== undefined) {
        const worse = SEVERITY_LEVELS.slice(0, SEVERITY_LEVELS.indexOf(failOn) + 1);
        if (worse.some((l) => report.bySeverity[l] > 0)) return EXIT.failed;
      }
      return EXIT.ok;
    } catch (err) {
      return reportError(err, io, 'airlock vulnerabilities');
    }
  },
};
