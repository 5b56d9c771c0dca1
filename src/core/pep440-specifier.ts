/**
 * PEP 440 version specifiers (`>=2,<3`, `~=1.4`, `==1.4.*`, `!=1.5.1`, `===1.0-custom`), as pip
 * matches a requirement's versions: the clauses of a set all hold; local labels are ignored except
 * by `==` naming one and by `===`; `<V` leaves out V's own pre-releases and `>V` its post-releases
 * (unless V is one); pre-releases match only where a clause names one (`prereleases`), which a
 * caller may relax as pip does when nothing else matches. Bounded: at most
 * `MAX_SPECIFIER_CLAUSES` clauses of a text of at most 256 characters; anything else is refused
 * with `SpecifierError` saying what is wrong.
 */
import { comparePep440, parsePep440, type Pep440 } from './pep440.ts';

export const MAX_SPECIFIER_CLAUSES = 64;
const MAX_SPECIFIER_CHARS = 256;

export class SpecifierError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpecifierError';
  }
}

type Operator = '~=' | '==' | '!=' | '<=' | '>=' | '<' | '>' | '===';

interface Clause {
  readonly op: Operator;
  /** As written (what `===` compares). */
  readonly text: string;
  readonly version: Pep440;
  /** `==V.*`, `!=V.*`: a prefix of the release. */
  readonly wildcard: boolean;
}

export interface Pep440Specifier {
  readonly clauses: readonly Clause[];
  /** Whether a clause names a pre-release (then pre-releases match). */
  readonly prereleases: boolean;
  /** Whether a clause pins one version (`==` without `.*`, or `===`): PEP 592 then lets a yanked version be taken when only yanked ones match. */
  readonly pinned: boolean;
}

const CLAUSE_RE = /^(===|~=|==|!=|<=|>=|<|>)\s*(\S+)$/;

export function isPrerelease(v: Pep440): boolean {
  return v.pre !== null || v.dev !== null;
}

function withoutLocal(v: Pep440): Pep440 {
  return v.local.length === 0 ? v : { ...v, local: [] };
}

/** The release alone (`1.4.0rc1.post2` is `1.4.0`), for `<` and `>` exclusions. */
function baseOf(v: Pep440): Pep440 {
  return { epoch: v.epoch, release: v.release, pre: null, post: null, dev: null, local: [] };
}

function clause(raw: string): Clause {
  const m = CLAUSE_RE.exec(raw);
  if (m === null || /^[<>=!~]/.test(m[2] as string)) throw new SpecifierError(`${JSON.stringify(raw.slice(0, 64))} is not a clause: an operator (~=, ==, !=, <=, >=, <, >, ===) then a version`);
  const op = m[1] as Operator;
  const text = m[2] as string;
  if (op === '===') return { op, text, version: parsePep440('0') as Pep440, wildcard: false };
  const wildcard = text.endsWith('.*');
  if (wildcard && op !== '==' && op !== '!=') throw new SpecifierError(`${JSON.stringify(raw.slice(0, 64))}: only == and != take a .* prefix`);
  const version = parsePep440(wildcard ? text.slice(0, -2) : text);
  if (version === null) throw new SpecifierError(`${JSON.stringify(raw.slice(0, 64))}: ${JSON.stringify(text.slice(0, 64))} is not a PEP 440 version`);
  if (wildcard && (version.pre !== null || version.post !== null || version.dev !== null || version.local.length > 0)) {
    throw new SpecifierError(`${JSON.stringify(raw.slice(0, 64))}: a .* prefix is a release (==1.4.*)`);
  }
  if (op === '~=' && version.release.length < 2) throw new SpecifierError(`${JSON.stringify(raw.slice(0, 64))}: ~= needs a version of two parts or more (~=1.4)`);
  if (version.local.length > 0 && op !== '==' && op !== '!=') throw new SpecifierError(`${JSON.stringify(raw.slice(0, 64))}: only == and != take a local version label (+…)`);
  return { op, text, version, wildcard };
}

/** A specifier set: clauses separated by commas. A bare version (`1.4`, `1.4.*`) is read as `==` of it. */
export function parsePep440Specifier(text: string): Pep440Specifier {
  if (text.length > MAX_SPECIFIER_CHARS) throw new SpecifierError(`longer than ${MAX_SPECIFIER_CHARS} characters`);
  const parts = text.split(',').map((c) => c.trim());
  if (parts.length > MAX_SPECIFIER_CLAUSES) throw new SpecifierError(`${parts.length} clauses; at most ${MAX_SPECIFIER_CLAUSES}`);
  if (parts.some((c) => c === '')) throw new SpecifierError('an empty clause (two commas, or one at an end)');
  const clauses = parts.map((c) => clause(/^[<>=!~]/.test(c) ? c : `==${c}`));
  // `===` names a pre-release too when its text reads as one (packaging's Specifier.prereleases).
  const named = (c: Clause): Pep440 | null => (c.op === '===' ? parsePep440(c.text) : c.version);
  return {
    clauses,
    prereleases: clauses.some((c) => {
      const v = named(c);
      return c.op !== '!=' && v !== null && isPrerelease(v);
    }),
    pinned: clauses.some((c) => c.op === '===' || (c.op === '==' && !c.wildcard)),
  };
}

/** Whether the release of `v` starts with `prefix`'s release (zero-padded, as `==1.4.*` matches `1.4`), same epoch. */
function prefixMatch(prefix: Pep440, v: Pep440): boolean {
  if (prefix.epoch !== v.epoch) return false;
  return prefix.release.every((x, i) => (v.release[i] ?? 0n) === x);
}

function holds(c: Clause, raw: string, v: Pep440): boolean {
  const plain = withoutLocal(v);
  switch (c.op) {
    case '===':
      return raw.trim().toLowerCase() === c.text.toLowerCase();
    case '==':
      return c.wildcard ? prefixMatch(c.version, v) : comparePep440(c.version.local.length > 0 ? v : plain, c.version) === 0;
    case '!=':
      return c.wildcard ? !prefixMatch(c.version, v) : comparePep440(c.version.local.length > 0 ? v : plain, c.version) !== 0;
    case '<=':
      return comparePep440(plain, c.version) <= 0;
    case '>=':
      return comparePep440(plain, c.version) >= 0;
    case '<':
      if (comparePep440(plain, c.version) >= 0) return false;
      return isPrerelease(c.version) || !isPrerelease(v) || comparePep440(baseOf(v), baseOf(c.version)) !== 0;
    case '>':
      if (comparePep440(plain, c.version) <= 0) return false;
      if (c.version.post === null && v.post !== null && comparePep440(baseOf(v), baseOf(c.version)) === 0) return false;
      return true;
    case '~=': {
      const prefix: Pep440 = { ...baseOf(c.version), release: c.version.release.slice(0, -1) };
      return comparePep440(plain, c.version) >= 0 && prefixMatch(prefix, v);
    }
  }
}

/**
 * Whether `version` (as listed) satisfies every clause. A pre-release satisfies only where the
 * set names one or `prereleases` is true; a version PEP 440 cannot read satisfies only `===`.
 */
export function satisfiesPep440(spec: Pep440Specifier, version: string, prereleases = spec.prereleases): boolean {
  const v = parsePep440(version);
  if (v === null) return spec.clauses.length > 0 && spec.clauses.every((c) => c.op === '===' && holds(c, version, parsePep440('0') as Pep440));
  if (isPrerelease(v) && !prereleases) return false;
  return spec.clauses.every((c) => holds(c, version, v));
}
