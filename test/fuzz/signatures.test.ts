/**
 * Seeded mutation fuzzing of the signature and provenance documents upstreams serve (targets in
 * `targets/signatures.ts`): cosign `.sig` manifests, simple-signing payloads and referrer
 * bundles, PyPI provenance, npm attestations, `dist.signatures` and registry keys, and a Docker
 * token service's answer; and a policy bundle's `.manifest` and signed file list (targets in
 * `targets/policy-bundle.ts`). Each target runs in a worker with a deadline and a heap cap; a failure
 * names the seed, iteration and input.
 */
import { fuzzTests } from '../support/fuzz/run.ts';

fuzzTests(new URL('./targets/signatures.ts', import.meta.url).href, 0x5165, {
  'cosign-sig-manifest': 300,
  'cosign-simple-signing': 300,
  'cosign-referrer': 200,
  'pypi-provenance': 200,
  'npm-attestations': 200,
  'npm-dist-signatures': 800,
  'npm-registry-keys': 800,
  'oci-token': 1500,
});
fuzzTests(new URL('./targets/policy-bundle.ts', import.meta.url).href, 0x5165, { 'policy-bundle-manifest': 300, 'policy-bundle-signatures': 500 });
