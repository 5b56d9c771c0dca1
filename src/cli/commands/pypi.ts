/** `airlock pypi yank|unyank|remove`: changes to a release uploaded to a hosted pypi repository. */
import type { PypiReleaseChange } from '../../api/client.ts';
import type { Command, CommandIO } from '../command.ts';
import { UsageError } from '../command.ts';
import { EXIT, clientFrom, parse, reportError, serverOptions, TLS_HELP } from '../admin/cli-support.ts';

const HELP = `usage: airlock pypi <subcommand> REPOSITORY PROJECT VERSION [--server URL]

  yank REPOSITORY PROJECT VERSION [--reason TEXT]   mark every file of the release yanked (PEP 592):
                                                    pip skips it unless pinned with ==, and prints
                                                    the reason when it installs it
  unyank REPOSITORY PROJECT VERSION                 undo a yank
  remove REPOSITORY PROJECT VERSION                 take the release's files off the project; their
                                                    names are never used again (needs what the
                                                    repository's unpublish names: admins by default)

REPOSITORY is a hosted pypi repository (or a group that publishes to one). Yanking needs a
publisher token. The server defaults to ${'$'}AIRLOCK_SERVER or http://127.0.0.1:8080; the token
comes from ${'$'}AIRLOCK_TOKEN.
${TLS_HELP}`;

const ACTIONS = ['yank', 'unyank', 'remove'] as const;
type Action = (typeof ACTIONS)[number];

function done(c: PypiReleaseChange): string {
  const what = `${c.name} ${c.version} (${c.files.join(', ')})`;
  if (c.action === 'remove') return `removed ${what}: its file names are never used again\n`;
  if (!c.changed) return `${what} was already ${c.action === 'yank' ? 'yanked so' : 'not yanked'}\n`;
  if (c.action === 'unyank') return `unyanked ${what}\n`;
  return `yanked ${what}${typeof c.yanked === 'string' ? `: ${c.yanked}` : ''}\n`;
}

export const command: Command = {
  summary: 'yank, unyank or remove a release of a hosted pypi repository',
  async run(argv, io: CommandIO) {
    const [sub, ...rest] = argv;
    if (sub === undefined || sub === '--help' || sub === '-h') {
      io.stdout.write(HELP);
      return sub === undefined ? EXIT.usage : EXIT.ok;
    }
    if (!(ACTIONS as readonly string[]).includes(sub)) throw new UsageError(`unknown subcommand ${sub}\n\n${HELP}`);
    const action = sub as Action;
    const { values, positionals } = parse(rest, { ...serverOptions, ...(action === 'yank' ? { reason: { type: 'string' } } : {}), format: { type: 'string' } });
    if (values.help === true) {
      io.stdout.write(HELP);
      return EXIT.ok;
    }
    if (positionals.length !== 3) throw new UsageError(`airlock pypi ${action} takes REPOSITORY PROJECT VERSION\n\n${HELP}`);
    const format = values.format ?? 'text';
    if (format !== 'text' && format !== 'json') throw new UsageError('--format must be text or json');
    const [repo, project, version] = positionals as [string, string, string];
    const reason = 'reason' in values && typeof values.reason === 'string' ? values.reason : '';
    try {
      const change = await clientFrom(values, io).changePypiRelease(repo, project, version, action, reason);
      io.stdout.write(format === 'json' ? `${JSON.stringify(change, null, 2)}\n` : done(change));
      return EXIT.ok;
    } catch (err) {
      return reportError(err, io, `airlock pypi ${action}`);
    }
  },
};
