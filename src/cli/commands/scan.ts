/**
 * `airlock scan PATH… [--format text|json|sarif] [--recursive]`: scans model files for code
 * execution before anyone loads them. Exit 0 when every file is safe; 1 when anything is
 * malicious, suspicious, invalid or unscannable; 2 on usage errors.
 */
import { parseArgs } from 'node:util';
import { lstat, readdir, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command, CommandIO } from '../command.ts';
import { UsageError } from '../command.ts';
import { scanFile, type FileScanResult, type ScanLimits } from '../../scan/index.ts';
import { renderJson, renderSarif, renderText } from '../../scan/report/index.ts';

const HELP = `usage: airlock scan PATH... [--format text|json|sarif] [--recursive] [--verbose]
                   [--timeout SECONDS] [--max-member-mb N]

Scans model files (pickle, PyTorch, joblib, NumPy, zip/tar/7z/gzip/bzip2/xz archives, and the
formats the scanner recognises) by content, never by name, and reports a verdict per file:
safe, malicious, suspicious, invalid or unscannable.

  --format FORMAT    text (default), json, or sarif (SARIF 2.1.0)
  -r, --recursive    scan directories recursively
  -v, --verbose      also list informational findings (text format)
  --timeout SECONDS  time budget per file (default 120)
  --max-member-mb N  largest decompressed member to materialise (default 256)

exit status: 0 all safe, 1 anything malicious/suspicious/invalid/unscannable, 2 usage error
`;

const FORMATS = ['text', 'json', 'sarif'] as const;
type ReportFormat = (typeof FORMATS)[number];

interface Target {
  readonly display: string;
  readonly absolute: string;
}

async function collect(paths: readonly string[], cwd: string, recursive: boolean, io: CommandIO): Promise<Target[]> {
  const out: Target[] = [];
  const walk = async (display: string, absolute: string): Promise<void> => {
    const entries = await readdir(absolute, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const d = join(display, e.name);
      const a = join(absolute, e.name);
      if (e.isDirectory()) await walk(d, a);
      else if (e.isFile()) out.push({ display: d, absolute: a });
      else if (e.isSymbolicLink()) {
        const s = await stat(a).catch(() => undefined);
        if (s?.isFile() === true) out.push({ display: d, absolute: a });
        else io.stderr.write(`airlock scan: skipping ${d} (symbolic link to ${s === undefined ? 'nothing' : 'a non-file'})\n`);
      } else io.stderr.write(`airlock scan: skipping ${d} (not a regular file)\n`);
    }
  };
  for (const p of paths) {
    const absolute = resolve(cwd, p);
    const s = await stat(absolute).catch(() => undefined);
    if (s === undefined) {
      const l = await lstat(absolute).catch(() => undefined);
      throw new UsageError(l === undefined ? `${p}: no such file or directory` : `${p}: broken symbolic link`);
    }
    if (s.isDirectory()) {
      if (!recursive) throw new UsageError(`${p} is a directory (use --recursive)`);
      await walk(p, absolute);
    } else if (s.isFile()) out.push({ display: p, absolute });
    else throw new UsageError(`${p} is not a regular file`);
  }
  return out;
}

async function scanAll(targets: readonly Target[], limits: Partial<ScanLimits>): Promise<FileScanResult[]> {
  const results = new Array<FileScanResult>(targets.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      const t = targets[i];
      if (t === undefined) return;
      const r = await scanFile(t.absolute, { limits });
      results[i] = { ...r, path: t.display };
    }
  };
  const n = Math.max(1, Math.min(4, availableParallelism(), targets.length));
  await Promise.all(Array.from({ length: n }, () => worker()));
  return results;
}

function positiveNumber(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} must be a positive number`);
  return n;
}

export const command: Command = {
  summary: 'scan model files for code execution (pickle, PyTorch, archives …)',
  async run(argv, io) {
    let parsed;
    try {
      parsed = parseArgs({
        args: [...argv],
        allowPositionals: true,
        strict: true,
        options: {
          format: { type: 'string', default: 'text' },
          recursive: { type: 'boolean', short: 'r', default: false },
          verbose: { type: 'boolean', short: 'v', default: false },
          timeout: { type: 'string' },
          'max-member-mb': { type: 'string' },
          help: { type: 'boolean', short: 'h', default: false },
        },
      });
    } catch (err) {
      throw new UsageError(err instanceof Error ? err.message : String(err));
    }
    const { values, positionals } = parsed;
    if (values.help) {
      io.stdout.write(HELP);
      return 0;
    }
    if (positionals.length === 0) throw new UsageError(`no PATH given\n${HELP}`);
    const format = values.format as ReportFormat;
    if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}`);
    const timeout = positiveNumber(values.timeout, '--timeout');
    const memberMb = positiveNumber(values['max-member-mb'], '--max-member-mb');
    const limits: Partial<ScanLimits> = {
      ...(timeout === undefined ? {} : { timeoutMs: timeout * 1000 }),
      ...(memberMb === undefined ? {} : { maxMemberBytes: Math.floor(memberMb * 1024 * 1024) }),
    };
    const targets = await collect(positionals, io.cwd, values.recursive, io);
    const results = await scanAll(targets, limits);
    switch (format) {
      case 'text':
        io.stdout.write(renderText(results, { verbose: values.verbose }));
        break;
      case 'json':
        io.stdout.write(renderJson(results));
        break;
      case 'sarif':
        io.stdout.write(renderSarif(results, '0.1.0'));
        break;
    }
    return results.every((r) => r.verdict === 'safe') ? 0 : 1;
  },
};
