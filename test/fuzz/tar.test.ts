/**
 * Seeded mutation fuzzing of npm's streaming tar reader and of policy bundle archives (targets
 * in `targets/tar.ts`), each in a worker with a deadline and a heap cap.
 */
import { fuzzTests } from '../support/fuzz/run.ts';

fuzzTests(new URL('./targets/tar.ts', import.meta.url).href, 0x7a7, { 'npm-tar': 2000, 'policy-bundle-archive': 1000 });
