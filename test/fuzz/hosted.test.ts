/**
 * Seeded mutation fuzzing of what publishers send to hosted repositories (targets in
 * `targets/hosted.ts`): npm publish bodies and their tarballs, twine uploads, OCI manifest PUTs
 * and chunk Content-Ranges. Each target runs in a worker with a deadline and a heap cap; a
 * failure names the seed, iteration and input.
 */
import { fuzzTests } from '../support/fuzz/run.ts';

fuzzTests(new URL('./targets/hosted.ts', import.meta.url).href, 0x4057ed, { 'npm-publish-body': 1500, 'npm-publish-tarball': 600, 'pypi-upload': 600, 'pypi-upload-wheel': 300, 'oci-manifest-put': 600, 'oci-content-range': 400 });
