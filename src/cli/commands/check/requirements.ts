/**
 * A pip requirements file (`requirements.txt`) as pip-compile writes it: `name==version` pins,
 * with extras (`name[extra]==…`), an environment marker (`; python_version < "3.12"`, kept and
 * reported: the pin is checked whatever the environment), `--hash=algo:hex` options, `\` line
 * continuations, comments and blank lines; and as people write it, with version specifiers
 * (`>=2,<3`, `~=1.4`, `==1.4.*`), which the server resolves to the version pip gets through
 * Airlock. What cannot be checked against an index is listed apart with why: includes (`-r`,
 * `-c`: not followed), editables, URLs, paths and VCS references, pip options, and specifiers
 * Airlock cannot read. A requirement without a version (`requests`, `requests[socks]`) is any
 * version: the specifier `>=0` (ANY_VERSION), resolved as pip resolves an empty one — the newest
 * final release that is not yanked, through Airlock (a pre-release only when no final release
 * exists; a `0` pre-release such as `0a1` it cannot name). A line pip could not read either is
 * an error naming it.
 *
 * Line joining and comments follow pip's own reading (`req_file.py`): a line ending in `\` joins
 * the next unless that is a comment; `#` at the start or after whitespace starts a comment.
 * Hostile input: the file's size, each line's length, the number of entries and of hashes are
 * capped, every pattern runs on a capped line without nested quantifiers, and comments are cut
 * by hand (`withoutComment`).
 */
import { isAirlockError, normalizePypiName, parsePep440 } from '../../../core/index.ts';
import { parseVersionRange } from '../../../gate/version-range.ts';
import { clip } from '../../admin/cli-support.ts';

export interface RequirementHash {
  readonly algorithm: string;
  readonly hex: string;
}

export interface Requirement {
  /** The line it starts on (1-based). */
  readonly line: number;
  /** The name as written, and its PEP 503 form. */
  readonly name: string;
  readonly canonical: string;
  /** The version of the `==` (or `===`) pin; null: a specifier. */
  readonly version: string | null;
  /** Without a pin, the version specifier (`>=2,<3`), its clauses joined by commas (none written: ANY_VERSION); else null. */
  readonly specifier: string | null;
  readonly extras: readonly string[];
  /** The environment marker, as written; null: none. */
  readonly marker: string | null;
  readonly hashes: readonly RequirementHash[];
}

export interface SkippedLine {
  /** `line N`. */
  readonly path: string;
  readonly why: string;
}

export interface RequirementsFile {
  /** The pinned requirements and those with a specifier, one per name and version or specifier, in the file's order. */
  readonly requirements: readonly Requirement[];
  /** Lines that are not checked, with why. */
  readonly skipped: readonly SkippedLine[];
}

export class RequirementsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RequirementsError';
  }
}

export interface RequirementsLimits {
  readonly maxBytes: number;
  /** Characters of a line, and of a line joined from its continuations. */
  readonly maxLineChars: number;
  /** Requirement and option lines. */
  readonly maxEntries: number;
  readonly maxHashesPerLine: number;
}

export const REQUIREMENTS_LIMITS: RequirementsLimits = Object.freeze({ maxBytes: 16 * 1024 * 1024, maxLineChars: 256 * 1024, maxEntries: 50_000, maxHashesPerLine: 1024 });

/** The specifier a requirement without a version is checked with: every final release (PEP 440 epochs start at 0). */
export const ANY_VERSION = '>=0';

const FULL_COMMENT_RE = /^\s*#/;
const NAME = '[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?';
const REQUIREMENT_RE = new RegExp(`^(${NAME})\\s*(?:\\[([^\\]]*)\\])?\\s*(.*)$`);
const CLAUSE_RE = /^(===|==|!=|<=|>=|~=|<|>)\s*([^\s,;]+)$/;
const HASH_RE = /^(sha256|sha384|sha512|md5|sha1|sha224):([0-9a-fA-F]+)$/;
const INCLUDES = new Set(['-r', '--requirement', '-c', '--constraint']);
const EDITABLES = new Set(['-e', '--editable']);
const ARCHIVE_RE = /\.(whl|zip|tar\.gz|tgz|tar\.bz2|tar\.xz|tar)$/i;

/**
 * `line` up to its comment: the first `#` at its start or after white space (pip's `ignore_comments`).
 * By hand, not `/(^|\s)#.*$/`: in JavaScript `.` stops at a line terminator that splitting at
 * `\n` leaves in a line (a lone `\r`, U+2028), so every ` #` before one started a match that ran
 * to it and failed, quadratic in the line (256 KiB allowed: a line of 128,000 ` #` before a `\r`
 * took 27 s of CPU), and such a comment was kept as part of the requirement. pip splits lines at
 * those terminators too, so the comment ends the line here whatever follows it.
 */
function withoutComment(line: string): string {
  for (let at = line.indexOf('#'); at !== -1; at = line.indexOf('#', at + 1)) {
    if (at === 0 || /\s/.test(line[at - 1] as string)) return line.slice(0, at);
  }
  return line;
}

/** Logical lines (continuations joined, comments and blanks dropped) with the line each starts on: pip's `join_lines` and `ignore_comments`. */
function logicalLines(text: string, limits: RequirementsLimits): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  const physical = text.split(/\r?\n/);
  let pending: string[] = [];
  let pendingChars = 0;
  let start = 0;
  const emit = (line: number, joined: string): void => {
    const t = withoutComment(joined).trim();
    if (t === '') return;
    if (out.length >= limits.maxEntries) throw new RequirementsError(`more than ${limits.maxEntries} entries`);
    out.push({ line, text: t });
  };
  for (const [i, raw] of physical.entries()) {
    const n = i + 1;
    if (raw.length > limits.maxLineChars) throw new RequirementsError(`line ${n}: longer than ${limits.maxLineChars} characters`);
    if (raw.includes('\0')) throw new RequirementsError(`line ${n}: not text (a NUL byte)`);
    const comment = FULL_COMMENT_RE.test(raw);
    if (!raw.endsWith('\\') || comment) {
      if (pending.length > 0) {
        // A comment ends a continuation and is itself dropped.
        pending.push(comment ? '' : raw);
        emit(start, pending.join(''));
        pending = [];
        pendingChars = 0;
      } else emit(n, raw);
      continue;
    }
    if (pending.length === 0) start = n;
    pendingChars += raw.length;
    if (pendingChars > limits.maxLineChars) throw new RequirementsError(`line ${start}: longer than ${limits.maxLineChars} characters with its continuations`);
    pending.push(raw.slice(0, -1));
  }
  if (pending.length > 0) emit(start, pending.join(''));
  return out;
}

/** What is not a name from an index: a URL, a path, an archive, a VCS reference or a PEP 508 direct reference (`name @ url`). */
function notFromIndex(req: string): boolean {
  const head = req.split(';')[0] ?? '';
  return /:\/\//.test(head) || /^[a-z]+\+/i.test(head) || /^[./~\\]/.test(head) || /^[A-Za-z]:[\\/]/.test(head) || head.includes('@') || ARCHIVE_RE.test(head.trim()) || head.includes('/');
}

type Parsed = { readonly kind: 'checked'; readonly req: Omit<Requirement, 'line' | 'hashes'>; readonly bare?: true } | { readonly kind: 'skip'; readonly why: string } | { readonly kind: 'error'; readonly why: string };

/** A requirement (PEP 508 without a URL): pinned, with a specifier, without a version, or not one. */
function parseRequirement(req: string): Parsed {
  const semi = req.indexOf(';');
  const marker = semi < 0 ? null : req.slice(semi + 1).trim();
  const spec = (semi < 0 ? req : req.slice(0, semi)).trim();
  if (marker === '') return { kind: 'error', why: 'an empty environment marker' };
  const m = REQUIREMENT_RE.exec(spec);
  if (m === null) return { kind: 'error', why: `not a requirement: ${JSON.stringify(clip(req, 80))}` };
  const name = m[1] as string;
  let canonical: string;
  try {
    canonical = normalizePypiName(name);
  } catch (err) {
    return { kind: 'error', why: err instanceof Error ? err.message : String(err) };
  }
  const extras = m[2] === undefined ? [] : m[2].split(',').map((x) => x.trim()).filter((x) => x !== '');
  if (extras.some((x) => !new RegExp(`^${NAME}$`).test(x))) return { kind: 'error', why: `not a list of extras: [${clip(m[2] ?? '', 80)}]` };
  let rest = (m[3] as string).trim();
  if (rest.startsWith('(') && rest.endsWith(')')) rest = rest.slice(1, -1).trim();
  if (rest === '') return { kind: 'checked', req: { name, canonical, version: null, specifier: ANY_VERSION, extras, marker }, bare: true };
  const clauses = rest.split(',').map((c) => c.trim());
  const parsed = clauses.map((c) => CLAUSE_RE.exec(c));
  if (parsed.some((c) => c === null)) return { kind: 'error', why: `not a version specifier: ${JSON.stringify(clip(rest, 80))}` };
  const only = parsed.length === 1 ? (parsed[0] as RegExpExecArray) : null;
  const op = only?.[1];
  const version = only?.[2] ?? '';
  if (only === null || (op !== '==' && op !== '===') || version.includes('*') || (op === '==' && parsePep440(version) === null)) {
    const specifier = parsed.map((c) => `${(c as RegExpExecArray)[1]}${(c as RegExpExecArray)[2]}`).join(',');
    try {
      parseVersionRange('pypi', specifier);
    } catch (err) {
      if (!isAirlockError(err, 'INVALID_VERSION')) throw err;
      return { kind: 'skip', why: `${name}${clip(rest, 80)}: not checkable: ${err.message}` };
    }
    return { kind: 'checked', req: { name, canonical, version: null, specifier, extras, marker } };
  }
  return { kind: 'checked', req: { name, canonical, version, specifier: null, extras, marker } };
}

/** A requirement line's own options: its hashes; others (`--config-settings` …) do not change what is installed from where. */
function hashesOf(options: readonly string[], line: number, limits: RequirementsLimits): RequirementHash[] {
  const out: RequirementHash[] = [];
  for (let i = 0; i < options.length; i++) {
    const o = options[i] as string;
    let value: string | undefined;
    if (o.startsWith('--hash=')) value = o.slice('--hash='.length);
    else if (o === '--hash') value = options[++i];
    else continue;
    const m = value === undefined ? null : HASH_RE.exec(value);
    if (m === null) throw new RequirementsError(`line ${line}: not a hash: ${JSON.stringify(clip(value ?? '', 80))} (--hash=sha256:<hex>)`);
    if (out.length >= limits.maxHashesPerLine) throw new RequirementsError(`line ${line}: more than ${limits.maxHashesPerLine} hashes`);
    out.push({ algorithm: (m[1] as string).toLowerCase(), hex: (m[2] as string).toLowerCase() });
  }
  return out;
}

/** An option line (`-r other.txt`, `-e .`, `--index-url …`): never a requirement from this file. */
function optionWhy(text: string): string {
  const [flag = ''] = text.split(/[\s=]/, 1);
  const value = text.slice(flag.length).replace(/^[\s=]+/, '');
  if (INCLUDES.has(flag)) return `an include (${flag} ${clip(value, 80)}): not followed; check that file too`;
  if (EDITABLES.has(flag)) return `an editable (${flag} ${clip(value, 80)}): not from an index`;
  return `a pip option (${clip(text, 80)}): not a requirement`;
}

/**
 * One requirement given on the command line (`NAME`, `NAME==VERSION`, `NAME>=2,<3`, extras
 * allowed): its PEP 503 name, and its pinned version or its specifier (both null: none given).
 */
export function parseRequirementSpec(spec: string): { readonly name: string; readonly version: string | null; readonly specifier: string | null } {
  if (spec.length > 1024 || spec.startsWith('-') || notFromIndex(spec)) throw new RequirementsError(`not a project from an index: ${JSON.stringify(clip(spec, 80))}`);
  const p = parseRequirement(spec);
  if (p.kind === 'error') throw new RequirementsError(p.why);
  // On the command line, no version is the check's own: the latest (a file's is any version).
  if (p.kind === 'checked' && p.bare === true && p.req.marker === null) return { name: p.req.canonical, version: null, specifier: null };
  if (p.kind === 'checked' && p.bare !== true) return { name: p.req.canonical, version: p.req.version, specifier: p.req.specifier };
  throw new RequirementsError(p.kind === 'skip' && !spec.includes(';') ? p.why : `${clip(spec, 80)}: give NAME, NAME==VERSION or NAME with a specifier (NAME>=2,<3)`);
}

export function parseRequirements(text: string, limits: RequirementsLimits = REQUIREMENTS_LIMITS): RequirementsFile {
  if (text.length > limits.maxBytes) throw new RequirementsError(`larger than ${limits.maxBytes} bytes`);
  const requirements: Requirement[] = [];
  const skipped: SkippedLine[] = [];
  const seen = new Set<string>();
  for (const { line, text: l } of logicalLines(text.replace(/^\uFEFF/, ''), limits)) {
    const path = `line ${line}`;
    if (l.startsWith('-')) {
      skipped.push({ path, why: optionWhy(l) });
      continue;
    }
    // As pip: the requirement runs up to the first word that starts with `-`; its options follow.
    const words = l.split(/\s+/);
    const first = words.findIndex((w) => w.startsWith('-'));
    const req = (first < 0 ? words : words.slice(0, first)).join(' ');
    const options = first < 0 ? [] : words.slice(first);
    if (notFromIndex(req)) {
      skipped.push({ path, why: `not from an index (a URL, path or VCS reference: ${clip(req, 80)})` });
      continue;
    }
    const p = parseRequirement(req);
    if (p.kind === 'error') throw new RequirementsError(`line ${line}: ${p.why}`);
    if (p.kind === 'skip') {
      skipped.push({ path, why: p.why });
      continue;
    }
    const hashes = hashesOf(options, line, limits);
    const key = `${p.req.canonical}\0${p.req.version ?? `\0${p.req.specifier ?? ''}`}`;
    if (seen.has(key)) continue;
    seen.add(key);
    requirements.push({ ...p.req, line, hashes });
  }
  return { requirements, skipped };
}
