/**
 * Seeded mutation fuzzing of the identity parsers (targets in `targets/identity.ts`): signing
 * certificates' DER, ID tokens, and identity providers' key sets and discovery documents. Each target runs in a worker
 * with a deadline and a heap cap; a failure names the seed, iteration and input.
 */
import { fuzzTests } from '../support/fuzz/run.ts';

fuzzTests(new URL('./targets/identity.ts', import.meta.url).href, 0x1d3a7, { 'x509-certificate': 1500, jwt: 500, jwks: 500, 'oidc-discovery': 1500 });
