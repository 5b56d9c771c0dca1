import type { Command, CommandIO } from './command.ts';
import { UsageError } from './command.ts';

/** Each command lives in its own module, loaded on demand so start-up stays cheap. */
const COMMANDS: Readonly<Record<string, () => Promise<{ readonly command: Command }>>> = {
  serve: () => import('./commands/serve.ts'),
  quarantine: () => import('./commands/quarantine.ts'),
  token: () => import('./commands/token.ts'),
  audit: () => import('./commands/audit/index.ts'),
  inventory: () => import('./commands/inventory.ts'),
  policy: () => import('./commands/policy.ts'),
  scan: () => import('./commands/scan.ts'),
  lookalike: () => import('./commands/lookalike.ts'),
  check: () => import('./commands/check.ts'),
  feeds: () => import('./commands/feeds.ts'),
  storage: () => import('./commands/storage.ts'),
  webhooks: () => import('./commands/webhooks.ts'),
  vulnerabilities: () => import('./commands/vulnerabilities.ts'),
  pypi: () => import('./commands/pypi.ts'),
};

function usage(): string {
  return [
    'usage: airlock <command> [options]',
    '',
    'commands:',
    ...Object.keys(COMMANDS).map((c) => `  ${c}`),
    '',
    "run 'airlock <command> --help' for a command's options",
  ].join('\n');
}

export async function main(argv: readonly string[], io: CommandIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(`${usage()}\n`);
    return name === undefined ? 2 : 0;
  }
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (load === undefined) {
    io.stderr.write(`airlock: unknown command '${name}'\n${usage()}\n`);
    return 2;
  }
  const { command } = await load();
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`airlock ${name}: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
