/**
 * `npm run eval:signals` — measures the look-alike engine on labelled data, in one run.
 *
 * Positives: known-malicious npm/PyPI names (OSV MAL records, shared threat data) that imitate a
 * popular name according to the reference labeller (scripts/signals/reference-labels.ts), which
 * shares no code with the engine. Split: names with a record in the `osv/` subset are the tuning
 * half ("dev"); the rest of the index is the held-out half ("test").
 *
 * Negatives:
 *  - product: the 5,000 most popular names of each list and both members of every legitimate
 *    look-alike pair, asked of the index as shipped (popular names are never flagged, so this
 *    measures that guarantee);
 *  - held-out: the same 5,000 names each asked of an index that does not contain them (10 folds;
 *    pairs involving them are dropped from the allowlist too) — a stand-in for legitimate
 *    packages that are not (yet) popular, which is where false positives really come from.
 *    Names ranked 5,001+ are the dev half of this measurement.
 *
 * Prints recall per reference class, precision per predicted kind, false-positive rates.
 */
import { createLookalikeIndex, DEFAULT_MIN_SCORE, type LookalikeIndex, type LookalikeMatch, type PopularName } from '../src/signals/lookalike/index.ts';
import { loadLegitPairs, loadPopularList, type PopularEcosystem } from '../src/signals/popular/index.ts';
import { loadMaliciousNames } from './signals/eval-data.ts';
import { labelNames, REF_CLASSES, refCanonical, type RefClass, type RefLabel } from './signals/reference-labels.ts';

const TOP = 5000;
/** Matches are collected at score 0 and thresholded here, so one run gives the whole curve. */
const THRESHOLD = DEFAULT_MIN_SCORE;
const CURVE = [0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6];
const at = (m: LookalikeMatch | null, t: number = THRESHOLD): m is LookalikeMatch => m !== null && m.score >= t;
const FOLDS = 10;
const args = new Set(process.argv.slice(2));
const showMisses = args.has('--misses');

interface Outcome {
  readonly label: RefLabel;
  readonly dev: boolean;
  readonly match: LookalikeMatch | null;
}

const pct = (num: number, den: number): string => (den === 0 ? '    -' : `${((100 * num) / den).toFixed(1).padStart(5)}%`);

function heldOut(
  eco: PopularEcosystem,
  names: readonly PopularName[],
  pairs: readonly (readonly [string, string])[],
  queries: readonly PopularName[],
): Map<string, LookalikeMatch | null> {
  const out = new Map<string, LookalikeMatch | null>();
  for (let f = 0; f < FOLDS; f++) {
    const fold = new Set(queries.filter((_, i) => i % FOLDS === f).map((p) => p.name));
    const index = createLookalikeIndex(
      names.filter((p) => !fold.has(p.name)),
      { rules: eco, minScore: 0, legitPairs: pairs.filter(([a, b]) => !fold.has(a) && !fold.has(b)) },
    );
    for (const name of fold) out.set(name, index.match(name));
  }
  return out;
}

function recallTable(outcomes: readonly Outcome[]): void {
  console.log('  recall by reference class      dev: n  flagged  same-target |  test: n  flagged  same-target');
  const row = (cls: string, list: readonly Outcome[]): void => {
    const part = (xs: readonly Outcome[]): string => {
      const flagged = xs.filter((o) => at(o.match)).length;
      const same = xs.filter((o) => at(o.match) && o.label.targets.includes(refCanonical('npm', o.match.closest))).length;
      return `${String(xs.length).padStart(6)}  ${pct(flagged, xs.length)}  ${pct(same, xs.length)}     `;
    };
    console.log(`    ${cls.padEnd(26)} ${part(list.filter((o) => o.dev))} | ${part(list.filter((o) => !o.dev))}`);
  };
  for (const cls of REF_CLASSES) {
    const list = outcomes.filter((o) => o.label.cls === cls);
    if (list.length > 0) row(cls, list);
  }
  row('all classes', outcomes);
}

async function evaluate(eco: PopularEcosystem, malicious: readonly string[], devNames: ReadonlySet<string>): Promise<void> {
  const list = await loadPopularList(eco);
  const pairs = await loadLegitPairs(eco);
  const t0 = performance.now();
  const labels = labelNames(eco, malicious, list.names.map((n) => n.name));
  const labelMs = performance.now() - t0;
  const t1 = performance.now();
  const index: LookalikeIndex = createLookalikeIndex(list.names, { rules: eco, legitPairs: pairs, minScore: 0 });
  const buildMs = performance.now() - t1;
  console.log(`\n== ${eco}: ${list.names.length} popular names (${list.source.description})`);
  console.log(`  malicious names: ${malicious.length}; reference-labelled look-alikes: ${labels.length} (labelling ${(labelMs / 1000).toFixed(1)} s, index build ${buildMs.toFixed(0)} ms)`);

  const outcomes: Outcome[] = labels.map((label) => ({ label, dev: devNames.has(label.name), match: index.match(label.name) }));
  recallTable(outcomes);

  // Product-mode negatives.
  const top = list.names.slice(0, TOP);
  const pairNames = new Set(pairs.flatMap(([a, b]) => [a, b]));
  const topFlagged = top.filter((p) => index.match(p.name) !== null).length;
  const pairFlagged = [...pairNames].filter((n) => index.match(n) !== null).length;
  // (at any score: popular names must never produce a match at all)
  console.log(`  false positives, product (as shipped): top ${TOP}: ${topFlagged}/${top.length} = ${pct(topFlagged, top.length)}; legit-pair members: ${pairFlagged}/${pairNames.size} = ${pct(pairFlagged, pairNames.size)}`);

  // Held-out negatives.
  const t2 = performance.now();
  const testNeg = heldOut(eco, list.names, pairs, top);
  const rest = list.names.slice(TOP);
  const devNeg = heldOut(eco, list.names, pairs, rest.filter((_, i) => i % Math.max(1, Math.floor(rest.length / TOP)) === 0).slice(0, TOP));
  const heldMs = performance.now() - t2;
  const flaggedTest = [...testNeg.values()].filter((m) => at(m));
  const flaggedDev = [...devNeg.values()].filter((m) => at(m));
  console.log(
    `  false positives, held out (name removed from the index): top ${TOP} (test): ${flaggedTest.length}/${testNeg.size} = ${pct(flaggedTest.length, testNeg.size)}; ` +
      `ranks ${TOP + 1}+ sample (dev): ${flaggedDev.length}/${devNeg.size} = ${pct(flaggedDev.length, devNeg.size)} (${(heldMs / 1000).toFixed(1)} s)`,
  );

  // Precision per predicted kind on the test half: flagged positives vs flagged held-out negatives.
  console.log('  precision by predicted kind (test positives + held-out top-5000 negatives)');
  const testFlagged = outcomes.filter((o) => !o.dev && at(o.match)).map((o) => o.match as LookalikeMatch);
  const kinds = [...new Set([...testFlagged, ...flaggedTest].map((m) => m.kind))].sort();
  for (const kind of kinds) {
    const tp = testFlagged.filter((m) => m.kind === kind).length;
    const fp = flaggedTest.filter((m) => m.kind === kind).length;
    console.log(`    ${kind.padEnd(22)} tp ${String(tp).padStart(5)}  fp ${String(fp).padStart(5)}  precision ${pct(tp, tp + fp)}`);
  }
  const byKindFp = new Map<string, string[]>();
  for (const m of flaggedTest) byKindFp.set(m.kind, [...(byKindFp.get(m.kind) ?? []), `${m.name}~${m.closest}(${m.technique} ${m.score})`]);
  for (const [kind, xs] of byKindFp) console.log(`    held-out flagged, ${kind}: ${xs.slice(0, 8).join(', ')}${xs.length > 8 ? ' …' : ''}`);

  // The trade-off: recall and held-out false positives at other thresholds.
  console.log(`  threshold curve (default ${THRESHOLD}):  recall dev / test   |  held-out FP dev / test`);
  for (const t of CURVE) {
    const r = (xs: readonly Outcome[]): string => pct(xs.filter((o) => at(o.match, t)).length, xs.length);
    const f = (m: ReadonlyMap<string, LookalikeMatch | null>): string => pct([...m.values()].filter((x) => at(x, t)).length, m.size);
    console.log(`    ≥ ${t.toFixed(2)}                        ${r(outcomes.filter((o) => o.dev))} / ${r(outcomes.filter((o) => !o.dev))}   |  ${f(devNeg)} / ${f(testNeg)}`);
  }

  // Malicious names the engine flags that the reference did not label.
  const labelled = new Set(labels.map((l) => l.name));
  const extra = malicious.map((n) => refCanonical(eco, n)).filter((n) => !labelled.has(n) && !index.isPopular(n)).map((n) => index.match(n)).filter((m) => at(m));
  console.log(`  malicious names flagged but not reference-labelled: ${extra.length} (e.g. ${extra.slice(0, 6).map((m) => `${m.name}~${m.closest} ${m.kind}`).join(', ')})`);
  if (showMisses) {
    for (const cls of REF_CLASSES) {
      const misses = outcomes.filter((o) => o.dev && o.label.cls === cls && !at(o.match)).map((o) => `${o.label.name}→${o.label.targets[0]} ${o.match === null ? '-' : `${o.match.closest}:${o.match.score}`}`);
      if (misses.length > 0) console.log(`  dev misses ${cls}: ${misses.slice(0, 40).join(' ')}`);
    }
  }
}

const all = loadMaliciousNames();
for (const eco of ['npm', 'pypi'] as const) {
  const mine = all.filter((m) => m.ecosystem === eco);
  const dev = new Set(mine.filter((m) => m.inSubset).map((m) => refCanonical(eco, m.name)));
  await evaluate(eco, mine.map((m) => m.name), dev);
}
console.log('\nreference classes:', REF_CLASSES.join(', '), '(rules: scripts/signals/reference-labels.ts)');
export type { RefClass };
