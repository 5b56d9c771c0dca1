/**
 * `airlock audit verify|export|report`: the audit trail's chain checked in place, a period of it
 * exported as a segment that verifies later without trusting whoever exported it, and a
 * compliance report of a period (docs/audit-evidence.md). Each works through a server's API (an
 * approver or admin token in $AIRLOCK_TOKEN) or directly on the storage (--data-dir, --config).
 */
import type { Command } from '../../command.ts';
import { UsageError } from '../../command.ts';
import { EXIT, parse, reportError, TLS_HELP } from '../../admin/cli-support.ts';
import { verifyChain } from './chain.ts';
import { exportSegment } from './export.ts';
import { report } from './report.ts';
import { rangeFrom, rangeOptions, targetNamed, targetOptions, withTarget } from './target.ts';
import { verifyFile } from './verify-file.ts';

const HELP = `usage: airlock audit verify [--server URL | --data-dir DIR | --config FILE]
       airlock audit verify --file EXPORT.jsonl [--server URL | --data-dir DIR | --config FILE]
       airlock audit export [--since WHEN] [--until WHEN] [--after SEQ] [--through SEQ] [--out FILE] [target]
       airlock audit report [--since WHEN] [--until WHEN] [--after SEQ] [--through SEQ] [--format text|json] [target]
       airlock audit report --file EXPORT.jsonl [--format text|json] [target]

verify   Checks the hash chain of the whole audit trail and names the first broken link: through
         a server's API, or on the storage itself (a data directory, or the storage a
         configuration file names, such as a shared PostgreSQL).
         --file: checks an exported segment offline instead (every hash, seqs contiguous from its
         anchor, header and trailer); with --server, --data-dir or --config as well, also that
         the anchor and every event are still the same in the live trail.
export   Writes a period of the trail as a segment (JSON Lines: a header with the anchor, the
         events exactly as stored, a trailer) to stdout, or to --out FILE (written whole or not
         at all). Events appended while it runs are not in it.
report   Summarises a period: decisions by ecosystem and verdict; quarantine holds, releases and
         rejections; exceptions; policy, feed and token changes; hosted publishes, unpublishes
         and yanks; each with who, when and why; ending with the period's chain anchor and last
         hash (those of an export of the same period). The segment is verified as it is read.

WHEN is an ISO 8601 instant (2026-01-01T00:00:00Z) or a duration back from now (30d, 12h);
--since is inclusive, --until exclusive, --after SEQ exclusive, --through SEQ inclusive.
target: --server URL (default ${'$'}AIRLOCK_SERVER or http://127.0.0.1:8080), --data-dir DIR or --config FILE.
${TLS_HELP}`;

const SUBCOMMANDS = ['verify', 'export', 'report'] as const;

export const command: Command = {
  summary: 'verify, export and report on the audit trail',
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub === undefined || sub === '--help' || sub === '-h' || rest.includes('--help')) {
      io.stdout.write(HELP);
      return sub === undefined ? EXIT.usage : EXIT.ok;
    }
    if (!(SUBCOMMANDS as readonly string[]).includes(sub)) throw new UsageError(`unknown subcommand '${sub}' (${SUBCOMMANDS.join(', ')})`);
    const prefix = `airlock audit ${sub}`;
    try {
      if (sub === 'verify') {
        const { values, positionals } = parse(rest, { ...targetOptions, file: { type: 'string' } });
        if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
        const file = values.file;
        if (file === undefined) return await withTarget(values, io, (target) => verifyChain(target, io));
        if (!targetNamed(values)) return await verifyFile(file, null, io);
        return await withTarget(values, io, (target) => verifyFile(file, target, io));
      }
      if (sub === 'export') {
        const { values, positionals } = parse(rest, { ...targetOptions, ...rangeOptions, out: { type: 'string' } });
        if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
        const range = rangeFrom(values, new Date());
        return await withTarget(values, io, (target) => exportSegment(target, range, values.out, io));
      }
      const { values, positionals } = parse(rest, { ...targetOptions, ...rangeOptions, format: { type: 'string' }, file: { type: 'string' } });
      if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
      const format = values.format ?? 'text';
      if (format !== 'text' && format !== 'json') throw new UsageError('--format is text or json');
      const range = rangeFrom(values, new Date());
      const file = values.file;
      if (file !== undefined) {
        if (Object.values(range).some((v) => v !== null)) throw new UsageError('--file reports on the period the file holds: give no --since, --until, --after or --through');
        if (!targetNamed(values)) return await report(null, { range, file, format }, io);
      }
      return await withTarget(values, io, (target) => report(target, { range, file, format }, io));
    } catch (err) {
      return reportError(err, io, prefix);
    }
  },
};
