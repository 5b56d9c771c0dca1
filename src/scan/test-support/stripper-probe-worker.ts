/**
 * A scan worker that loads the real entry, then notes in the file `AIRLOCK_TEST_STRIPPER_PROBE`
 * names whether its thread loaded Node's TypeScript stripper: it does when a module it loads is
 * not in the compile cache (pool.ts turns the cache on in its workers).
 */
import { appendFileSync } from 'node:fs';

await import('../worker/worker-entry.ts');
const file = process.env['AIRLOCK_TEST_STRIPPER_PROBE'];
/** Node's list of its own modules this thread has loaded (not in its type declarations). */
const loaded = (process as unknown as { readonly moduleLoadList: readonly string[] }).moduleLoadList;
if (file !== undefined) appendFileSync(file, `${loaded.some((m) => m.includes('amaro')) ? 'loaded' : 'not loaded'}\n`);
