/**
 * CVSS v3.0/v3.1 base scores from a vector string (FIRST's specification, section 7), and the
 * qualitative rating of a score. Advisories carry the vector, not always the number: GitHub's
 * OSV records give `CVSS:3.1/AV:N/…` only. The vector is hostile input: it is parsed strictly
 * (every base metric once, known values only) and anything else scores null, never a guess.
 * Temporal and environmental metrics may follow the base ones; they do not change a base score.
 */
import type { SeverityLevel } from './types.ts';

const MAX_VECTOR = 256;

const WEIGHTS = {
  AV: { N: 0.85, A: 0.62, L: 0.55, P: 0.2 },
  AC: { L: 0.77, H: 0.44 },
  UI: { N: 0.85, R: 0.62 },
  C: { H: 0.56, L: 0.22, N: 0 },
  I: { H: 0.56, L: 0.22, N: 0 },
  A: { H: 0.56, L: 0.22, N: 0 },
} as const;

/** Privileges required weigh more when the scope changes. */
const PRIVILEGES = { U: { N: 0.85, L: 0.62, H: 0.27 }, C: { N: 0.85, L: 0.68, H: 0.5 } } as const;

const BASE = ['AV', 'AC', 'PR', 'UI', 'S', 'C', 'I', 'A'] as const;
const OTHER = new Set(['E', 'RL', 'RC', 'CR', 'IR', 'AR', 'MAV', 'MAC', 'MPR', 'MUI', 'MS', 'MC', 'MI', 'MA']);

/** The specification's Roundup: the smallest number of one decimal place not below the input, free of float noise. */
function roundUp(x: number): number {
  const i = Math.round(x * 100_000);
  return i % 10_000 === 0 ? i / 100_000 : (Math.floor(i / 10_000) + 1) / 10;
}

function weight(table: Readonly<Record<string, number>>, value: string | undefined): number | null {
  return value !== undefined && Object.hasOwn(table, value) ? (table[value] as number) : null;
}

/** The base score of a `CVSS:3.0/…` or `CVSS:3.1/…` vector, or null when it is not one. */
export function cvss3BaseScore(vector: string): number | null {
  if (typeof vector !== 'string' || vector.length > MAX_VECTOR) return null;
  const parts = vector.split('/');
  if (parts[0] !== 'CVSS:3.0' && parts[0] !== 'CVSS:3.1') return null;
  const metrics = new Map<string, string>();
  for (const part of parts.slice(1)) {
    const m = /^([A-Z]{1,3}):([A-Z])$/.exec(part);
    if (m === null) return null;
    const [, key, value] = m as unknown as [string, string, string];
    if (metrics.has(key)) return null;
    if (!(BASE as readonly string[]).includes(key) && !OTHER.has(key)) return null;
    metrics.set(key, value);
  }
  const scope = metrics.get('S');
  if (scope !== 'U' && scope !== 'C') return null;
  const av = weight(WEIGHTS.AV, metrics.get('AV'));
  const ac = weight(WEIGHTS.AC, metrics.get('AC'));
  const pr = weight(PRIVILEGES[scope], metrics.get('PR'));
  const ui = weight(WEIGHTS.UI, metrics.get('UI'));
  const c = weight(WEIGHTS.C, metrics.get('C'));
  const i = weight(WEIGHTS.I, metrics.get('I'));
  const a = weight(WEIGHTS.A, metrics.get('A'));
  if (av === null || ac === null || pr === null || ui === null || c === null || i === null || a === null) return null;
  const iss = 1 - (1 - c) * (1 - i) * (1 - a);
  const impact = scope === 'U' ? 6.42 * iss : 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15;
  if (impact <= 0) return 0;
  const exploitability = 8.22 * av * ac * pr * ui;
  return scope === 'U' ? roundUp(Math.min(impact + exploitability, 10)) : roundUp(Math.min(1.08 * (impact + exploitability), 10));
}

/**
 * The rating of a score, in the words of GitHub's advisory database (`moderate` for CVSS's
 * "medium"). A score of 0 rates `low`: an advisory was still written.
 */
export function ratingOf(score: number): Exclude<SeverityLevel, 'unknown'> {
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'moderate';
  return 'low';
}
