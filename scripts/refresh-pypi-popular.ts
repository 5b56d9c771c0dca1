/**
 * Regenerates src/signals/data/pypi-popular.json from a copy of the top-pypi-packages list
 * (Hugo van Kemenade, https://hugovk.github.io/top-pypi-packages/, DOI 10.5281/zenodo.2586599),
 * file `top-pypi-packages-30-days.min.json` or `top-pypi-packages.min.json`, then re-derives
 * the legitimate look-alike pairs.
 *
 *   npx node scripts/refresh-pypi-popular.ts PATH/TO/top-pypi-packages.min.json
 *
 * The input is validated (shape, names, counts, size); names are PEP 503-normalised and merged
 * when two spellings normalise alike (downloads added), then sorted by downloads.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { normalizePypiName } from '../src/core/index.ts';
import { POPULAR_FORMAT, PYPI_POPULAR_FILE } from '../src/signals/popular/index.ts';
import { deriveLegitPairsFile } from './derive-legit-pairs.ts';
import { formatRowsJson, writeJsonAtomic } from './signals/write-json.ts';

const MAX_INPUT_BYTES = 64 * 1024 * 1024;
const MAX_ROWS = 200_000;

interface Row {
  readonly project: string;
  readonly download_count: number;
}

export function parseTopPypi(text: string): { lastUpdate: string; rows: Row[] } {
  const doc: unknown = JSON.parse(text);
  if (typeof doc !== 'object' || doc === null) throw new Error('input is not a JSON object');
  const d = doc as Record<string, unknown>;
  if (typeof d.last_update !== 'string') throw new Error('input has no last_update string');
  if (!Array.isArray(d.rows)) throw new Error('input has no rows array');
  if (d.rows.length > MAX_ROWS) throw new Error(`input has more than ${MAX_ROWS} rows`);
  const rows: Row[] = [];
  for (const r of d.rows as unknown[]) {
    const row = r as Record<string, unknown> | null;
    if (typeof row !== 'object' || row === null || typeof row.project !== 'string') throw new Error(`bad row ${JSON.stringify(r).slice(0, 100)}`);
    const count = row.download_count;
    if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0) throw new Error(`bad download_count for ${row.project}`);
    rows.push({ project: row.project, download_count: count });
  }
  return { lastUpdate: d.last_update, rows };
}

export function normaliseRows(rows: readonly Row[]): { names: [string, number][]; merged: number; invalid: string[] } {
  const totals = new Map<string, number>();
  const invalid: string[] = [];
  let merged = 0;
  for (const r of rows) {
    let name: string;
    try {
      name = normalizePypiName(r.project);
    } catch {
      invalid.push(r.project);
      continue;
    }
    const prev = totals.get(name);
    if (prev !== undefined) merged++;
    totals.set(name, (prev ?? 0) + r.download_count);
  }
  const names = [...totals.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return { names, merged, invalid };
}

async function main(path: string): Promise<void> {
  const size = (await stat(path)).size;
  if (size > MAX_INPUT_BYTES) throw new Error(`${path} is larger than ${MAX_INPUT_BYTES} bytes`);
  const bytes = await readFile(path);
  const { lastUpdate, rows } = parseTopPypi(bytes.toString('utf8'));
  const { names, merged, invalid } = normaliseRows(rows);
  const text = formatRowsJson(
    {
      format: POPULAR_FORMAT,
      ecosystem: 'pypi',
      source: {
        name: 'top-pypi-packages',
        author: 'Hugo van Kemenade',
        url: 'https://hugovk.github.io/top-pypi-packages/',
        doi: '10.5281/zenodo.2586599',
        license: 'no license file upstream; a list of public facts, cited by DOI',
        file: basename(path),
        sha256: createHash('sha256').update(bytes).digest('hex'),
        last_update: lastUpdate,
        period: 'downloads over the last 30 days',
      },
      generated_by: 'scripts/refresh-pypi-popular.ts',
    },
    { names },
  );
  await writeJsonAtomic(PYPI_POPULAR_FILE, text);
  console.log(`wrote ${PYPI_POPULAR_FILE}: ${names.length} names (${merged} merged, ${invalid.length} invalid skipped)`);
  const pairs = await deriveLegitPairsFile();
  console.log(`re-derived legit look-alike pairs: npm ${pairs.npm}, pypi ${pairs.pypi}`);
}

if (import.meta.main) {
  const path = process.argv[2];
  if (path === undefined) {
    console.error('usage: npx node scripts/refresh-pypi-popular.ts PATH/TO/top-pypi-packages.min.json');
    process.exit(2);
  }
  await main(path);
}
