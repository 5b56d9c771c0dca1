/**
 * Regenerates src/signals/data/legit-lookalike-pairs.json from the current popular lists (the
 * installed npm-high-impact and the bundled PyPI list). Run it after bumping npm-high-impact or
 * refreshing the PyPI list: `npx node scripts/derive-legit-pairs.ts`.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import {
  deriveLegitPairs,
  LEGIT_PAIRS_FILE,
  LEGIT_PAIRS_FORMAT,
  loadNpmPopular,
  loadPypiPopular,
  npmHighImpactVersion,
  PYPI_POPULAR_FILE,
} from '../src/signals/popular/index.ts';
import { formatRowsJson, writeJsonAtomic } from './signals/write-json.ts';

export const LEGIT_PAIRS_DESCRIPTION =
  'Derived at build time by scripts/derive-legit-pairs.ts: pairs of names that are both on a bundled popular list and ' +
  'are within Damerau-Levenshtein (OSA) distance 1 of each other, or equal after removing separators (-_.) and the npm ' +
  'scope. Both members are legitimate, so the look-alike engine never reports one against the other. Names are ' +
  'compared in canonical form (npm lower case, PyPI PEP 503). Scope-strip pairs with @types/* are left out, and ' +
  'separator/scope-strip pairs are kept only when the more popular member ranks in the top 2,000. Rows: [more popular, ' +
  'less popular, kind].';

export async function pypiListDigest(): Promise<string> {
  return `pypi-popular.json sha256:${createHash('sha256').update(await readFile(PYPI_POPULAR_FILE)).digest('hex')}`;
}

export async function deriveLegitPairsFile(): Promise<{ npm: number; pypi: number }> {
  const [npm, pypi] = await Promise.all([loadNpmPopular(), loadPypiPopular()]);
  const npmPairs = deriveLegitPairs('npm', npm.names);
  const pypiPairs = deriveLegitPairs('pypi', pypi.names);
  const text = formatRowsJson(
    {
      format: LEGIT_PAIRS_FORMAT,
      description: LEGIT_PAIRS_DESCRIPTION,
      derived_from: { npm: `npm-high-impact@${npmHighImpactVersion()}`, pypi: await pypiListDigest() },
    },
    { npm: npmPairs, pypi: pypiPairs },
  );
  await writeJsonAtomic(LEGIT_PAIRS_FILE, text);
  return { npm: npmPairs.length, pypi: pypiPairs.length };
}

if (import.meta.main) {
  const counts = await deriveLegitPairsFile();
  console.log(`wrote ${LEGIT_PAIRS_FILE}: npm ${counts.npm} pairs, pypi ${counts.pypi} pairs`);
}
