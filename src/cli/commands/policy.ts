/**
 * `airlock policy eval|test|check`: Airlock's Rego engine on the command line, with OPA's
 * flags where they overlap (`-d/--data`, `-i/--input`, `-f/--format`, `--strict-builtin-errors`,
 * `-v`, `-r/--run`), so policies can be developed with either tool.
 */
import { parseArgs } from 'node:util';
import { compile, type CompiledPolicy, type QueryResult, RegoError } from '../../rego/index.ts';
import type { Value } from '../../rego/value.ts';
import type { Command, CommandIO } from '../command.ts';
import { UsageError } from '../command.ts';
import { loadInput, loadPaths, LoadError } from './policy/load.ts';
import { formatBindings, formatJSON, formatPretty, formatRaw, formatValues } from './policy/output.ts';
import { formatReport, runTests } from './policy/test-runner.ts';
import { loadBundle } from '../../policy/bundle-loader.ts';
import { parseDuration } from '../../gate/duration.ts';
import type { ImpactReport, ImpactVerdict } from '../../gate/policy-impact.ts';
import { clientFrom, clip, parse, reportError, serverOptions, table } from '../admin/cli-support.ts';

const HELP = `usage: airlock policy <eval|test|check|impact> [options]

  airlock policy eval -d PATH… [-i INPUT] [--strict-builtin-errors] [-f FORMAT] QUERY
      Evaluates QUERY against the modules and data under each -d path (like opa eval).
  airlock policy test [-v] [-r REGEX] PATH…
      Runs every test_ rule (like opa test); exits 1 when a test fails, and when no test ran
      (no test_ rule under PATH, or -r matched none): opa test's --fail-on-empty, which is
      accepted and always on, so a mistyped -r or path does not pass a CI check.
  airlock policy check PATH…
      Parses and compiles; prints errors with locations and exits 1 on error.
  airlock policy impact [--since DURATION] [--limit N] [--format table|json] [--fail-on-change] PATH…
      What the policy under PATH would change if it replaced a running Airlock's active policy:
      the server (--server, token in AIRLOCK_TOKEN, admin) replays the decisions it recorded
      (the latest per version, newest first) under both, each with the facts and clock it was
      decided with, and lists every version whose verdict, reasons or warnings differ.
      --since 7d: only decisions of the last 7 days; --limit: at most N (default 10000).
      --fail-on-change: exit 1 when anything changes (a gate for policy changes in CI).

  -d, --data PATH            .rego, .json, .yaml files or directories (repeatable)
  -b, --bundle PATH          a bundle directory (loaded like --data)
  -i, --input FILE           input document (JSON or YAML; - for stdin)
  -f, --format FORMAT        json (default), pretty, values, bindings, raw
      --strict-builtin-errors  builtin errors halt evaluation instead of being undefined
      --timeout MS           evaluation time limit
  -v, --verbose              list every test result
  -r, --run REGEX            only tests whose ref matches
`;

const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

const FORMATS: Readonly<Record<string, (rows: readonly QueryResult[]) => string>> = {
  json: formatJSON,
  pretty: formatPretty,
  values: formatValues,
  bindings: formatBindings,
  raw: formatRaw,
};

function compileOrReport(paths: readonly string[], io: CommandIO): { policy: CompiledPolicy; data: Value } | number {
  let bundle;
  try {
    bundle = loadPaths(paths);
  } catch (e) {
    if (e instanceof LoadError || (e instanceof Error && 'code' in e)) {
      io.stderr.write(`error: ${e.message}\n`);
      return EXIT.failed;
    }
    throw e;
  }
  try {
    return { policy: compile(bundle.modules, { data: bundle.data }), data: bundle.data };
  } catch (e) {
    if (e instanceof RegoError) {
      const n = e.errors.length;
      io.stderr.write(`${n} error${n === 1 ? '' : 's'} occurred:\n${e.render()}\n`);
      return EXIT.failed;
    }
    throw e;
  }
}

function timeoutOf(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--timeout must be a positive number of milliseconds`);
  return n;
}

async function evalCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      data: { type: 'string', short: 'd', multiple: true },
      bundle: { type: 'string', short: 'b', multiple: true },
      input: { type: 'string', short: 'i' },
      format: { type: 'string', short: 'f' },
      'strict-builtin-errors': { type: 'boolean' },
      timeout: { type: 'string' },
    },
  });
  if (positionals.length !== 1) throw new UsageError('eval takes exactly one QUERY');
  const format = values.format ?? 'json';
  const formatter = FORMATS[format];
  if (formatter === undefined) throw new UsageError(`unknown format '${format}' (${Object.keys(FORMATS).join(', ')})`);
  const compiled = compileOrReport([...(values.data ?? []), ...(values.bundle ?? [])], io);
  if (typeof compiled === 'number') return compiled;
  let input: Value | undefined;
  if (values.input !== undefined) {
    try {
      input = loadInput(values.input);
    } catch (e) {
      io.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
      return EXIT.failed;
    }
  }
  const timeoutMs = timeoutOf(values.timeout);
  try {
    const rows = compiled.policy.query(positionals[0] as string, {
      input,
      strictBuiltinErrors: values['strict-builtin-errors'] === true,
      print: (m) => void io.stderr.write(`${m}\n`),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    });
    io.stdout.write(formatter(rows));
    return EXIT.ok;
  } catch (e) {
    if (e instanceof RegoError) {
      io.stderr.write(`${e.errors.length === 1 ? '1 error occurred' : `${e.errors.length} errors occurred`}:\n${e.render()}\n`);
      return EXIT.failed;
    }
    throw e;
  }
}

async function testCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      verbose: { type: 'boolean', short: 'v' },
      run: { type: 'string', short: 'r' },
      timeout: { type: 'string' },
      'fail-on-empty': { type: 'boolean' },
    },
  });
  if (positionals.length === 0) throw new UsageError('test needs at least one PATH');
  let run: RegExp | undefined;
  if (values.run !== undefined) {
    try {
      run = new RegExp(values.run);
    } catch {
      throw new UsageError(`invalid --run expression '${values.run}'`);
    }
  }
  const compiled = compileOrReport(positionals, io);
  if (typeof compiled === 'number') return compiled;
  const timeoutMs = timeoutOf(values.timeout);
  const results = runTests(compiled.policy, { ...(run === undefined ? {} : { run }), ...(timeoutMs === undefined ? {} : { timeoutMs }) });
  io.stdout.write(formatReport(results, values.verbose === true));
  if (results.length === 0) {
    const total = compiled.policy.tests().length;
    io.stderr.write(
      total === 0
        ? `error: no tests were run: no test_ rule under ${positionals.join(', ')}\n`
        : `error: no tests were run: -r ${JSON.stringify(values.run)} matches none of the ${total} test_ rule${total === 1 ? '' : 's'} (it is matched against refs like data.pkg.test_name)\n`,
    );
    return EXIT.failed;
  }
  return results.every((r) => r.status === 'PASS') ? EXIT.ok : EXIT.failed;
}

async function checkCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  const { positionals } = parseArgs({ args: [...argv], allowPositionals: true, options: {} });
  if (positionals.length === 0) throw new UsageError('check needs at least one PATH');
  const compiled = compileOrReport(positionals, io);
  return typeof compiled === 'number' ? compiled : EXIT.ok;
}

function verdictText(v: ImpactVerdict): string {
  const first = v.verdict === 'allow' ? v.warnings[0] : v.reasons[0];
  const more = (v.verdict === 'allow' ? v.warnings.length : v.reasons.length) - 1;
  if (first === undefined) return v.verdict;
  const rule = first.rule === undefined ? '' : ` [${first.rule}]`;
  return `${v.verdict}: ${first.message}${rule}${more > 0 ? ` (+${more} more)` : ''}`;
}

function impactText(r: ImpactReport): string {
  const window =
    r.examined === 0 ? 'no recorded decisions' : `${r.examined} recorded decision${r.examined === 1 ? '' : 's'} from ${r.oldest?.toISOString() ?? '?'} to ${r.newest?.toISOString() ?? '?'}`;
  const lines = [
    `replayed ${window}${r.complete ? '' : ' (stopped early: the limit or the time budget was reached; use --since or --limit)'}`,
    `active policy ${r.baseline.slice(0, 12)}, candidate ${r.candidate.slice(0, 12)}: ${r.changed === 0 ? 'no change' : `${r.changed} changed`}` +
      (Object.keys(r.transitions).length === 0 ? '' : ` (${Object.entries(r.transitions).map(([t, n]) => `${t.replace('->', ' -> ')}: ${n}`).join(', ')})`),
  ];
  if (r.candidateErrors > 0) lines.push(`the candidate failed to evaluate ${r.candidateErrors} of them (fail closed)`);
  let out = `${lines.join('\n')}\n`;
  if (r.changes.length > 0) {
    out += `\n${table(
      ['PACKAGE', 'PHASE', 'CHANGE', 'ACTIVE POLICY', 'CANDIDATE'],
      r.changes.map((c) => [c.purl, c.phase, c.change, clip(verdictText(c.before), 60), clip(verdictText(c.after), 80)]),
    )}`;
    if (r.changes.length < r.changed) out += `(${r.changed - r.changes.length} more not listed)\n`;
  }
  return out;
}

async function impactCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parse(argv, {
    ...serverOptions,
    since: { type: 'string' },
    limit: { type: 'string' },
    format: { type: 'string' },
    'fail-on-change': { type: 'boolean' },
  });
  if (positionals.length === 0) throw new UsageError('impact needs at least one PATH: the candidate policy');
  const format = values.format ?? 'table';
  if (format !== 'table' && format !== 'json') throw new UsageError('--format must be table or json');
  let limit: number | undefined;
  if (values.limit !== undefined) {
    limit = Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100_000) throw new UsageError('--limit must be a whole number from 1 to 100000');
  }
  let since: string | undefined;
  if (values.since !== undefined) {
    try {
      since = new Date(Date.now() - parseDuration(values.since)).toISOString();
    } catch (e) {
      throw new UsageError(`--since: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  let report: ImpactReport;
  try {
    // The candidate as serving would load it (test modules left out); the server adds its
    // configuration's policy.data, as it does to its own policy.
    const bundle = await loadBundle(positionals, io.cwd);
    report = await clientFrom(values, io).policyImpact({
      modules: bundle.modules,
      data: bundle.data,
      ...(since === undefined ? {} : { since }),
      ...(limit === undefined ? {} : { limit }),
    });
  } catch (err) {
    return reportError(err, io, 'policy impact');
  }
  io.stdout.write(format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : impactText(report));
  return values['fail-on-change'] === true && report.changed > 0 ? EXIT.failed : EXIT.ok;
}

export const command: Command = {
  summary: 'evaluate, test and check Rego policies',
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub === undefined || sub === '--help' || sub === '-h' || rest.includes('--help') || rest.includes('-h')) {
      io.stdout.write(HELP);
      return sub === undefined ? EXIT.usage : EXIT.ok;
    }
    try {
      switch (sub) {
        case 'eval':
          return await evalCommand(rest, io);
        case 'test':
          return await testCommand(rest, io);
        case 'check':
          return await checkCommand(rest, io);
        case 'impact':
          return await impactCommand(rest, io);
        default:
          throw new UsageError(`unknown subcommand '${sub}' (eval, test, check, impact)`);
      }
    } catch (e) {
      if (e instanceof TypeError && 'code' in e && String((e as { code: unknown }).code).startsWith('ERR_PARSE_ARGS')) {
        throw new UsageError(e.message);
      }
      throw e;
    }
  },
};
