/** `airlock serve` as users run it: the real bin in its own process, its stderr kept, its URL once it listens. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

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
      const m = /listening on (http:\/\/\S+) /.exec(stderr);
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
