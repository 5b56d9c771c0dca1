/**
 * Runs a real client (skopeo, the docker CLI …) as a child process and collects what it printed:
 * its exit code, stdout and stderr, whatever the code. A time-out kills it; the result then has
 * code -1 and says so in stderr. Asynchronous, so the test process can answer the client meanwhile
 * (Airlock runs in it).
 */
import { spawn } from 'node:child_process';

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CommandOptions {
  /** The whole environment of the child (nothing is inherited). */
  readonly env: NodeJS.ProcessEnv;
  readonly timeoutMs: number;
  /** Written to its stdin, which is then closed (default: closed at once). */
  readonly input?: string;
}

export function runCommand(command: string, args: readonly string[], options: CommandOptions): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    // A child that exits without reading its input is no error of the run.
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: timedOut ? -1 : (code ?? -1), stdout, stderr: timedOut ? `${stderr}\n(${command} killed after ${options.timeoutMs} ms)` : stderr });
    });
  });
}
