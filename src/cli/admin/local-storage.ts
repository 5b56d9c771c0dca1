/**
 * The storage a local command (`token --data-dir`, `audit verify --data-dir`, `feeds`, `storage
 * sweep`) works on: what `airlock serve` with the same `--config` file, environment and
 * `--data-dir` would open. With PostgreSQL and S3 configured, that is the shared state of every
 * gateway node, not a local directory.
 */
import { loadStorageConfig } from '../../app/config/load.ts';
import { openConfiguredStorage, type Storage } from '../../app/storage.ts';
import type { CommandIO } from '../command.ts';

export const localStorageOptions = {
  'data-dir': { type: 'string' },
  config: { type: 'string' },
} as const;

export interface LocalStorageValues {
  readonly 'data-dir'?: string | undefined;
  readonly config?: string | undefined;
}

/** Whether the command was asked to work on storage directly (rather than through a server). */
export function wantsLocalStorage(values: LocalStorageValues): boolean {
  return values['data-dir'] !== undefined || values.config !== undefined;
}

/** Open it: the configuration file's storage section (if any), the environment's overrides, then `--data-dir`. */
export async function openLocalStorage(values: LocalStorageValues, io: CommandIO): Promise<Storage> {
  const dataDir = values['data-dir'];
  const config = await loadStorageConfig({
    env: io.env,
    cwd: io.cwd,
    ...(values.config === undefined ? {} : { file: values.config }),
    ...(dataDir === undefined ? {} : { flags: { dataDir } }),
  });
  return openConfiguredStorage(config);
}
