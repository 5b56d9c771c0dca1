/**
 * A version range as a package client resolves it, for the pre-flight check: npm ranges
 * (`^4.17.0`, `1.x`, `>=2 <3 || 4`) with the `semver` package npm itself uses (pre-releases only
 * where the range names one of the same release), PyPI specifiers (`>=2,<3`, `~=1.4`, `==1.4.*`)
 * with PEP 440's rules (core/pep440-specifier.ts; pre-releases where a clause names one, or when
 * no final release matches, as pip picks). Other ecosystems name tags, digests and revisions:
 * they have no ranges. Bounded: at most `MAX_RANGE_SETS` comparator sets (npm's `||`) or clauses
 * (PyPI's commas), a text of at most 256 characters; a range that cannot be read is
 * `INVALID_VERSION` saying what is wrong.
 */
import semver from 'semver';
import { AirlockError, comparePep440, MAX_SPECIFIER_CLAUSES, parsePep440, parsePep440Specifier, satisfiesPep440, SpecifierError, type Ecosystem } from '../core/index.ts';

export const MAX_RANGE_SETS = MAX_SPECIFIER_CLAUSES;
const MAX_RANGE_CHARS = 256;

export interface VersionRange {
  readonly ecosystem: Ecosystem;
  /** As given. */
  readonly text: string;
  /** The versions of `versions` an install of the range may get, newest first. */
  select(versions: readonly string[]): string[];
  /**
   * The versions of `versions` the client takes when it is shown none of `select`'s, newest
   * first: pip's pre-releases within a specifier that names none, when no final release it sees
   * satisfies (Airlock hiding every final one). Empty where there is no such fallback (npm).
   */
  fallback(versions: readonly string[]): string[];
  /** Whether the client takes the version its `latest` tag names when that satisfies the range, before newer ones (npm does). */
  readonly prefersLatest: boolean;
  /** Whether the client takes a deprecated version only when no other satisfies (npm-pick-manifest does, `latest` included). */
  readonly avoidsDeprecated: boolean;
  /** Whether yanked versions count when only yanked ones satisfy (PEP 592: a PyPI specifier pinning with `==` or `===`). */
  readonly takesYanked: boolean;
}

/** Operators, wildcards, `||`, commas or spaces: what a version never has and a range does. */
const RANGE_MARK_RE = /[\^~<>=*|,\s!]|(^|\.)[xX](\.|$)/;

/**
 * Whether `text`, given as a version, is a range rather than one version: for npm, not a version
 * but a range `semver` reads (`1`, `1.2` are ranges, as npm installs them) or written like one;
 * for PyPI, written with an operator, a wildcard or a comma. Else false (a version, a tag).
 */
export function isVersionRange(ecosystem: Ecosystem, text: string): boolean {
  switch (ecosystem) {
    case 'npm':
      return semver.valid(text) === null && (RANGE_MARK_RE.test(text) || semver.validRange(text) !== null);
    case 'pypi':
      return parsePep440(text) === null && RANGE_MARK_RE.test(text);
    case 'oci':
    case 'huggingface':
      return /^[\^~<>=!]|[*\s]|\|\|/.test(text);
  }
}

function invalid(ecosystem: Ecosystem, text: string, why: string): AirlockError {
  return new AirlockError('INVALID_VERSION', `${JSON.stringify(text.slice(0, 64))} is not ${ecosystem === 'npm' ? 'an npm version range' : 'a PEP 440 version specifier'}: ${why}`);
}

function npmRange(text: string): VersionRange {
  let range: semver.Range;
  try {
    range = new semver.Range(text);
  } catch {
    throw invalid('npm', text, 'npm reads ranges such as ^4.17.0, ~1.2.3, 1.x, >=2.0.0 <3.0.0 or 1 || 2');
  }
  if (range.set.length > MAX_RANGE_SETS) throw invalid('npm', text, `${range.set.length} comparator sets (||); at most ${MAX_RANGE_SETS}`);
  return {
    ecosystem: 'npm',
    text,
    prefersLatest: true,
    avoidsDeprecated: true,
    takesYanked: false,
    select: (versions) => versions.filter((v) => semver.valid(v) !== null && range.test(v)).sort(semver.rcompare),
    fallback: () => [],
  };
}

function pypiRange(text: string): VersionRange {
  let spec;
  try {
    spec = parsePep440Specifier(text);
  } catch (err) {
    if (err instanceof SpecifierError) throw invalid('pypi', text, `${err.message} (pip reads specifiers such as >=2,<3, ~=1.4, ==1.4.* or !=1.5.1)`);
    throw err;
  }
  // Versions PEP 440 cannot read (matched by === only) last.
  const newestFirst = (a: string, b: string): number => {
    const x = parsePep440(a);
    const y = parsePep440(b);
    return x === null || y === null ? Number(x === null) - Number(y === null) : comparePep440(y, x);
  };
  return {
    ecosystem: 'pypi',
    text,
    prefersLatest: false,
    avoidsDeprecated: false,
    takesYanked: spec.pinned,
    select: (versions) => {
      const matching = versions.filter((v) => satisfiesPep440(spec, v));
      // pip takes a pre-release where nothing else matches.
      return (matching.length > 0 || spec.prereleases ? matching : versions.filter((v) => satisfiesPep440(spec, v, true))).sort(newestFirst);
    },
    fallback: (versions) => (spec.prereleases ? [] : versions.filter((v) => !satisfiesPep440(spec, v) && satisfiesPep440(spec, v, true)).sort(newestFirst)),
  };
}

/** The range `text` names (see `isVersionRange`); an ecosystem without ranges, or a range that cannot be read, is INVALID_VERSION. */
export function parseVersionRange(ecosystem: Ecosystem, text: string): VersionRange {
  if (text.length > MAX_RANGE_CHARS) throw invalid(ecosystem, text, `longer than ${MAX_RANGE_CHARS} characters`);
  switch (ecosystem) {
    case 'npm':
      return npmRange(text);
    case 'pypi':
      return pypiRange(text);
    case 'oci':
    case 'huggingface':
      throw new AirlockError(
        'INVALID_VERSION',
        `${JSON.stringify(text.slice(0, 64))} is a range; ${ecosystem} has none: give ${ecosystem === 'oci' ? 'an image tag or a sha256: digest' : 'a branch, tag or commit'}`,
      );
  }
}
