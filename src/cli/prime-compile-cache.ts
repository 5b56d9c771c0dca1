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
 * on demand (the ecosystems, the storage drivers, the model scanner's worker), not every file of
 * src/ (a test-data generator among them writes files when imported).
 */
import { enableCompileCache, flushCompileCache } from 'node:module';

/** What `airlock serve` imports on demand, beside the command itself (see src/app/repositories.ts, src/storage/open-storage.ts). */
const SERVED = [
  './main.ts',
  './commands/serve.ts',
  '../ecosystems/npm/index.ts',
  '../ecosystems/pypi/index.ts',
  '../ecosystems/huggingface/index.ts',
  '../ecosystems/oci/index.ts',
  '../storage/s3-blob/index.ts',
  '../storage/postgres/index.ts',
];

enableCompileCache();
for (const specifier of SERVED) await import(specifier);
// The scanner's worker threads load their entry from the same cache (src/scan/worker/pool.ts).
// Imported here, on no worker thread, it is compiled and then refuses to run, as it should.
await import('../scan/worker/worker-entry.ts').catch((err: unknown) => {
  if (!(err instanceof Error && err.message.includes('must run in a worker thread'))) throw err;
});
flushCompileCache();
