/**
 * A file the configuration names (a CA file, a registry key file), read whole at start: it must
 * exist, be a regular file and be at most 1 MiB. `what` names the setting in errors, also when the
 * system cannot read it (a name too long, no permission, a loop of links).
 */
import { readFileSync, statSync } from 'node:fs';
import { AirlockError, isAirlockError } from '../../core/index.ts';

const MAX_NAMED_FILE_BYTES = 1024 * 1024;

export function readNamedFile(file: string, what: string): string {
  return unreadable(`${what}: ${file}`, () => {
    const st = statSync(file, { throwIfNoEntry: false });
    if (st === undefined || !st.isFile()) throw new AirlockError('CONFIG_INVALID', `${what}: ${file} does not exist or is not a file`);
    if (st.size > MAX_NAMED_FILE_BYTES) throw new AirlockError('CONFIG_INVALID', `${what}: ${file} is larger than 1 MiB`);
    return readFileSync(file, 'utf8');
  });
}

/** `read()`, with a file system error (ENAMETOOLONG, EACCES, ELOOP …) as CONFIG_INVALID that starts with `what`. */
export function unreadable<T>(what: string, read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (isAirlockError(err)) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new AirlockError('CONFIG_INVALID', `${what} cannot be read (${typeof code === 'string' ? code : String(err)})`, { cause: err });
  }
}
