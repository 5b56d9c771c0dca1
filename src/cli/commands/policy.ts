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

const HELP = `usage: airlock policy <eval|test|check> [options]

  airlock policy eval -d PATH… [-i INPUT] [--strict-builtin-errors] [-f FORMAT] QUERY
      Evaluates QUERY against the modules and data under each -d path (like opa eval).
  airlock policy test [-v] [-r REGEX] PATH…
      Runs every test_ rule (like opa test); exits 1 when a test fails.
  airlock policy check PATH…
      Parses and compiles; prints errors with locations and exits 1 on error.

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
  return results.every((r) => r.status === 'PASS') && results.length > 0 ? EXIT.ok : EXIT.failed;
}

async function checkCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  const { positionals } = parseArgs({ args: [...argv], allowPositionals: true, options: {} });
  if (positionals.length === 0) throw new UsageError('check needs at least one PATH');
  const compiled = compileOrReport(positionals, io);
  return typeof compiled === 'number' ? compiled : EXIT.ok;
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
        default:
          throw new UsageError(`unknown subcommand '${sub}' (eval, test, check)`);
      }
    } catch (e) {
      if (e instanceof TypeError && 'code' in e && String((e as { code: unknown }).code).startsWith('ERR_PARSE_ARGS')) {
        throw new UsageError(e.message);
      }
      throw e;
    }
  },
};
