/**
 * Seeded mutation fuzzing of what a client or an upstream writes on the wire besides documents
 * (targets in `targets/wire-names.ts` and `targets/upstream-decode.ts`): Range and Content-Range
 * headers, OCI repository names, tags and digests in request paths, Hugging Face repo ids and
 * revisions, and upstream bodies in content codings. Each target runs in a worker with a deadline
 * and a heap cap; a failure names the seed, iteration and input.
 */
import { fuzzTests } from '../support/fuzz/run.ts';

fuzzTests(new URL('./targets/upstream-decode.ts', import.meta.url).href, 0xdec0de, { 'upstream-decode': 300 });
fuzzTests(new URL('./targets/wire-names.ts', import.meta.url).href, 0x317e, { 'byte-range': 3000, 'oci-path': 3000, 'hf-path': 3000 });
