/**
 * Sigstore's public-good TUF repository: where its trusted root is published, and the TUF root
 * Airlock starts the chain from (version 14, as sigstore-js shipped it; newer roots are fetched
 * and verified version by version).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const SIGSTORE_TUF_URL = 'https://tuf-repo-cdn.sigstore.dev/';

export function sigstoreTufRoot(): Buffer {
  return readFileSync(join(import.meta.dirname, 'sigstore-tuf-root.json'));
}
