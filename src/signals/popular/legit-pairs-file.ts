/** The bundled legitimate-pairs file: format, validation, loading. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LegitPair, LegitPairKind } from './legit-pairs.ts';
import type { PopularEcosystem } from './types.ts';

export const LEGIT_PAIRS_FILE = join(import.meta.dirname, '..', 'data', 'legit-lookalike-pairs.json');
export const LEGIT_PAIRS_FORMAT = 'airlock.legit-lookalike-pairs/v1';

export interface LegitPairsFile {
  readonly format: typeof LEGIT_PAIRS_FORMAT;
  readonly description: string;
  /** What each list was derived from: `npm-high-impact@1.13.0`, `pypi-popular.json sha256:…`. */
  readonly derived_from: { readonly npm: string; readonly pypi: string };
  readonly npm: readonly LegitPair[];
  readonly pypi: readonly LegitPair[];
}

const KINDS: readonly LegitPairKind[] = ['edit-distance-1', 'same-after-separator-or-scope-strip'];

function fail(why: string): never {
  throw new Error(`legit look-alike pairs: ${why}`);
}

export function parseLegitPairsFile(text: string): LegitPairsFile {
  const doc: unknown = JSON.parse(text);
  if (typeof doc !== 'object' || doc === null) fail('not a JSON object');
  const d = doc as Record<string, unknown>;
  if (d.format !== LEGIT_PAIRS_FORMAT) fail(`unknown format ${JSON.stringify(d.format)}`);
  const from = d.derived_from as Record<string, unknown> | null | undefined;
  if (typeof from !== 'object' || from === null || typeof from.npm !== 'string' || typeof from.pypi !== 'string') {
    fail('derived_from must name the npm and pypi sources');
  }
  for (const eco of ['npm', 'pypi'] as const) {
    const list = d[eco];
    if (!Array.isArray(list)) fail(`${eco} must be an array`);
    for (const p of list as unknown[]) {
      if (
        !Array.isArray(p) ||
        p.length !== 3 ||
        typeof p[0] !== 'string' ||
        typeof p[1] !== 'string' ||
        !KINDS.includes(p[2] as LegitPairKind)
      ) {
        fail(`${eco}: malformed pair ${JSON.stringify(p).slice(0, 120)}`);
      }
    }
  }
  return doc as LegitPairsFile;
}

export async function loadLegitPairs(ecosystem: PopularEcosystem, path: string = LEGIT_PAIRS_FILE): Promise<readonly (readonly [string, string])[]> {
  const file = parseLegitPairsFile(await readFile(path, 'utf8'));
  return file[ecosystem].map(([a, b]) => [a, b] as const);
}
