import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A file barrier for multi-process tests: each participant drops `<name>.<label>` into `dir`
 * and waits until `peers` of them exist. Unlike "start at time T", it holds however slowly a
 * loaded machine starts the processes.
 */
export async function meetAtBarrier(dir: string, name: string, label: string, peers: number): Promise<void> {
  writeFileSync(join(dir, `${name}.${label}`), '');
  while (readdirSync(dir).filter((f) => f.startsWith(`${name}.`)).length < peers) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
