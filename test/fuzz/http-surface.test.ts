/**
 * Seeded fuzzing of the whole HTTP surface of one running gateway (target in
 * `targets/http-surface.ts`): hostile requests of every route shape, sent as written, must each
 * get an answer its client can read (no 5xx, the path's error dialect) and leave the gateway
 * healthy. A failure names the seed, iteration, request and answer.
 */
import { fuzzTests } from '../support/fuzz/run.ts';

fuzzTests(new URL('./targets/http-surface.ts', import.meta.url).href, 0x4771, { 'http-surface': 100 });
