/**
 * Evaluation inputs, read from the shared threat data (evaluation only; the product never
 * reads it): malicious npm/PyPI names from the OSV records and the gzipped index, and the popular
 * lists as bundled in the product.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';

export const THREAT_DATA = process.env.AIRLOCK_THREAT_DATA ?? join(import.meta.dirname, '..', '..', '..', 'shared', 'threat-data');

export interface MaliciousName {
  readonly ecosystem: 'npm' | 'pypi';
  readonly name: string;
  /** True when one of its records is in the `osv/` subset (the tuning half of the split). */
  readonly inSubset: boolean;
  readonly ids: readonly string[];
  /** Explicit versions its records list (records with an every-version range list none). */
  readonly versions: readonly string[];
  /** Feeds that reported it (`ghsa-malware`, `reversing-labs` …). */
  readonly sources: readonly string[];
}

interface IndexLine {
  readonly id: string;
  readonly ecosystem: string;
  readonly name: string;
  readonly in_subset?: boolean;
  readonly versions?: readonly string[];
  readonly sources?: readonly string[];
}

export function loadMaliciousNames(): MaliciousName[] {
  const path = join(THREAT_DATA, 'malicious-packages', 'index-all-npm-pypi.jsonl.gz');
  const text = gunzipSync(readFileSync(path)).toString('utf8');
  const byKey = new Map<string, { ecosystem: 'npm' | 'pypi'; name: string; inSubset: boolean; ids: string[]; versions: string[]; sources: string[] }>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const rec = JSON.parse(line) as IndexLine;
    const ecosystem = rec.ecosystem === 'npm' ? 'npm' : rec.ecosystem === 'PyPI' ? 'pypi' : null;
    if (ecosystem === null || typeof rec.name !== 'string') continue;
    const key = `${ecosystem}:${rec.name}`;
    const entry = byKey.get(key) ?? { ecosystem, name: rec.name, inSubset: false, ids: [], versions: [], sources: [] };
    entry.inSubset ||= rec.in_subset === true;
    entry.ids.push(rec.id);
    for (const v of rec.versions ?? []) if (typeof v === 'string' && !entry.versions.includes(v)) entry.versions.push(v);
    for (const s of rec.sources ?? []) if (typeof s === 'string' && !entry.sources.includes(s)) entry.sources.push(s);
    byKey.set(key, entry);
  }
  return [...byKey.values()];
}
