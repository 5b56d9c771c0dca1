/**
 * Fills Node's compile cache with the modules `airlock serve` loads, in a process of its own that
 * the launcher (bin/airlock.js) runs before the server starts, with the server's runtime flags
 * (V8 takes cached code only from a process with the same flags).
 *
 * Why: Airlock is TypeScript, and a module the compile cache does not hold yet is stripped of its
 * types by Node's stripper, a WebAssembly module that, once loaded, stays loaded for the life of
 * the process. A server started with a cold cache (the first start after an upgrade, and every
 * start where the cache does not survive: a container's /tmp, a tmpfs cleared at boot) held
 * more from its start and spent more CPU (`npm run bench:start` measures both against a filled
 * cache; docs/configuration.md#memory has the figures). Here the stripping is done and thrown away
 * with this process; the server then finds every module it loads compiled.
 *
 * Only modules without side effects at import are loaded: the server's command and what it loads
 * on demand (the ecosystems, the storage drivers, the model scanner's worker; served-modules.ts
 * lists them, and its test checks the list against the server's imports), not every file of src/
 * (a test-data generator among them writes files when imported).
 */
import { enableCompileCache, flushCompileCache } from 'node:module';

// Enabled before anything of Airlock's is loaded: a static import runs before this module's body,
// so what served-modules.ts imports (the scan pool, and through it src/core) would be stripped
// uncached, and the server would strip it again and load the stripper for its life. That happened
// wherever this process enabled the cache itself, Node's default place under the temporary
// folder: 34 modules, and 20 MiB more resident memory for the server's life (`npm run
// bench:start`, run against the gateway before this order and after: 168.1 against 148.1 MiB).
enableCompileCache();
const { SERVED_MODULES, WORKER_ENTRY_MODULE } = await import('./served-modules.ts');
for (const url of SERVED_MODULES) await import(url);
// The scanner's worker threads load their entry from the same cache (src/scan/worker/pool.ts).
// Imported here, on no worker thread, it is compiled and then refuses to run, as it should.
await import(WORKER_ENTRY_MODULE).catch((err: unknown) => {
  if (!(err instanceof Error && err.message.includes('must run in a worker thread'))) throw err;
});
flushCompileCache();
