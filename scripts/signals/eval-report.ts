/** Table printing for `npm run eval:signals` (no measurement logic here). */
import type { LookalikeMatch } from '../../src/signals/lookalike/index.ts';
import { EXCLUSION_REASONS, type AuditedLabel } from './label-audit.ts';
import { REF_CLASSES, refCanonical, type RefEcosystem } from './reference-labels.ts';

export interface Outcome {
  readonly label: AuditedLabel;
  /** In the tuning half (a record in the `osv/` subset). */
  readonly dev: boolean;
  readonly match: LookalikeMatch | null;
}

export const pct = (num: number, den: number): string => (den === 0 ? '     -' : `${((100 * num) / den).toFixed(1).padStart(5)}%`);

export const flaggedAt = (m: LookalikeMatch | null, t: number): m is LookalikeMatch => m !== null && m.score >= t;

function sameTarget(eco: RefEcosystem, o: Outcome, t: number): boolean {
  return flaggedAt(o.match, t) && o.label.targets.includes(refCanonical(eco, o.match.closest));
}

export function printRecall(eco: RefEcosystem, outcomes: readonly Outcome[], threshold: number): void {
  console.log('  recall on labelled look-alikes   tuning: n  flagged  same-target |  held-out: n  flagged  same-target');
  const part = (xs: readonly Outcome[]): string => {
    const flagged = xs.filter((o) => flaggedAt(o.match, threshold)).length;
    const same = xs.filter((o) => sameTarget(eco, o, threshold)).length;
    return `${String(xs.length).padStart(8)}  ${pct(flagged, xs.length)}  ${pct(same, xs.length)}   `;
  };
  const row = (cls: string, list: readonly Outcome[]): void =>
    console.log(`    ${cls.padEnd(28)} ${part(list.filter((o) => o.dev))} | ${part(list.filter((o) => !o.dev))}`);
  for (const cls of REF_CLASSES) {
    const list = outcomes.filter((o) => o.label.cls === cls);
    if (list.length > 0) row(cls, list);
  }
  row('all classes', outcomes);
}

/** Names the audit excluded: how many, why, and how often the engine flags them anyway. */
export function printExcluded(excluded: readonly Outcome[], threshold: number): void {
  console.log('  excluded shape matches (not counted)     n   flagged   e.g.');
  for (const reason of EXCLUSION_REASONS) {
    const list = excluded.filter((o) => o.label.excluded === reason);
    if (list.length === 0) continue;
    const flagged = list.filter((o) => flaggedAt(o.match, threshold)).length;
    const eg = list.slice(0, 4).map((o) => `${o.label.name}~${o.label.targets[0] ?? ''}`).join(', ');
    console.log(`    ${reason.padEnd(34)} ${String(list.length).padStart(5)}  ${pct(flagged, list.length)}   ${eg}`);
  }
}

export function printBasis(labels: readonly AuditedLabel[]): void {
  const positives = labels.filter((l) => l.excluded === null);
  const by = (b: string): number => positives.filter((l) => l.basis === b).length;
  const probes = positives.filter((l) => l.probeVersion).length;
  console.log(
    `  labels: ${positives.length} look-alikes (${by('rule')} by rule, ${by('rule+description')} rule confirmed by the record's text, ` +
      `${by('description')} named by the record's text), ${labels.length - positives.length} shape matches excluded; ` +
      `${probes} look-alikes (${pct(probes, positives.length).trim()}) also carry a probe-like version (major ≥ 90)`,
  );
}

export function printCurve(
  thresholds: readonly number[],
  defaultThreshold: number,
  outcomes: readonly Outcome[],
  devNeg: ReadonlyMap<string, LookalikeMatch | null>,
  testNeg: ReadonlyMap<string, LookalikeMatch | null>,
): void {
  console.log(`  threshold curve (default ${defaultThreshold}):  recall tuning / held-out  |  leave-one-out FP tuning / held-out`);
  for (const t of thresholds) {
    const r = (xs: readonly Outcome[]): string => pct(xs.filter((o) => flaggedAt(o.match, t)).length, xs.length);
    const f = (m: ReadonlyMap<string, LookalikeMatch | null>): string => pct([...m.values()].filter((x) => flaggedAt(x, t)).length, m.size);
    const mark = t === defaultThreshold ? ' <' : '';
    console.log(`    ≥ ${t.toFixed(2)}                          ${r(outcomes.filter((o) => o.dev))} / ${r(outcomes.filter((o) => !o.dev))}   |  ${f(devNeg)} / ${f(testNeg)}${mark}`);
  }
}

export function printPrecision(testFlagged: readonly LookalikeMatch[], negFlagged: readonly LookalikeMatch[]): void {
  console.log('  precision by predicted kind (held-out look-alikes vs leave-one-out top-5,000 flags)');
  const kinds = [...new Set([...testFlagged, ...negFlagged].map((m) => m.kind))].sort();
  for (const kind of kinds) {
    const tp = testFlagged.filter((m) => m.kind === kind).length;
    const fp = negFlagged.filter((m) => m.kind === kind).length;
    console.log(`    ${kind.padEnd(22)} tp ${String(tp).padStart(5)}  fp ${String(fp).padStart(5)}  precision ${pct(tp, tp + fp)}`);
  }
  const byKind = new Map<string, string[]>();
  for (const m of negFlagged) byKind.set(m.kind, [...(byKind.get(m.kind) ?? []), `${m.name}~${m.closest}(${m.technique} ${m.score})`]);
  for (const [kind, xs] of byKind) console.log(`    leave-one-out flags, ${kind}: ${xs.slice(0, 8).join(', ')}${xs.length > 8 ? ' …' : ''}`);
}

/** A seeded sample of labels, for hand review (`--sample N`). */
export function printSample(eco: RefEcosystem, labels: readonly AuditedLabel[], n: number, seed: number): void {
  let a = seed >>> 0;
  const rand = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T,>(xs: readonly T[], k: number): T[] => {
    const copy = [...xs];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
    }
    return copy.slice(0, k);
  };
  const line = (l: AuditedLabel): string =>
    `    ${eco} | ${l.name} | ${l.targets[0] ?? ''} | ${l.cls} | ${l.excluded ?? 'look-alike'} | ${l.basis}${l.probeVersion ? ' | probe-version' : ''}`;
  console.log(`  hand-review sample (seed ${seed}): ${n} look-alikes, ${Math.ceil(n / 2)} excluded`);
  for (const l of pick(labels.filter((x) => x.excluded === null), n)) console.log(line(l));
  for (const l of pick(labels.filter((x) => x.excluded !== null), Math.ceil(n / 2))) console.log(line(l));
}
