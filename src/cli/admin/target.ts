/**
 * What an admin command reads: a server's API (`--server`, default $AIRLOCK_SERVER; a token in
 * $AIRLOCK_TOKEN) or the storage itself (`--data-dir`, `--config`).
 */
import type { AdminClient } from '../../api/client.ts';
import type { Storage } from '../../app/storage.ts';
import { localStorageOptions, openLocalStorage, wantsLocalStorage } from './local-storage.ts';
import { clientFrom, serverOptions, type ServerValues } from './cli-support.ts';
import type { CommandIO } from '../command.ts';
import { UsageError } from '../command.ts';

export type Target =
  | { readonly kind: 'server'; readonly client: AdminClient }
  | { readonly kind: 'storage'; readonly storage: Storage };

export const targetOptions = { ...serverOptions, ...localStorageOptions } as const;

interface TargetValues extends ServerValues {
  readonly 'data-dir'?: string | undefined;
  readonly config?: string | undefined;
}

/** Whether a target was named on the command line, not only by the environment's defaults. */
export function targetNamed(values: TargetValues): boolean {
  return values.server !== undefined || wantsLocalStorage(values);
}

/** Runs `fn` on the target the options name (storage opened and closed around it). */
export async function withTarget<T>(values: TargetValues, io: CommandIO, fn: (target: Target) => Promise<T>): Promise<T> {
  if (wantsLocalStorage(values)) {
    if (values.server !== undefined) throw new UsageError('give --server, or --data-dir / --config, not both');
    const storage = await openLocalStorage(values, io);
    try {
      return await fn({ kind: 'storage', storage });
    } finally {
      await storage.close();
    }
  }
  return fn({ kind: 'server', client: clientFrom(values, io) });
}

/** Where the target is, for messages. */
export function targetName(target: Target): string {
  return target.kind === 'server' ? target.client.server.origin : 'the storage';
}
