/**
 * What the configuration fuzz targets share: the one world they load configurations in (made on
 * first use, removed by `done`), the error every refusal must be, and what a loaded configuration
 * must hold whatever its text.
 */
import { join } from 'node:path';
import { inspect } from 'node:util';
import { isAirlockError } from '../../../src/core/errors.ts';
import { Secret, type AirlockConfig } from '../../../src/app/config/index.ts';
import { httpUrl } from '../../../src/app/config/checks.ts';
import { MAX_DURATION_MS } from '../../../src/gate/duration.ts';
import { isGenericJsFailure } from '../../support/fuzz/target.ts';
import { makeWorld, SECRET_MARK, type ConfigWorld } from './config-world.ts';

const GIB = 1024 ** 3;

let current: ConfigWorld | null = null;
export const world = (): ConfigWorld => (current ??= makeWorld());
export const done = (): void => {
  current?.remove();
  current = null;
};
/** Where the file target writes each input, and the file YAML errors name. */
export const configFile = (): string => join(world().dir, 'airlock.yaml');
/** The validation context of a configuration file in the world's directory. */
export const context = (env: NodeJS.ProcessEnv) => ({ env, baseDir: world().dir, cwd: world().dir });

/** CONFIG_INVALID whose message starts with what it is about (a key's path, a variable, the file) and holds no secret. */
const PATH_FIRST = /^(?:(?:\(top level\)|version|server|storage|policy|access|signals|repositories|webhooks|npm's)[.[:( ]|AIRLOCK_)/;
/** A top-level key's path is the key itself, whatever it is. */
const TOP_LEVEL_UNKNOWN = /^[^\n]*: unknown key \(expected one of: version, server,/;
export function configError(err: unknown): boolean {
  if (!isAirlockError(err, 'CONFIG_INVALID') || isGenericJsFailure(err)) return false;
  const names = PATH_FIRST.test(err.message) || err.message.startsWith(configFile()) || err.message.startsWith(`configuration file ${configFile()} `) || TOP_LEVEL_UNKNOWN.test(err.message);
  return names && !err.message.includes(SECRET_MARK);
}

/** A number of the configuration that is not whole and in bounds where it must be. */
export function numberProblem(v: unknown, at: string): string | undefined {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return `${at} is ${v}`;
    if (at.endsWith('Ms') && !(Number.isSafeInteger(v) && v >= 0 && v <= MAX_DURATION_MS)) return `${at} is ${v} ms`;
    if (at.endsWith('Bytes') && !(Number.isSafeInteger(v) && v >= 0 && v <= 64 * GIB)) return `${at} is ${v} bytes`;
    return undefined;
  }
  if (typeof v !== 'object' || v === null || at === '.policy.data' || (!Array.isArray(v) && Object.getPrototypeOf(v) !== Object.prototype)) return undefined;
  for (const [k, x] of Object.entries(v)) {
    const p = numberProblem(x, Array.isArray(v) ? `${at}[${k}]` : `${at}.${k}`);
    if (p !== undefined) return p;
  }
  return undefined;
}

/** A secret of the configuration whose value is not text: read from somewhere a reference must not reach. */
function secretProblem(v: unknown, at: string): string | undefined {
  if (v instanceof Secret) return typeof v.reveal() === 'string' && v.reveal() !== '' ? undefined : `${at} holds a ${typeof v.reveal()} from ${v.source}`;
  if (typeof v !== 'object' || v === null || (!Array.isArray(v) && Object.getPrototypeOf(v) !== Object.prototype)) return undefined;
  for (const [k, x] of Object.entries(v)) {
    const p = secretProblem(x, `${at}.${k}`);
    if (p !== undefined) return p;
  }
  return undefined;
}

/** What a loaded configuration must hold whatever its text. */
export function loadedProblem(c: AirlockConfig): string | undefined {
  const numbers = numberProblem(c, '') ?? secretProblem(c, '');
  if (numbers !== undefined) return numbers;
  if (c.server.port < 0 || c.server.port > 65535) return `port ${c.server.port}`;
  const urls = [c.server.publicUrl, ...c.repositories.flatMap((r) => (r.kind === 'proxy' ? [r.upstream, r.filesUpstream] : []))];
  for (const u of urls) if (u !== null && httpUrl(u, 'again') !== u) return `the URL ${u} reads as ${httpUrl(u, 'again')} when given again`;
  if (c.policy.bundle !== null && c.policy.bundle.maxDelayMs < c.policy.bundle.minDelayMs) return 'bundle polling: maxDelay below minDelay';
  if (!Object.isFrozen(c) || !c.repositories.every((r) => Object.isFrozen(r))) return 'not frozen';
  if (JSON.stringify(c).includes(SECRET_MARK) || inspect(c, { depth: Infinity }).includes(SECRET_MARK)) return 'a secret shows in a dump of the configuration';
  return undefined;
}

