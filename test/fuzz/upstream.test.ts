/**
 * Seeded mutation fuzzing of upstream answers beside the package documents (targets in
 * `targets/upstream.ts`): the Hugging Face Hub's repo info, tree pages and Link header, a
 * registry's WWW-Authenticate challenge, and OSV feed zips and records. Each target runs in a
 * worker with a deadline and a heap cap; a failure names the seed, iteration and input.
 */
import { fuzzTests } from '../support/fuzz/run.ts';

fuzzTests(new URL('./targets/upstream.ts', import.meta.url).href, 0x0951ea, { 'hf-repo-info': 1500, 'hf-tree-page': 1500, 'link-header': 1000, 'www-authenticate': 800, 'osv-record': 500, 'osv-zip': 800 });
