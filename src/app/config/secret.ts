/**
 * Secrets are given by reference in configuration — `{env: NAME}` or `{file: PATH}` — and held in
 * a `Secret`, which never prints its value (logs, JSON, inspection all show `[secret]`).
 */
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { inspect } from 'node:util';
import { AirlockError } from '../../core/index.ts';

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
    const v = env[ref.env];
    if (v === undefined || v === '') {
      throw new AirlockError('CONFIG_INVALID', `${path}: environment variable ${ref.env} is not set`);
    }
    return new Secret(v, `env ${ref.env}`);
  }
  const full = resolve(baseDir, ref.file);
  const st = statSync(full, { throwIfNoEntry: false });
  if (st === undefined || !st.isFile()) throw new AirlockError('CONFIG_INVALID', `${path}: secret file ${ref.file} does not exist`);
  if (st.size > MAX_SECRET_FILE_BYTES) throw new AirlockError('CONFIG_INVALID', `${path}: secret file ${ref.file} is too large`);
  const text = readFileSync(full, 'utf8').replace(/\r?\n$/, '');
  if (text === '') throw new AirlockError('CONFIG_INVALID', `${path}: secret file ${ref.file} is empty`);
  return new Secret(text, `file ${ref.file}`);
}
