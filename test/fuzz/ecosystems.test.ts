/**
 * Seeded mutation fuzzing of the parsers of upstream ecosystem documents (targets in
 * `targets/ecosystems.ts`): npm packuments and search answers (and the search query), PyPI
 * project pages, OCI manifests; and npm audit requests (`targets/npm-audit.ts`). Each target runs in a worker with a deadline and a heap cap; a
 * failure names the seed, iteration and input.
 */
import { fuzzTests } from '../support/fuzz/run.ts';

fuzzTests(new URL('./targets/ecosystems.ts', import.meta.url).href, 0xec05, { 'npm-json-scan': 1500, 'npm-packument': 2000, 'npm-manifest': 2000, 'npm-search-answer': 1500, 'npm-search-query': 1500, 'pypi-json': 2000, 'pypi-html': 2000, oci: 1500 });
// What npm audit, pnpm and yarn send to the audit endpoints, which answer without a token.
fuzzTests(new URL('./targets/npm-audit.ts', import.meta.url).href, 0xec05, { 'npm-audit-request': 500 });
