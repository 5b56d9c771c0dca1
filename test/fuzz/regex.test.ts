/**
 * Seeded mutation fuzzing of the policy engine's RE2 patterns (target in `targets/regex.ts`):
 * parsing, compiling and matching, and the linear-time matcher against V8. The target runs in a
 * worker with a deadline and a heap cap; a failure names the seed, iteration and input.
 */
import { fuzzTests } from '../support/fuzz/run.ts';

fuzzTests(new URL('./targets/regex.ts', import.meta.url).href, 0x2e2, { 're2-pattern': 400 });
