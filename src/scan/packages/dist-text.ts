/**
 * The small text formats of Python distributions, read the way Python reads them and never
 * executed: core metadata (RFC 822 headers), entry_points.txt (INI), `.pth` files (site.py)
 * and the `[build-system]` table of pyproject.toml (a line-based read).
 */

const utf8 = new TextDecoder('utf-8', { fatal: false });

export function decodeText(bytes: Uint8Array): string {
  const s = utf8.decode(bytes);
  return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
}

/** Python's universal newlines (what `open()` and TextIOWrapper split on). */
const LINES = /\r\n|\r|\n/;

export function cut(s: string, max: number): string {
  if (s.length <= max) return s;
  const t = s.slice(0, max);
  const last = t.charCodeAt(t.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? t.slice(0, -1) : t;
}

export interface PythonMetadataFields {
  readonly name: string | null;
  readonly version: string | null;
  readonly requiresPython: string | null;
  readonly requiresDist: readonly string[];
  readonly summary: string | null;
  readonly license: string | null;
  readonly projectUrls: readonly string[];
  readonly author: string | null;
  readonly metadataVersion: string | null;
}

export const EMPTY_METADATA_FIELDS: PythonMetadataFields = Object.freeze({
  name: null,
  version: null,
  requiresPython: null,
  requiresDist: Object.freeze([]),
  summary: null,
  license: null,
  projectUrls: Object.freeze([]),
  author: null,
  metadataVersion: null,
});

const VALUE_MAX = 1024;
const MAX_REQUIRES = 256;
const MAX_URLS = 32;
/** The header name characters of Python's email feed parser (printable ASCII but `:`). */
const HEADER = /^([\x21-\x39\x3b-\x7e]+):(.*)$/s;

/** Headers in order, folded lines unfolded; the body (after the first blank line) is not read. */
function headers(text: string): [string, string][] {
  const out: [string, string][] = [];
  for (const line of text.split(LINES)) {
    if (line === '') break;
    const last = out[out.length - 1];
    if (/^[ \t]/.test(line)) {
      if (last === undefined) break;
      last[1] += line;
      continue;
    }
    const m = HEADER.exec(line);
    if (m === null) break; // email's parser: a non-header line starts the body
    out.push([(m[1] as string).toLowerCase(), m[2] as string]);
  }
  return out;
}

/** Parses core metadata (METADATA / PKG-INFO): first occurrence of single fields, values cut to 1024 chars. */
export function parseCoreMetadata(bytes: Uint8Array): PythonMetadataFields {
  const first = new Map<string, string>();
  const requiresDist: string[] = [];
  const projectUrls: string[] = [];
  for (const [name, raw] of headers(decodeText(bytes))) {
    const value = cut(raw.trim(), VALUE_MAX);
    if (!first.has(name)) first.set(name, value);
    if (name === 'requires-dist' && requiresDist.length < MAX_REQUIRES) requiresDist.push(value);
    if (name === 'home-page' && projectUrls.length < MAX_URLS && value !== '') projectUrls.push(value);
    if (name === 'project-url' && projectUrls.length < MAX_URLS) {
      // `Label, URL`: the URL is what is kept.
      const comma = value.indexOf(',');
      const url = (comma < 0 ? value : value.slice(comma + 1)).trim();
      if (url !== '') projectUrls.push(url);
    }
  }
  const get = (k: string): string | null => first.get(k) ?? null;
  return Object.freeze({
    name: get('name'),
    version: get('version'),
    requiresPython: get('requires-python'),
    requiresDist: Object.freeze(requiresDist),
    summary: get('summary'),
    license: get('license-expression') ?? get('license'),
    projectUrls: Object.freeze(projectUrls),
    author: get('author') ?? get('author-email'),
    metadataVersion: get('metadata-version'),
  });
}

const COMMAND_SECTIONS = new Set(['console_scripts', 'gui_scripts']);

/** Command names of `[console_scripts]` and `[gui_scripts]` (importlib.metadata's reading: `name = value`). */
export function parseCommands(text: string, max: number): string[] {
  const out: string[] = [];
  let section = '';
  for (const raw of text.split(LINES)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.*)\]$/.exec(line);
    if (header !== null) {
      section = (header[1] as string).trim();
      continue;
    }
    if (!COMMAND_SECTIONS.has(section)) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const name = line.slice(0, eq).trim();
    if (name === '') continue;
    out.push(cut(name, 256));
    if (out.length >= max) break;
  }
  return out;
}

export interface PthReading {
  readonly executes: boolean;
  readonly lines: readonly string[];
}

const PTH_LINES = 16;
const PTH_LINE_MAX = 512;

/** site.py's `addpackage`: a line starting with `import ` or `import\t` is passed to `exec()`. */
export function parsePth(bytes: Uint8Array): PthReading {
  const lines: string[] = [];
  let executes = false;
  for (const line of decodeText(bytes).split(LINES)) {
    if (!line.startsWith('import ') && !line.startsWith('import\t')) continue;
    executes = true;
    if (lines.length < PTH_LINES) lines.push(cut(line, PTH_LINE_MAX));
  }
  return { executes, lines: Object.freeze(lines) };
}

const BACKEND_MAX = 256;

/**
 * The table a `[name]` header line opens (quotes dropped), `[[array]]` for an array-of-tables
 * header, or null for another line. By hand, not a regular expression: the optional white space
 * around a lazily matched name made one take time cubic in the line's length, and a line is
 * attacker data up to the file's read cap.
 */
function tableHeader(line: string): string | null {
  const t = line.trim();
  if (!t.startsWith('[')) return null;
  if (t.startsWith('[[')) return '[[array]]';
  const close = t.indexOf(']');
  if (close === -1) return null;
  const rest = t.slice(close + 1).trim();
  if (rest !== '' && !rest.startsWith('#')) return null;
  return t.slice(1, close).trim().replace(/^["']|["']$/g, '');
}
const STRING = String.raw`("(?:[^"\\]|\\.)*"|'[^']*')`;
const KEY = String.raw`(?:build-backend|"build-backend"|'build-backend')`;
const IN_TABLE = new RegExp(String.raw`^\s*${KEY}\s*=\s*${STRING}`);
const DOTTED = new RegExp(String.raw`^\s*(?:build-system|"build-system"|'build-system')\s*\.\s*${KEY}\s*=\s*${STRING}`);
const INLINE = new RegExp(String.raw`^\s*(?:build-system|"build-system"|'build-system')\s*=\s*\{.*?${KEY}\s*=\s*${STRING}`);

function unquote(s: string): string {
  if (s.startsWith("'")) return s.slice(1, -1);
  return s.slice(1, -1).replace(/\\(["\\])/g, '$1');
}

/**
 * `[build-system] build-backend` of a pyproject.toml, by lines: the table header, a dotted
 * `build-system.build-backend` key or an inline `build-system = { … }` table at the root.
 */
export function parseBuildBackend(text: string): string | null {
  let table = '';
  for (const line of text.split(LINES)) {
    const header = tableHeader(line);
    if (header !== null) {
      table = header;
      continue;
    }
    const m = table === 'build-system' ? IN_TABLE.exec(line) : table === '' ? (DOTTED.exec(line) ?? INLINE.exec(line)) : null;
    if (m !== null) return cut(unquote(m[1] as string), BACKEND_MAX);
  }
  return null;
}
