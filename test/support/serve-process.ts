/** `airlock serve` as users run it: the real bin in its own process, its stderr kept, its URL once it listens. */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

export const BIN = join(import.meta.dirname, '..', '..', 'bin', 'airlock.js');

export function serve(cwd: string, args: string[], options: { readonly nodeFlags?: readonly string[]; readonly env?: NodeJS.ProcessEnv } = {}) {
  const env = { ...process.env, AIRLOCK_SERVER_LOG_LEVEL: 'warn', ...options.env };
  const child = spawn(process.execPath, [...(options.nodeFlags ?? []), BIN, 'serve', ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdout.resume();
  const exited = new Promise<number | string | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  const listening = new Promise<string>((resolve, reject) => {
    const onData = (): void => {
      const m = /listening on (https?:\/\/\S+) /.exec(stderr);
      if (m?.[1] !== undefined) resolve(m[1]);
    };
    child.stderr.on('data', onData);
    void exited.then((code) => reject(new Error(`airlock serve exited with ${String(code)}: ${stderr}`)));
  });
  listening.catch(() => {}); // awaited by the tests that expect a start
  return { child, listening, exited, stderr: () => stderr };
}

/** Overrides for `serve`'s environment that unset the inherited variables whose names match `pattern`. */
export function unsetting(pattern: RegExp): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.keys(process.env).filter((k) => pattern.test(k)).map((k) => [k, undefined]));
}

export interface RunningServe {
  readonly url: string;
  stderr(): string;
  /** Stop it now (it is stopped when the test ends anyway). */
  stop(): Promise<void>;
}

/** `serve`, awaited until it listens, and stopped when the test ends. */
export async function serveForTest(t: TestContext, cwd: string, args: string[], options: { readonly env?: NodeJS.ProcessEnv } = {}): Promise<RunningServe> {
  const server = serve(cwd, args, options);
  const stop = async (): Promise<void> => {
    server.child.kill('SIGTERM');
    await server.exited;
  };
  t.after(stop);
  return { url: await server.listening, stderr: server.stderr, stop };
}

/** A configuration file in `dir` with one npm repository named npm (`upstream`, and `extra` YAML lines under it) and its own data directory. */
export async function oneRepositoryConfig(dir: string, name: string, upstream: string, extra = ''): Promise<string> {
  const file = join(dir, `${name}.yaml`);
  await writeFile(file, `repositories:\n  - name: npm\n    format: npm\n    upstream: ${upstream}\n${extra}storage:\n  dataDir: ${join(dir, `${name}-data`)}\n`);
  return file;
}
