/**
 * `airlock pypi yank|unyank|remove` (a release), `remove-file` (one file of a release) and
 * `yank-project|unyank-project|remove-project` (every release at once): changes to what was
 * uploaded to a hosted pypi repository.
 */
import type { PypiReleaseChange } from '../../api/client.ts';
import type { Command, CommandIO } from '../command.ts';
import { UsageError } from '../command.ts';
import { EXIT, clientFrom, parse, reportError, serverOptions, TLS_HELP } from '../admin/cli-support.ts';

const HELP = `usage: airlock pypi <subcommand> REPOSITORY PROJECT [VERSION | FILENAME] [--server URL]

  yank REPOSITORY PROJECT VERSION [--reason TEXT]   mark every file of the release yanked (PEP 592):
                                                    pip skips it unless pinned with ==, and prints
                                                    the reason when it installs it
  unyank REPOSITORY PROJECT VERSION                 undo a yank
  remove REPOSITORY PROJECT VERSION                 take the release's files off the project; their
                                                    names are never used again (needs what the
                                                    repository's unpublish names: admins by default)
  remove-file REPOSITORY PROJECT FILENAME           take one file of a release off (a wheel built for
                                                    the wrong platform); the release keeps its other
                                                    files, the name is never used again (as remove)
  yank-project REPOSITORY PROJECT [--reason TEXT]   yank every release of the project at once
  unyank-project REPOSITORY PROJECT                 undo a yank of every release
  remove-project REPOSITORY PROJECT [--reason TEXT] take every release off: the project leaves the
                                                    index, its name stays yours (a new version can
                                                    be uploaded), its file names are never used
                                                    again (as remove); the reason is audited

REPOSITORY is a hosted pypi repository (or a group that publishes to one). Yanking needs a
publisher token. The server defaults to ${'$'}AIRLOCK_SERVER or http://127.0.0.1:8080; the token
comes from ${'$'}AIRLOCK_TOKEN.
${TLS_HELP}`;

const ACTIONS = ['yank', 'unyank', 'remove', 'remove-file', 'yank-project', 'unyank-project', 'remove-project'] as const;
type Action = (typeof ACTIONS)[number];

/** The operands after REPOSITORY PROJECT. */
const OPERAND: Readonly<Record<Action, string | null>> = {
  yank: 'VERSION',
  unyank: 'VERSION',
  remove: 'VERSION',
  'remove-file': 'FILENAME',
  'yank-project': null,
  'unyank-project': null,
  'remove-project': null,
};

/** Longest list of file names printed whole. */
const MAX_FILES_SHOWN = 10;

function done(c: PypiReleaseChange): string {
  const files = c.files.length <= MAX_FILES_SHOWN ? c.files.join(', ') : `${c.files.length} files`;
  const what = c.version === null ? `${c.name}, every release (${c.versions.join(', ')}; ${files})` : `${c.name} ${c.version} (${files})`;
  if (c.action === 'remove') return `removed ${what}: its file names are never used again${c.target === 'project' ? `; ${c.name} stays this repository's name` : ''}\n`;
  if (!c.changed) return `${what} was already ${c.action === 'yank' ? 'yanked so' : 'not yanked'}\n`;
  if (c.action === 'unyank') return `unyanked ${what}\n`;
  return `yanked ${what}${typeof c.yanked === 'string' ? `: ${c.yanked}` : ''}\n`;
}

export const command: Command = {
  summary: 'yank, unyank or remove a release, one file or a whole project of a hosted pypi repository',
  async run(argv, io: CommandIO) {
    const [sub, ...rest] = argv;
    if (sub === undefined || sub === '--help' || sub === '-h') {
      io.stdout.write(HELP);
      return sub === undefined ? EXIT.usage : EXIT.ok;
    }
    if (!(ACTIONS as readonly string[]).includes(sub)) throw new UsageError(`unknown subcommand ${sub}\n\n${HELP}`);
    const action = sub as Action;
    const takesReason = action === 'yank' || action === 'yank-project' || action === 'remove-project';
    const { values, positionals } = parse(rest, { ...serverOptions, ...(takesReason ? { reason: { type: 'string' } } : {}), format: { type: 'string' } });
    if (values.help === true) {
      io.stdout.write(HELP);
      return EXIT.ok;
    }
    const operand = OPERAND[action];
    if (positionals.length !== (operand === null ? 2 : 3)) throw new UsageError(`airlock pypi ${action} takes REPOSITORY PROJECT${operand === null ? '' : ` ${operand}`}\n\n${HELP}`);
    const format = values.format ?? 'text';
    if (format !== 'text' && format !== 'json') throw new UsageError('--format must be text or json');
    const [repo, project, third] = positionals as [string, string, string | undefined];
    const reason = 'reason' in values && typeof values.reason === 'string' ? values.reason : '';
    try {
      const client = clientFrom(values, io);
      const change =
        action === 'remove-file'
          ? await client.removePypiFile(repo, project, third as string)
          : action === 'yank-project' || action === 'unyank-project' || action === 'remove-project'
            ? await client.changePypiProject(repo, project, action === 'yank-project' ? 'yank' : action === 'unyank-project' ? 'unyank' : 'remove', reason)
            : await client.changePypiRelease(repo, project, third as string, action, reason);
      io.stdout.write(format === 'json' ? `${JSON.stringify(change, null, 2)}\n` : done(change));
      return EXIT.ok;
    } catch (err) {
      return reportError(err, io, `airlock pypi ${action}`);
    }
  },
};
