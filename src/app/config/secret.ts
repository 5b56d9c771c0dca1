/**
 * Secrets are given by reference in configuration — `{env: NAME}` or `{file: PATH}` — and held in
 * a `Secret`, which never prints its value (logs, JSON, inspection all show `[secret]`).
 */
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { inspect } from 'node:util';
import { AirlockError } from '../../core/index.ts';
import { fail, join, object, pathText, string } from './checks.ts';
import { unreadable } from './named-file.ts';

export type SecretRef = { readonly env: string } | { readonly file: string };

const MAX_SECRET_FILE_BYTES = 64 * 1024;

export class Secret {
  readonly #value: string;
  readonly source: string;

  constructor(value: string, source: string) {
    this.#value = value;
    this.source = source;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return '[secret]';
  }

  toJSON(): string {
    return `[secret from ${this.source}]`;
  }

  [inspect.custom](): string {
    return `[secret from ${this.source}]`;
  }
}

export function resolveSecret(ref: SecretRef, path: string, env: NodeJS.ProcessEnv, baseDir: string): Secret {
  if ('env' in ref) {
    // The environment's own variables only: `toString` or `__proto__` would read its prototype's members.
    const v = Object.hasOwn(env, ref.env) ? env[ref.env] : undefined;
    if (typeof v !== 'string' || v === '') {
      throw new AirlockError('CONFIG_INVALID', `${path}: environment variable ${ref.env} is not set`);
    }
    return new Secret(v, `env ${ref.env}`);
  }
  const full = resolve(baseDir, ref.file);
  const text = unreadable(`${path}: secret file ${ref.file}`, () => {
    const st = statSync(full, { throwIfNoEntry: false });
    if (st === undefined || !st.isFile()) throw new AirlockError('CONFIG_INVALID', `${path}: secret file ${ref.file} does not exist`);
    if (st.size > MAX_SECRET_FILE_BYTES) throw new AirlockError('CONFIG_INVALID', `${path}: secret file ${ref.file} is too large`);
    return readFileSync(full, 'utf8').replace(/\r?\n$/, '');
  });
  if (text === '') throw new AirlockError('CONFIG_INVALID', `${path}: secret file ${ref.file} is empty`);
  return new Secret(text, `file ${ref.file}`);
}

const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** A secret setting: `{env: NAME}` or `{file: PATH}` (relative to `baseDir`), never the value itself. */
export function secretRef(v: unknown, path: string, ctx: { readonly env: NodeJS.ProcessEnv; readonly baseDir: string }): Secret {
  if (typeof v === 'string') fail(path, 'secrets must be given by reference ({env: NAME} or {file: PATH}), never inline');
  const o = object(v, path, ['env', 'file']);
  const keys = Object.keys(o);
  if (keys.length !== 1) fail(path, 'give exactly one of env or file');
  const ref: SecretRef =
    o['env'] !== undefined
      ? { env: string(o['env'], join(path, 'env'), { pattern: ENV_NAME_RE, hint: 'not an environment variable name' }) }
      : { file: pathText(o['file'], join(path, 'file')) };
  return resolveSecret(ref, path, ctx.env, ctx.baseDir);
}
