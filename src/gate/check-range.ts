/**
 * A version range, checked: which listed version an install of it gets through Airlock now —
 * the version the client would pick from the metadata Airlock serves: npm's `latest` when it
 * satisfies the range and is not deprecated, else the newest satisfying version the gate allows,
 * npm taking deprecated ones last (withheld versions hidden; pip, shown no final release that
 * satisfies, takes the specifier's pre-releases) or the
 * newest satisfying one whatever its verdict (withheld versions listed, when the install then
 * fails on it) — and the newest satisfying version with its verdict, so a caller learns what is
 * held and why. Yanked PyPI versions count only for a pin nothing else satisfies (PEP 592).
 * Versions are judged newest first, a few at a time, until one is allowed: a range over
 * thousands of versions costs the judgements up to the first allowed one, not all of them.
 */
import type { Explainer } from './check-service.ts';
import type { Explained } from './judgement.ts';
import type { PackageListing } from './package-sources.ts';
import type { VersionCandidate } from './types.ts';
import type { VersionRange } from './version-range.ts';

/** Versions judged per round. */
const ROUND = 16;

export type RangeCheck =
  | { readonly status: 'none'; readonly listed: number }
  | {
      readonly status: 'judged';
      /** Listed versions satisfying the range (yanked ones left out, as pip leaves them, but for a pin only yanked ones satisfy). */
      readonly satisfying: number;
      /**
       * The version the client picks, judged: an allowed one while withheld versions are hidden;
       * the first in order, allowed or not, when they are listed (the install then fails on a held
       * one). Null: the client finds none (the gate allows none of them, and they are hidden).
       */
      readonly chosen: Explained | null;
      /** The newest satisfying version, judged. */
      readonly newest: Explained;
    };

/** PyPI's yanked fact is true, or the reason given (a string); false or absent: not yanked. */
function isYanked(c: VersionCandidate): boolean {
  const y = c.facts['yanked'];
  return y !== undefined && y !== false && y !== null;
}

/**
 * The listed versions an install of `range` chooses among: yanked ones left out, as pip leaves
 * them, unless only yanked ones satisfy a specifier that pins one (`==1.4.2`, `===…`: PEP 592).
 */
function candidatesOf(range: VersionRange, listing: PackageListing): Map<string, VersionCandidate> {
  const unyanked = new Map(listing.candidates.filter((c) => !isYanked(c)).map((c) => [c.subject.version, c]));
  if (!range.takesYanked || range.select([...unyanked.keys()]).length > 0) return unyanked;
  return new Map(listing.candidates.map((c) => [c.subject.version, c]));
}

export async function checkRange(range: VersionRange, listing: PackageListing, gate: Explainer): Promise<RangeCheck> {
  const byVersion = candidatesOf(range, listing);
  const inRange = range.select([...byVersion.keys()]);
  const newestVersion = inRange[0];
  if (newestVersion === undefined) return { status: 'none', listed: byVersion.size };
  const latest = listing.servedLatest;
  // npm-pick-manifest passes over deprecated versions, its latest tag's too, while others satisfy.
  const deprecated = (v: string): boolean => {
    const why = byVersion.get(v)?.facts['deprecated'];
    return range.avoidsDeprecated && typeof why === 'string' && why !== '';
  };
  const first = range.prefersLatest && latest !== null && inRange.includes(latest) && !deprecated(latest) ? [latest] : [];
  const order = [...new Set([...first, ...inRange.filter((v) => !deprecated(v)), ...inRange.filter(deprecated)])];
  const judged = new Map<string, Explained>();
  const judge = async (versions: readonly string[]): Promise<readonly Explained[]> => {
    const explained = await gate.explain(versions.map((v) => byVersion.get(v) as VersionCandidate), listing.candidates);
    for (const e of explained) judged.set(e.candidate.subject.version, e);
    return explained;
  };
  let chosen: Explained | null = null;
  if (listing.listsWithheld === true) {
    // Withheld versions listed like any other: the client takes the first in order, allowed or not.
    chosen = (await judge([...new Set([order[0] as string, newestVersion])]))[0] ?? null;
  } else {
    // What the client sees when none of these is shown (pip's pre-releases), after them.
    const all = [...new Set([...order, ...range.fallback([...byVersion.keys()])])];
    for (let i = 0; i < all.length && chosen === null; i += ROUND) {
      chosen = (await judge(all.slice(i, i + ROUND))).find((e) => e.decision.verdict.kind === 'allow') ?? null;
    }
  }
  return { status: 'judged', satisfying: inRange.length, chosen, newest: judged.get(newestVersion) as Explained };
}
