/**
 * Output captured in memory for tests that read what Airlock wrote: its JSON log lines (the
 * logger's stream, given to startAirlock), and the admin CLI's exit code, stdout and stderr when
 * `main` runs in the test's own process.
 */
import { PassThrough, Writable } from 'node:stream';
import { main } from '../../src/cli/main.ts';

export type LogLine = Readonly<Record<string, unknown>>;

/** A log stream kept in memory, and the JSON lines written to it so far. */
export function memoryLog(): { stream: Writable; lines(): LogLine[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      callback();
    },
  });
  return { stream, lines: () => chunks.join('').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as LogLine) };
}

/** `airlock <args>` run in this process, with `env` as its whole environment. */
export async function cliInProcess(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (c: Buffer) => (stdout += c.toString()));
  err.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await main(args, { stdout: out, stderr: err, env, cwd: process.cwd() });
  return { code, stdout, stderr };
}
