/**
 * The docker CLI against a private daemon (dockerd.ts), as a user would run it: each client has
 * its own `DOCKER_CONFIG` directory, so what one `docker login` stores no other client (and no
 * other test) sees. The environment is only what the CLI needs: no DOCKER_* of the machine, no
 * proxy settings, no hints.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand, type CommandResult } from '../run-command.ts';
import type { DockerDaemon } from './dockerd.ts';

export interface DockerRunOptions {
  /** Written to the CLI's stdin (`docker login --password-stdin`). */
  readonly input?: string;
  /** Killed after this long (default 60 s); the result then has code -1. */
  readonly timeoutMs?: number;
}

export interface DockerClient {
  /** Its `DOCKER_CONFIG` (config.json keeps its logins). */
  readonly configDir: string;
  /** `docker <args>`; resolves with the exit code and output whatever the code. */
  run(args: readonly string[], options?: DockerRunOptions): Promise<CommandResult>;
  /** `docker login -u <user> --password-stdin <host>` with the password on stdin. */
  login(host: string, user: string, password: string): Promise<CommandResult>;
}

let clients = 0;

/** A docker CLI user of `daemon` with a fresh, empty configuration. */
export function dockerClient(daemon: DockerDaemon): DockerClient {
  const configDir = join(daemon.dir, `client-${++clients}`);
  mkdirSync(configDir, { mode: 0o700 });
  const env: NodeJS.ProcessEnv = {
    PATH: process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: configDir,
    DOCKER_HOST: `unix://${daemon.socket}`,
    DOCKER_CONFIG: configDir,
    DOCKER_CLI_HINTS: 'false',
  };
  const run = (args: readonly string[], options: DockerRunOptions = {}): Promise<CommandResult> =>
    runCommand('docker', args, { env, timeoutMs: options.timeoutMs ?? 60_000, ...(options.input === undefined ? {} : { input: options.input }) });
  return {
    configDir,
    run,
    login: (host, user, password) => run(['login', '--username', user, '--password-stdin', host], { input: password }),
  };
}

/** Throws with docker's output unless it exited 0. */
export function assertDockerOk(result: CommandResult, what = 'docker'): CommandResult {
  if (result.code !== 0) throw new Error(`${what} exited ${result.code}: ${result.stderr.trim() || result.stdout.trim()}`);
  return result;
}
