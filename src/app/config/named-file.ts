/**
 * A file the configuration names (a CA file, a registry key file), read whole at start: it must
 * exist, be a regular file and be at most 1 MiB. `what` names the setting in errors.
 */
import { readFileSync, statSync } from 'node:fs';
import { AirlockError } from '../../core/index.ts';

const MAX_NAMED_FILE_BYTES = 1024 * 1024;

export function readNamedFile(file: string, what: string): string {
  const st = statSync(file, { throwIfNoEntry: false });
  if (st === undefined || !st.isFile()) throw new AirlockError('CONFIG_INVALID', `${what}: ${file} does not exist or is not a file`);
  if (st.size > MAX_NAMED_FILE_BYTES) throw new AirlockError('CONFIG_INVALID', `${what}: ${file} is larger than 1 MiB`);
  return readFileSync(file, 'utf8');
}
