/**
 * Shared by the admin commands (serve, quarantine, token, audit): argument parsing, the
 * server/token pair, exit codes and one-line error reporting.
 */
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { ApiError, ApiUnreachableError, AdminClient } from '../../api/client.ts';
import { isAirlockError } from '../../core/index.ts';
import type { CommandIO } from '../command.ts';
import { UsageError } from '../command.ts';

/** Exit codes: 0 ok, 1 failed, 2 usage, 3 server unreachable, 4 refused (401/403), 5 not found, 6 conflict. */
export const EXIT = { ok: 0, failed: 1, usage: 2, unreachable: 3, refused: 4, notFound: 5, conflict: 6 } as const;

export const DEFAULT_SERVER = 'http://127.0.0.1:8080';

export function parse<const O extends ParseArgsOptionsConfig>(argv: readonly string[], options: O) {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

export const serverOptions = {
  server: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function clientFrom(values: { server?: string | undefined }, io: CommandIO): AdminClient {
  const server = values.server ?? io.env['AIRLOCK_SERVER'] ?? DEFAULT_SERVER;
  const token = io.env['AIRLOCK_TOKEN'];
  return new AdminClient(server, token === undefined || token === '' ? null : token);
}

/** Prints one clear line for an error and returns the exit code. */
export function reportError(err: unknown, io: CommandIO, prefix: string): number {
  if (err instanceof UsageError) throw err;
  if (err instanceof ApiUnreachableError) {
    io.stderr.write(`${prefix}: ${err.message}\n`);
    return EXIT.unreachable;
  }
  if (err instanceof ApiError) {
    const hint = err.status === 401 && io.env['AIRLOCK_TOKEN'] === undefined ? ' (set AIRLOCK_TOKEN to an API token)' : '';
    io.stderr.write(`${prefix}: ${err.message}${hint}\n`);
    if (err.status === 401 || err.status === 403) return EXIT.refused;
    if (err.status === 404) return EXIT.notFound;
    if (err.status === 409) return EXIT.conflict;
    return EXIT.failed;
  }
  if (isAirlockError(err)) {
    io.stderr.write(`${prefix}: ${err.message}\n`);
    if (err.code === 'BAD_REQUEST') return EXIT.usage;
    if (err.code === 'NOT_FOUND') return EXIT.notFound;
    return EXIT.failed;
  }
  io.stderr.write(`${prefix}: ${err instanceof Error ? err.message : String(err)}\n`);
  return EXIT.failed;
}

/** A fixed-width text table. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return `${[line(headers), ...rows.map(line)].join('\n')}\n`;
}

export function clip(text: string, max: number): string {
  const one = text.replace(/\s+/g, ' ');
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}
