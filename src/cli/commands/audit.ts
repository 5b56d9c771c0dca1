/**
 * `airlock audit verify`: walk the whole audit trail and check the hash chain — through a
 * server's API (works against any Airlock; needs an approver or admin token) or directly on a
 * data directory with `--data-dir`. Exits non-zero naming the first broken link.
 */
import { localStorageOptions, openLocalStorage, wantsLocalStorage } from '../admin/local-storage.ts';
import { AuditChainVerifier, type AuditEvent } from '../../storage/ports/index.ts';
import type { Command, CommandIO } from '../command.ts';
import { UsageError } from '../command.ts';
import { EXIT, clientFrom, parse, reportError, serverOptions } from '../admin/cli-support.ts';

const HELP = `usage: airlock audit verify [--server URL | --data-dir DIR | --config FILE]

Checks the hash chain of the whole audit trail and names the first broken link: through a
server's API, or on the storage itself (a data directory, or the storage a configuration file
names, such as a shared PostgreSQL).
`;

const PAGE = 1000;

type PageSource = (after: number) => Promise<readonly AuditEvent[]>;

const KIND_TEXT = {
  'seq-gap': 'an event is missing or was inserted',
  'prev-hash': 'the link to the previous event does not match',
  hash: 'the event content does not match its hash (altered)',
} as const;

async function verify(source: PageSource, io: CommandIO): Promise<number> {
  const verifier = new AuditChainVerifier();
  let after = 0;
  for (;;) {
    const items = await source(after);
    for (const e of items) {
      const broken = verifier.check(e);
      if (broken !== null) {
        io.stderr.write(`audit chain broken at seq ${broken.seq}: ${KIND_TEXT[broken.kind]} (expected ${broken.expected}, found ${broken.actual})\n`);
        return EXIT.failed;
      }
    }
    const last = items[items.length - 1];
    if (items.length < PAGE || last === undefined) break;
    after = last.seq;
  }
  const r = verifier.result();
  if (!r.ok) return EXIT.failed;
  io.stdout.write(`audit chain intact: ${r.count} events, head seq ${r.headSeq} hash ${r.headHash}\n`);
  return EXIT.ok;
}

export const command: Command = {
  summary: 'verify the audit trail hash chain',
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub === undefined || sub === '--help' || sub === '-h' || rest.includes('--help')) {
      io.stdout.write(HELP);
      return sub === undefined ? EXIT.usage : EXIT.ok;
    }
    if (sub !== 'verify') throw new UsageError(`unknown subcommand '${sub}' (verify)`);
    const { values, positionals } = parse(rest, { ...serverOptions, ...localStorageOptions });
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
    try {
      if (wantsLocalStorage(values)) {
        if (values.server !== undefined) throw new UsageError('give --server, or --data-dir / --config, not both');
        const storage = await openLocalStorage(values, io);
        try {
          return await verify((after) => storage.metadata.listAudit({ afterSeq: after, limit: PAGE }), io);
        } finally {
          await storage.close();
        }
      }
      const client = clientFrom(values, io);
      return await verify(async (after) => (await client.audit(after, PAGE)).items, io);
    } catch (err) {
      return reportError(err, io, 'airlock audit verify');
    }
  },
};
