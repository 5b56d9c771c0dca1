/**
 * Seeded mutation fuzzing of the project files `airlock check` reads (targets in
 * `targets/lockfiles.ts`): package-lock.json, pnpm-lock.yaml, yarn.lock, requirements.txt and
 * package.json. Each target runs in a worker with a deadline and a heap cap; a failure names the
 * seed, iteration and input.
 */
import { fuzzTests } from '../support/fuzz/run.ts';

fuzzTests(new URL('./targets/lockfiles.ts', import.meta.url).href, 0x10cf, { 'package-lock': 800, 'pnpm-lock': 300, 'yarn-lock': 500, requirements: 1500, 'package-json': 1500 });
