/**
 * Seeded mutation fuzzing of the configuration (targets in `targets/config.ts`): the file as
 * `airlock serve --config` loads it, single settings set to mutated values in valid
 * configurations, the environment overrides on top of valid files, and the size and duration
 * units. Each target runs in a worker with a deadline and a heap cap; a failure names the seed,
 * iteration and input.
 */
import { fuzzTests } from '../support/fuzz/run.ts';

fuzzTests(new URL('./targets/config.ts', import.meta.url).href, 0xc0f1, { 'config-file': 60, 'config-values': 50, 'config-env': 300, 'config-units': 400 });
