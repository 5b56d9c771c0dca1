/**
 * The modules `airlock serve` loads, for the compile cache's fill (prime-compile-cache.ts): the
 * command itself, and what the server imports on demand (the ecosystems in
 * src/app/repositories.ts, the storage drivers in src/storage/open-storage.ts, a package of
 * popular names). A module it imports on demand and this list leaves out is stripped (or, for a
 * package, compiled) by the server itself on a cold cache; served-modules.test.ts walks the
 * server's imports to say so.
 */
import { WORKER_ENTRY } from '../scan/worker/pool.ts';

const SPECIFIERS = [
  './main.ts',
  './commands/serve.ts',
  '../ecosystems/npm/index.ts',
  '../ecosystems/pypi/index.ts',
  '../ecosystems/huggingface/index.ts',
  '../ecosystems/oci/index.ts',
  '../storage/s3-blob/index.ts',
  '../storage/postgres/index.ts',
];

/**
 * Packages the server imports on demand. They are JavaScript, so nothing strips them, but V8 then
 * compiles them from source: npm-high-impact, the popular-names lists (about 900 KB of array
 * literals), which the server loads when it builds its lookalike index, before it listens.
 */
const PACKAGES = ['npm-high-impact'];

/** Their URLs. */
export const SERVED_MODULES: readonly string[] = [...SPECIFIERS.map((s) => new URL(s, import.meta.url).href), ...PACKAGES.map((p) => import.meta.resolve(p))];

/** The model scanner's worker entry, which its worker threads load from the same cache (src/scan/worker/pool.ts). */
export const WORKER_ENTRY_MODULE = WORKER_ENTRY.href;
