/**
 * `npm run eval:signals` — measures the look-alike engine on labelled data, in one run.
 *
 * Positives: known-malicious npm/PyPI names (OSV MAL records, shared threat data) that imitate a
 * popular name according to the reference labeller, which shares no code with the engine:
 * step 1 (scripts/signals/reference-labels.ts) finds shape matches by a plain rule per class,
 * step 2 (scripts/signals/label-audit.ts) keeps the imitations — using the records' own text
 * where it exists (scripts/signals/record-evidence.ts) — and excludes, with a reason, numbered
 * series, generic words, unrelated scopes and probes. Split: names with a record in the `osv/`
 * subset are the tuning half; the rest of the index is the held-out half.
 *
 * Negatives:
 *  - product: the 5,000 most popular names of each list and both members of every legitimate
 *    look-alike pair, asked of the index as shipped (popular names are never flagged, so this
 *    measures that guarantee);
 *  - leave-one-out: the same 5,000 names each asked of an index that does not contain them (10
 *    folds; pairs involving them are dropped from the allowlist too) — a stand-in for legitimate
 *    packages that are not (yet) popular, which is where false positives really come from.
 *    A sample of names ranked 5,001+ is the tuning half of this measurement.
 *
 * Options: --misses (tuning-half misses per class), --misses-all (held-out half too: reading
 * them is peeking), --sample N (a seeded sample of labels for hand review), --engine DIR (measure
 * another copy of src/signals/lookalike, e.g. a previous commit's, on the same labels).
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as currentEngine from '../src/signals/lookalike/index.ts';
import type { LookalikeIndex, LookalikeMatch, PopularName } from '../src/signals/lookalike/index.ts';
import { loadLegitPairs, loadPopularList, type PopularEcosystem } from '../src/signals/popular/index.ts';
import { loadMaliciousNames, type MaliciousName } from './signals/eval-data.ts';
import { auditLabel, type AuditedLabel } from './signals/label-audit.ts';
import { loadRecordEvidence, type RecordEvidence } from './signals/record-evidence.ts';
import { REF_CLASSES, referenceHits, refCanonical } from './signals/reference-labels.ts';
import { flaggedAt, pct, printBasis, printCurve, printExcluded, printPrecision, printRecall, printSample, type Outcome } from './signals/eval-report.ts';

const argv = process.argv.slice(2);
const args = new Set(argv);
const option = (flag: string): string | undefined => {
  const at = argv.indexOf(flag);
  return at === -1 ? undefined : argv[at + 1];
};
const sampleSize = Number(option('--sample') ?? '0');
const engineDir = option('--engine');
const engine: typeof currentEngine =
  engineDir === undefined ? currentEngine : ((await import(pathToFileURL(resolve(engineDir, 'index.ts')).href)) as typeof currentEngine);
const { createLookalikeIndex, DEFAULT_MIN_SCORE } = engine;

const TOP = 5000;
const THRESHOLD = DEFAULT_MIN_SCORE;
/** Matches are collected at score 0 and thresholded here, so one run gives the whole curve. */
const CURVE = [0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7];
const FOLDS = 10;

function leaveOneOut(
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

function labelsFor(eco: PopularEcosystem, malicious: readonly MaliciousName[], popular: readonly PopularName[], evidence: ReadonlyMap<string, RecordEvidence>): AuditedLabel[] {
  const popularKeys = new Set(popular.map((p) => refCanonical(eco, p.name)));
  const byName = new Map(malicious.map((m) => [refCanonical(eco, m.name), m] as const));
  const hits = referenceHits(eco, malicious.map((m) => m.name), popular.map((p) => p.name));
  // Names no shape rule matched still count when their record names a popular target.
  const matched = new Set(hits.map((h) => h.name));
  for (const name of byName.keys()) {
    const named = evidence.get(`${eco}:${name}`)?.namedTarget;
    if (!matched.has(name) && !popularKeys.has(name) && named !== null && named !== undefined) hits.push({ name, hits: [] });
  }
  const labels: AuditedLabel[] = [];
  for (const h of hits) {
    const label = auditLabel({ eco, hits: h, evidence: evidence.get(`${eco}:${h.name}`), versions: byName.get(h.name)?.versions ?? [], popular: popularKeys });
    if (label !== null) labels.push(label);
  }
  return labels;
}

async function evaluate(eco: PopularEcosystem, malicious: readonly MaliciousName[], evidence: ReadonlyMap<string, RecordEvidence>): Promise<void> {
  const list = await loadPopularList(eco);
  const pairs = await loadLegitPairs(eco);
  const devNames = new Set(malicious.filter((m) => m.inSubset).map((m) => refCanonical(eco, m.name)));
  const t0 = performance.now();
  const labels = labelsFor(eco, malicious, list.names, evidence);
  const labelMs = performance.now() - t0;
  const t1 = performance.now();
  const index: LookalikeIndex = createLookalikeIndex(list.names, { rules: eco, legitPairs: pairs, minScore: 0 });
  const buildMs = performance.now() - t1;
  console.log(`\n== ${eco}: ${list.names.length} popular names (${list.source.description})`);
  console.log(`  malicious names: ${malicious.length}; shape matches: ${labels.length} (labelling ${(labelMs / 1000).toFixed(1)} s, index build ${buildMs.toFixed(0)} ms)`);
  printBasis(labels);

  const all: Outcome[] = labels.map((label) => ({ label, dev: devNames.has(label.name), match: index.match(label.name) }));
  const outcomes = all.filter((o) => o.label.excluded === null);
  printRecall(eco, outcomes, THRESHOLD);
  printExcluded(all.filter((o) => o.label.excluded !== null), THRESHOLD);

  // Product-mode negatives (at any score: popular names must never produce a match at all).
  const top = list.names.slice(0, TOP);
  const pairNames = new Set(pairs.flatMap(([a, b]) => [a, b]));
  const topFlagged = top.filter((p) => index.match(p.name) !== null).length;
  const pairFlagged = [...pairNames].filter((n) => index.match(n) !== null).length;
  console.log(`  false positives, product (as shipped): top ${TOP}: ${topFlagged}/${top.length} = ${pct(topFlagged, top.length).trim()}; legit-pair members: ${pairFlagged}/${pairNames.size} = ${pct(pairFlagged, pairNames.size).trim()}`);

  const t2 = performance.now();
  const testNeg = leaveOneOut(eco, list.names, pairs, top);
  const rest = list.names.slice(TOP);
  const devNeg = leaveOneOut(eco, list.names, pairs, rest.filter((_, i) => i % Math.max(1, Math.floor(rest.length / TOP)) === 0).slice(0, TOP));
  const heldMs = performance.now() - t2;
  const flaggedTest = [...testNeg.values()].filter((m) => flaggedAt(m, THRESHOLD));
  const flaggedDev = [...devNeg.values()].filter((m) => flaggedAt(m, THRESHOLD));
  console.log(
    `  leave-one-out (name removed from the index, asked as if new): top ${TOP} (held-out): ${flaggedTest.length}/${testNeg.size} = ${pct(flaggedTest.length, testNeg.size).trim()}; ` +
      `ranks ${TOP + 1}+ sample (tuning): ${flaggedDev.length}/${devNeg.size} = ${pct(flaggedDev.length, devNeg.size).trim()} (${(heldMs / 1000).toFixed(1)} s)`,
  );

  printPrecision(outcomes.filter((o) => !o.dev && flaggedAt(o.match, THRESHOLD)).map((o) => o.match as LookalikeMatch), flaggedTest);
  printCurve(CURVE, THRESHOLD, outcomes, devNeg, testNeg);

  const labelled = new Set(labels.map((l) => l.name));
  const extra = malicious.map((m) => refCanonical(eco, m.name)).filter((n) => !labelled.has(n) && !index.isPopular(n)).map((n) => index.match(n)).filter((m) => flaggedAt(m, THRESHOLD));
  console.log(`  malicious names flagged without a shape match: ${extra.length} (e.g. ${extra.slice(0, 6).map((m) => `${m.name}~${m.closest} ${m.kind}`).join(', ')})`);
  if (args.has('--misses') || args.has('--misses-all')) {
    for (const half of args.has('--misses-all') ? [true, false] : [true]) {
      for (const cls of REF_CLASSES) {
        const misses = outcomes
          .filter((o) => o.dev === half && o.label.cls === cls && !flaggedAt(o.match, THRESHOLD))
          .map((o) => `${o.label.name}→${o.label.targets[0] ?? ''} ${o.match === null ? '-' : `${o.match.closest}:${o.match.score}`}`);
        if (misses.length > 0) console.log(`  ${half ? 'tuning' : 'held-out'} misses ${cls}: ${misses.slice(0, 40).join('  ')}`);
      }
    }
  }
  if (sampleSize > 0) printSample(eco, labels, sampleSize, 20251121);
}

if (engineDir !== undefined) console.log(`engine: ${resolve(engineDir)}`);
const malicious = loadMaliciousNames();
const evidence = loadRecordEvidence(refCanonical);
for (const eco of ['npm', 'pypi'] as const) {
  await evaluate(eco, malicious.filter((m) => m.ecosystem === eco), evidence);
}
console.log('\nreference classes:', REF_CLASSES.join(', '), '(rules: scripts/signals/reference-labels.ts, label-audit.ts)');
