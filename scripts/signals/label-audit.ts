/**
 * The evaluation's reference labeller, step 2: which shape matches (step 1,
 * `reference-labels.ts`) are imitations of a popular name, and which are not. Independent of the
 * look-alike engine (imports nothing from src/signals). The rules, in order:
 *
 * 1. What the record says wins. A record whose text names the imitated package ("typosquatting
 *    the popular requests package") makes a positive with that target — in the class whose rule
 *    matches it, else `affix` when the name contains the target, else it is excluded as
 *    `described-not-name-imitation` (`ascii2text` impersonating `art`). A record that calls the
 *    name a typosquat without naming the target confirms the shape match as is. A record (or
 *    name) that says dependency-confusion proof of concept excludes the name.
 * 2. Otherwise the first class whose match survives its check is the label:
 *    - scope: a name under a scope that is unrelated to the target's scope (`@xvideos/builder`
 *      vs `@angular-eslint/builder`) is `unrelated-scope` — the shape of a dependency-confusion
 *      probe of a company's own package whose basename happens to be a popular basename, not an
 *      imitation of that package (whose identity is its scope). Related scopes: one contains the
 *      other (3+ letters), textbook distance ≤ 1 (targets of 4+ letters) or ≤ 2 (7+), equal once
 *      folded, or the basename contains the target's scope (`@x/fingerprintjs` vs
 *      `@fingerprintjs/fingerprintjs`). A popular unscoped name under a foreign scope
 *      (`@evil/lodash`) is kept unless the basename is generic (`@xvideos/install`).
 *    - affix: digits that are not a version (`test-23456`, `supertest222222`, `temp240824`: a
 *      numbered series, spam or probes) are `numbered`; a version is 1–2 digits, optionally
 *      followed by up to three dot/dash/underscore-separated groups of 1–3 digits (`react18`,
 *      `colors-2.0.0`, `solc-0.4.13`, `requests-2-32-3`). An affix on a generic word
 *      (`install-utils`, `lock-api`) is `generic-name`.
 *    - typo: two edits confined to one word turn it into another word when they are two
 *      substitutions in a word of at most 6 letters (`action-utils` vs `motion-utils`,
 *      `plain-function` vs `chain-function`) or need a substitution in a word of at most 5
 *      (`python-guild` vs `python-ulid`, `meta-cache` vs `metro-cache`): `word-swap`. Two
 *      insertions or omissions keep the word readable (`create-hshs`, `asfsertx-plus`): typos.
 *    - simplification: a word dropped that leaves only generic words (`module-utils` from
 *      `eslint-module-utils`, `test-renderer` from `react-test-renderer`): `generic-name`.
 *    A name whose every match fails its check is excluded with the first reason.
 *
 * Generic words: the short list below of words that describe what code does rather than name a
 * product. It is a written judgement, not derived from the engine; the hand-reviewed sample in
 * docs/signals.md shows where it errs.
 */
import { isProbeVersion, type RecordEvidence } from './record-evidence.ts';
import { refCanonical, refOsa, refShape, refStrip, type RefClass, type RefEcosystem, type RefHits } from './reference-labels.ts';

export const GENERIC_WORDS: ReadonlySet<string> = new Set(
  (
    'test tests testing temp tmp demo example examples sample samples hello world foo bar baz my app apps main index ' +
    'package packages module modules lib libs util utils utility helper helpers tool tools core common commons shared ' +
    'base config configs data install installer lock title proxy relative string strings log logs logging logger ' +
    'model models modal contract contracts database db notifications notification integration integrations builder ' +
    'build shell backend back end frontend front server client api service services component components hook hooks ' +
    'ui theme icons icon assets types fonts images image styles style design system reset render renderer fingerprint ' +
    'resources static language accounts account application admin dashboard inventory tracking analytics wallet ' +
    'provider providers process sync router native svg plugin plugins sdk http web browser node python py js'
  ).split(' '),
);

export type ExclusionReason =
  | 'unrelated-scope'
  | 'numbered'
  | 'generic-name'
  | 'word-swap'
  | 'confusion-probe'
  | 'described-not-name-imitation';

export const EXCLUSION_REASONS: readonly ExclusionReason[] = ['unrelated-scope', 'numbered', 'generic-name', 'word-swap', 'confusion-probe', 'described-not-name-imitation'];

export type LabelBasis = 'rule' | 'rule+description' | 'description';

export interface AuditedLabel {
  readonly name: string;
  /** The class of the label (for an excluded name: of the first shape match). */
  readonly cls: RefClass;
  /** Imitated names, most popular first (for an excluded name: those of the first match). */
  readonly targets: readonly string[];
  readonly excluded: ExclusionReason | null;
  readonly basis: LabelBasis;
  /** Some version of the record looks like a dependency-confusion probe (major ≥ 90). */
  readonly probeVersion: boolean;
  readonly excerpt: string | null;
}

const VERSION_SUFFIX_RE = /^v?\d{1,2}(?:[._-]\d{1,3}){0,3}$/;

function isGeneric(tokens: readonly string[]): boolean {
  return tokens.length > 0 && tokens.every((t) => GENERIC_WORDS.has(t) || /^\d+$/.test(t));
}

/** The part of `base` left after removing the target's letters from its start or its end. */
function affixPart(base: string, targetFlat: string): string | null {
  const fromStart = (s: string, t: string): string | null => {
    let i = 0;
    let j = 0;
    while (i < s.length && j < t.length) {
      if (s[i] === t[j]) {
        i++;
        j++;
      } else if ('-_.'.includes(s[i] as string)) i++;
      else return null;
    }
    return j === t.length ? s.slice(i) : null;
  };
  const rev = (x: string): string => [...x].reverse().join('');
  const suffix = fromStart(base, targetFlat);
  if (suffix !== null) return suffix;
  const prefix = fromStart(rev(base), rev(targetFlat));
  return prefix === null ? null : rev(prefix);
}

/** Textbook longest common subsequence length. */
function lcsLength(a: string, b: string): number {
  let prev = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    const row = new Array<number>(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j++) row[j] = a[i - 1] === b[j - 1] ? (prev[j - 1] as number) + 1 : Math.max(prev[j] as number, row[j - 1] as number);
    prev = row;
  }
  return prev[b.length] as number;
}

function scopesRelated(q: string, t: string): boolean {
  const a = refStrip(q);
  const b = refStrip(t);
  if (b.length >= 3 && a.includes(b)) return true;
  if (a.length >= 3 && b.includes(a)) return true;
  const d = refOsa(a, b);
  return (d <= 1 && b.length >= 4) || (d <= 2 && b.length >= 7);
}

type Check = (eco: RefEcosystem, name: string, target: string) => ExclusionReason | null;

const CHECKS: Partial<Record<RefClass, Check>> = {
  scope: (eco, name, target) => {
    const q = refShape(eco, name);
    const t = refShape(eco, target);
    if (q.scope !== null && t.scope !== null) {
      if (scopesRelated(q.scope, t.scope) || refStrip(q.base).includes(refStrip(t.scope))) return null;
      return 'unrelated-scope';
    }
    if (q.scope !== null && isGeneric(q.words)) return 'generic-name';
    return null;
  },
  affix: (eco, name, target) => {
    const q = refShape(eco, name);
    const t = refShape(eco, target);
    const part = affixPart(q.base, t.flatBase);
    const trimmed = part?.replace(/^[-_.]+|[-_.]+$/g, '') ?? '';
    if (/^\d/.test(trimmed) || /\d$/.test(trimmed)) {
      const digits = /\d[\d._-]*$/.exec(trimmed)?.[0] ?? trimmed;
      if (!VERSION_SUFFIX_RE.test(digits)) return 'numbered';
    }
    if (isGeneric(t.words)) return 'generic-name';
    return null;
  },
  typo: (eco, name, target) => {
    const q = refShape(eco, name);
    const t = refShape(eco, target);
    if (q.words.length !== t.words.length || refOsa(q.flatFull, t.flatFull) !== 2) return null;
    const differing = t.words.map((w, i) => [w, q.words[i] as string] as const).filter(([a, b]) => a !== b);
    if (differing.length !== 1) return null;
    const [tw, qw] = differing[0] as readonly [string, string];
    if (refOsa(tw, qw) !== 2) return null;
    let subs = 0;
    if (qw.length === tw.length) for (let i = 0; i < tw.length; i++) if (tw[i] !== qw[i]) subs++;
    // Two substitutions in a word of up to 6 letters, or two edits that need a substitution (not
    // insertions or omissions alone) in a word of up to 5.
    const needsSubstitution = tw.length + qw.length - 2 * lcsLength(tw, qw) > 2;
    return (subs === 2 && tw.length <= 6) || (needsSubstitution && tw.length <= 5) ? 'word-swap' : null;
  },
  simplification: (eco, name) => {
    const q = refShape(eco, name);
    return q.words.length >= 2 && isGeneric(q.words) ? 'generic-name' : null;
  },
};

export interface AuditInput {
  readonly eco: RefEcosystem;
  readonly hits: RefHits;
  readonly evidence: RecordEvidence | undefined;
  readonly versions: readonly string[];
  readonly popular: ReadonlySet<string>;
}

export function auditLabel({ eco, hits, evidence, versions, popular }: AuditInput): AuditedLabel | null {
  const probeVersion = versions.some(isProbeVersion);
  const excerpt = evidence?.excerpt ?? null;
  const base = { name: hits.name, probeVersion, excerpt };
  const first = hits.hits[0];
  const named = evidence?.namedTarget === null || evidence?.namedTarget === undefined ? null : refCanonical(eco, evidence.namedTarget);
  if (named !== null && popular.has(named)) {
    const hit = hits.hits.find((h) => h.targets.includes(named));
    if (hit !== undefined) return { ...base, cls: hit.cls, targets: [named], excluded: null, basis: 'description' };
    if (refStrip(hits.name).includes(refStrip(named))) return { ...base, cls: 'affix', targets: [named], excluded: null, basis: 'description' };
    if (first === undefined) return null;
    return { ...base, cls: first.cls, targets: first.targets, excluded: 'described-not-name-imitation', basis: 'description' };
  }
  if (first === undefined) return null;
  if (evidence?.confusionProbe === true) return { ...base, cls: first.cls, targets: first.targets, excluded: 'confusion-probe', basis: 'description' };
  if (evidence?.typosquatClaim === true) return { ...base, cls: first.cls, targets: first.targets, excluded: null, basis: 'rule+description' };
  let firstReason: ExclusionReason | null = null;
  for (const hit of hits.hits) {
    const check = CHECKS[hit.cls];
    const reasons = hit.targets.map((t) => (check === undefined ? null : check(eco, hits.name, t)));
    const kept = hit.targets.filter((_, i) => reasons[i] === null);
    if (kept.length > 0) return { ...base, cls: hit.cls, targets: kept, excluded: null, basis: 'rule' };
    firstReason ??= reasons.find((r) => r !== null) ?? null;
  }
  return { ...base, cls: first.cls, targets: first.targets, excluded: firstReason, basis: 'rule' };
}
