/**
 * Seeded mutation fuzzing of what publishers send to hosted repositories (targets in
 * `targets/hosted.ts`): npm publish bodies and their tarballs, twine uploads, OCI manifest PUTs
 * and chunk Content-Ranges. Each target runs in a worker with a deadline and a heap cap; a
 * failure names the seed, iteration and input.
 */
import { fuzzTests } from '../support/fuzz/run.ts';

fuzzTests(new URL('./targets/hosted.ts', import.meta.url).href, 0x4057ed, { 'npm-publish-body': 700, 'npm-publish-tarball': 300, 'pypi-upload': 400, 'pypi-upload-wheel': 150, 'oci-manifest-put': 200, 'oci-content-range': 300 });
