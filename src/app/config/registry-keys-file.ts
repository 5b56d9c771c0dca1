/**
 * A registry key file named by a repository's `registryKeys`: the registry's `/-/npm/v1/keys`
 * answer or its TUF `keys.json`, read at start (the npm adapter parses the keys).
 */
import { AirlockError } from '../../core/index.ts';
import { registryKeysOf, type RegistryKey } from '../../verify/index.ts';
import { readNamedFile } from './named-file.ts';

export function readRegistryKeysFile(file: string, what: string): RegistryKey[] {
  const text = readNamedFile(file, what);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (cause) {
    throw new AirlockError('CONFIG_INVALID', `${what}: ${file} is not JSON (${(cause as Error).message})`, { cause });
  }
  return registryKeysOf(doc, `${what} (${file})`);
}
