/**
 * Seeded mutation fuzzing of the policy and verification parsers (targets in
 * `targets/policy-verify.ts`): Rego modules, policy data files, Sigstore bundles, in-toto
 * statements, RFC 3161 timestamps and model signatures. Each target runs in a worker with a
 * deadline and a heap cap; a failure names the seed, iteration and input.
 */
import { fuzzTests } from '../support/fuzz/run.ts';

fuzzTests(new URL('./targets/policy-verify.ts', import.meta.url).href, 0x9017c4, { rego: 60, 'policy-data-json': 1000, 'policy-data-yaml': 1000, 'sigstore-bundle': 100, 'in-toto-statement': 300, 'rfc3161-timestamp': 500, 'model-signature': 1000, tuf: 300 });
