/**
 * The npm popular list: `npmHighImpact` from the `npm-high-impact` package (packages with at least
 * a million downloads a week or 500 dependents, most downloaded first). Loaded on demand.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PopularList } from './types.ts';

interface HighImpactModule {
  readonly npmHighImpact: readonly string[];
}

function isHighImpactModule(m: unknown): m is HighImpactModule {
  return typeof m === 'object' && m !== null && Array.isArray((m as { npmHighImpact?: unknown }).npmHighImpact);
}

/** The installed version of npm-high-impact (for provenance and staleness checks). */
export function npmHighImpactVersion(): string {
  // The package exports only its entry point; its package.json sits beside it.
  const entry = fileURLToPath(import.meta.resolve('npm-high-impact'));
  const pkg: unknown = JSON.parse(readFileSync(join(dirname(entry), 'package.json'), 'utf8'));
  const version = typeof pkg === 'object' && pkg !== null ? (pkg as { version?: unknown }).version : undefined;
  if (typeof version !== 'string') throw new Error('npm-high-impact: package.json has no version');
  return version;
}

export async function loadNpmPopular(): Promise<PopularList> {
  const mod: unknown = await import('npm-high-impact');
  if (!isHighImpactModule(mod)) throw new Error('npm-high-impact: unexpected module shape (no npmHighImpact array)');
  const seen = new Set<string>();
  const names = [];
  for (const name of mod.npmHighImpact) {
    if (typeof name !== 'string' || seen.has(name)) continue;
    seen.add(name);
    names.push({ name, rank: names.length + 1 });
  }
  return {
    ecosystem: 'npm',
    names,
    source: {
      description: `npm package npm-high-impact@${npmHighImpactVersion()} (npmHighImpact: ≥1M downloads/week or ≥500 dependents)`,
      asOf: null,
      license: 'MIT',
      attribution: 'Titus Wormer, wooorm/npm-high-impact',
    },
  };
}
