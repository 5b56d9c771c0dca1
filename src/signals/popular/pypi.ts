/**
 * The PyPI popular list, bundled as `src/signals/data/pypi-popular.json` (generated from the
 * top-pypi-packages 30-day list by `scripts/refresh-pypi-popular.ts`; names PEP 503-normalised,
 * most downloaded first).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PopularList } from './types.ts';

export const PYPI_POPULAR_FILE = join(import.meta.dirname, '..', 'data', 'pypi-popular.json');
export const POPULAR_FORMAT = 'airlock.popular-names/v1';

/** The bundled file's header (everything but the names). */
export interface PopularFileSource {
  readonly name: string;
  readonly author: string;
  readonly url: string;
  readonly doi: string;
  readonly license: string;
  readonly file: string;
  readonly sha256: string;
  readonly last_update: string;
  readonly period: string;
}

export interface PopularFile {
  readonly format: typeof POPULAR_FORMAT;
  readonly ecosystem: 'pypi';
  readonly source: PopularFileSource;
  readonly generated_by: string;
  /** `[normalised name, downloads]`, most downloaded first. */
  readonly names: readonly (readonly [string, number])[];
}

const NAME_RE = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

function fail(why: string): never {
  throw new Error(`${PYPI_POPULAR_FILE}: ${why}`);
}

export function parsePopularFile(text: string): PopularFile {
  const doc: unknown = JSON.parse(text);
  if (typeof doc !== 'object' || doc === null) fail('not a JSON object');
  const d = doc as Record<string, unknown>;
  if (d.format !== POPULAR_FORMAT) fail(`unknown format ${JSON.stringify(d.format)}`);
  if (d.ecosystem !== 'pypi') fail('ecosystem must be pypi');
  const src = d.source;
  if (typeof src !== 'object' || src === null) fail('missing source');
  for (const k of ['name', 'author', 'url', 'doi', 'license', 'file', 'sha256', 'last_update', 'period']) {
    if (typeof (src as Record<string, unknown>)[k] !== 'string') fail(`source.${k} must be a string`);
  }
  if (!Array.isArray(d.names)) fail('names must be an array');
  let previous = Infinity;
  for (const row of d.names as unknown[]) {
    if (!Array.isArray(row) || row.length !== 2) fail('each name must be [name, downloads]');
    const [name, downloads] = row as [unknown, unknown];
    if (typeof name !== 'string' || !NAME_RE.test(name)) fail(`invalid normalised name ${JSON.stringify(name)}`);
    if (typeof downloads !== 'number' || !Number.isSafeInteger(downloads) || downloads < 0) fail(`invalid downloads for ${name}`);
    if (downloads > previous) fail(`names are not sorted by downloads at ${name}`);
    previous = downloads;
  }
  return doc as PopularFile;
}

export function popularListFromFile(file: PopularFile): PopularList {
  return {
    ecosystem: 'pypi',
    names: file.names.map(([name, downloads], i) => ({ name, rank: i + 1, downloads })),
    source: {
      description: `${file.source.name} (${file.source.period}, ${file.source.last_update}), ${file.source.url}`,
      asOf: file.source.last_update,
      license: file.source.license,
      attribution: `${file.source.author}, DOI ${file.source.doi}`,
    },
  };
}

export async function loadPypiPopular(path: string = PYPI_POPULAR_FILE): Promise<PopularList> {
  return popularListFromFile(parsePopularFile(await readFile(path, 'utf8')));
}
