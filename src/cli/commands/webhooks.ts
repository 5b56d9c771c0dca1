/**
 * `airlock webhooks list|test|skip|replay`: the configured webhooks' delivery, through a running
 * server's API (admin token in AIRLOCK_TOKEN).
 */
import type { Command } from '../command.ts';
import { UsageError } from '../command.ts';
import { EXIT, clientFrom, clip, parse, reportError, serverOptions, table, TLS_HELP } from '../admin/cli-support.ts';

const HELP = `usage: airlock webhooks <subcommand> [--server URL]

  list [--format json]        where each webhook's delivery stands: the last audit event done
                              with, how far behind the audit trail it is, and a failure's reason
  test NAME                   sends NAME a webhook.test event now and prints the answer
  skip NAME --reason TEXT     gives up on the event NAME keeps failing to deliver, so the events
                              after it go out (recorded in the audit trail as webhook.skip)
  replay NAME --from SEQ --reason TEXT
                              delivers every event from audit seq SEQ on again (webhook.replay)

Webhooks are configured in the configuration file (webhooks:). The API needs an admin token in
${'$'}AIRLOCK_TOKEN; --server defaults to ${'$'}AIRLOCK_SERVER or http://127.0.0.1:8080.
${TLS_HELP}`;

export const command: Command = {
  summary: 'see and steer webhook delivery',
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub === undefined || sub === '--help' || sub === '-h' || rest.includes('--help') || rest.includes('-h')) {
      io.stdout.write(HELP);
      return sub === undefined ? EXIT.usage : EXIT.ok;
    }
    if (sub !== 'list' && sub !== 'test' && sub !== 'skip' && sub !== 'replay') throw new UsageError(`unknown subcommand '${sub}' (list, test, skip, replay)`);
    const { values, positionals } = parse(rest, { ...serverOptions, reason: { type: 'string' }, from: { type: 'string' }, format: { type: 'string' } });
    const wantsName = sub !== 'list';
    if (wantsName && positionals.length !== 1) throw new UsageError(`${sub} takes exactly one webhook name`);
    if (!wantsName && positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
    if ((sub === 'skip' || sub === 'replay') && (values.reason === undefined || values.reason.trim() === '')) throw new UsageError(`${sub} needs --reason TEXT (it is recorded in the audit trail)`);
    let from = 0;
    if (sub === 'replay') {
      if (values.from === undefined || !/^[1-9]\d{0,15}$/.test(values.from)) throw new UsageError('replay needs --from SEQ, the audit seq to deliver again from (1 or more)');
      from = Number(values.from);
    }
    const name = positionals[0] as string;
    try {
      const client = clientFrom(values, io);
      switch (sub) {
        case 'list': {
          const items = await client.webhooks();
          if (values.format === 'json') io.stdout.write(`${JSON.stringify(items, null, 2)}\n`);
          else if (items.length === 0) io.stdout.write('no webhooks are configured\n');
          else
            io.stdout.write(
              table(
                ['NAME', 'DONE', 'BEHIND', 'LAST DELIVERED', 'STATE', 'URL'],
                items.map((w) => [
                  w.name,
                  w.seq === null ? '-' : String(w.seq),
                  String(w.behind),
                  w.deliveredAt === null ? '-' : w.deliveredAt.slice(0, 19).replace('T', ' '),
                  w.attempts === 0 ? 'ok' : `failing (${w.attempts} attempts since ${w.failingSince?.slice(0, 19).replace('T', ' ')}): ${clip(w.lastError ?? '', 120)}`,
                  w.url,
                ]),
              ),
            );
          return EXIT.ok;
        }
        case 'test': {
          const r = await client.testWebhook(name);
          if (r.delivered) {
            io.stdout.write(`delivered: the receiver answered ${r.status}\n`);
            return EXIT.ok;
          }
          io.stderr.write(`not delivered: ${r.error ?? 'no answer'}\n`);
          return EXIT.failed;
        }
        case 'skip': {
          const r = await client.skipWebhook(name, values.reason as string);
          io.stdout.write(`skipped audit event ${r.skipped} for ${name}; the events after it go out now\n`);
          return EXIT.ok;
        }
        case 'replay': {
          await client.replayWebhook(name, from, values.reason as string);
          io.stdout.write(`${name} delivers again from audit event ${from}\n`);
          return EXIT.ok;
        }
      }
    } catch (err) {
      return reportError(err, io, `airlock webhooks ${sub}`);
    }
  },
};
