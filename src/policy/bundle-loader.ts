/**
 * Reads a policy bundle from files: `.rego` modules and `.json`/`.yaml`/`.yml` data files, from
 * the paths given with `--policy` (files or directories, repeatable) or the built-in default
 * policy. Data files merge under `data` by their directory path, as OPA's loader does:
 * `dir/a/b/data.yaml` lands at `data.a.b`; a data file named directly lands at `data`.
 * Hostile input is bounded: file sizes, file counts and nesting depth have limits.
 */
import { createHash, type Hash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join, relative, resolve, sep } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { AirlockError, ownMember, setMember, yamlDepthExceeded } from '../core/index.ts';
import type { Json } from '../storage/ports/index.ts';
import { MAX_DATA_DEPTH } from './bundle-hash.ts';

export interface PolicyModuleSource {
  /** The path shown in errors (`file:row:col`). */
  readonly path: string;
  readonly source: string;
}

export interface PolicyBundleSource {
  readonly modules: readonly PolicyModuleSource[];
  /** Merged base documents (`data`). */
  readonly data: { readonly [k: string]: Json };
  /** Every file read, in load order (for watching and display). */
  readonly files: readonly string[];
  /** The roots the bundle was read from (files or directories). */
  readonly roots: readonly string[];
  /** sha256 over every file's path and content (and the data overlay). */
  readonly hash: string;
}

export interface BundleLoadOptions {
  /** Include `*_test.rego` modules (the test runner wants them, serving does not). */
  readonly includeTests?: boolean;
  /** Data merged over the files' data (from the configuration); wins on conflict. */
  readonly dataOverlay?: { readonly [k: string]: Json };
  readonly maxFileBytes?: number;
  readonly maxFiles?: number;
}

const DEFAULT_MAX_FILE_BYTES = 8 * 1024 * 1024;
const DEFAULT_MAX_FILES = 2000;
const MAX_DEPTH = MAX_DATA_DEPTH;
const DATA_EXTS = new Set(['.json', '.yaml', '.yml']);

export type MutableObject = { [k: string]: Json };

function isObject(v: Json | undefined): v is { readonly [k: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Deep-merges `src` into `dst`; two non-object values at one path are a conflict. A key is a key
 * whatever its name, as in OPA (`data.__proto__`): read as `dst[k]`, `__proto__` was
 * Object.prototype, and data merged into it reached every object of the process.
 */
function mergeInto(dst: MutableObject, src: { readonly [k: string]: Json }, where: string, origin: string, overlay: boolean): void {
  for (const [k, v] of Object.entries(src)) {
    const cur = ownMember(dst, k);
    const path = where === '' ? k : `${where}.${k}`;
    if (cur === undefined) {
      setMember(dst, k, isObject(v) ? structuredClone(v) : v);
    } else if (isObject(cur) && isObject(v)) {
      mergeInto(cur as MutableObject, v, path, origin, overlay);
    } else if (overlay) {
      setMember(dst, k, isObject(v) ? structuredClone(v) : v);
    } else {
      throw new AirlockError('POLICY_ERROR', `${origin}: data.${path} conflicts with data loaded from another file`);
    }
  }
}

/**
 * Merges a data file's document into `data` under its directory path (`a/b/data.json` lands at
 * `data.a.b`); a value already there from another file is a conflict (POLICY_ERROR).
 */
export function mergeDataFile(data: MutableObject, doc: { readonly [k: string]: Json }, dataPath: readonly string[], origin: string): void {
  let nested = doc;
  for (const seg of [...dataPath].reverse()) nested = { [seg]: nested };
  mergeInto(data, nested, '', origin, false);
}

/** Parses a JSON or YAML data file into a JSON object. */
export function parseDataFile(path: string, text: string): { readonly [k: string]: Json } {
  let value: unknown;
  // The YAML reader recurses once per level: a linear scan refuses deep nesting before it starts
  // (JSON is YAML's flow syntax; JSON.parse does not recurse, and checkJson's walk is bounded).
  const deepAt = yamlDepthExceeded(text, MAX_DEPTH + 1);
  if (deepAt !== undefined) throw new AirlockError('POLICY_ERROR', `${path}: data nested deeper than ${MAX_DEPTH} levels at line ${deepAt}`);
  try {
    if (extname(path) === '.json') value = JSON.parse(text);
    else value = parseYaml(text, { schema: 'core', uniqueKeys: true, maxAliasCount: 50, prettyErrors: true, logLevel: 'error' });
  } catch (err) {
    // The YAML reader recurses per nesting level: deep enough nesting overflows the stack first.
    if (err instanceof Error && /Maximum call stack size exceeded/.test(err.message)) {
      throw new AirlockError('POLICY_ERROR', `${path}: data nested deeper than ${MAX_DEPTH} levels (too deep to read)`, { cause: err });
    }
    const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new AirlockError('POLICY_ERROR', `${path}: not valid ${extname(path) === '.json' ? 'JSON' : 'YAML'}: ${msg}`, { cause: err });
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new AirlockError('POLICY_ERROR', `${path}: a data file must hold an object at the top level`);
  }
  checkJson(value, path, '', 0);
  return value as { readonly [k: string]: Json };
}

function checkJson(v: unknown, file: string, at: string, depth: number): void {
  if (depth > MAX_DEPTH) throw new AirlockError('POLICY_ERROR', `${file}: data nested deeper than ${MAX_DEPTH} levels at ${at || '(root)'}`);
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new AirlockError('POLICY_ERROR', `${file}: ${at}: not a finite number`);
    return;
  }
  if (Array.isArray(v)) {
    v.forEach((x, i) => checkJson(x, file, `${at}[${i}]`, depth + 1));
    return;
  }
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    for (const [k, x] of Object.entries(v)) checkJson(x, file, at === '' ? k : `${at}.${k}`, depth + 1);
    return;
  }
  throw new AirlockError('POLICY_ERROR', `${file}: ${at || '(root)'}: not a JSON value (dates, binary and tags are not allowed)`);
}

interface FoundFile {
  readonly full: string;
  readonly display: string;
  /** data path segments (directory of the file relative to its root). */
  readonly dataPath: readonly string[];
}

async function walk(root: string, dir: string, out: FoundFile[], limit: number, display: string): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (e.name.startsWith('.') || e.name === 'node_modules') continue;
    const full = join(dir, e.name);
    if (e.isDirectory()) {
      await walk(root, full, out, limit, display);
    } else if (e.isFile()) {
      const ext = extname(e.name);
      if (ext !== '.rego' && !DATA_EXTS.has(ext)) continue;
      const rel = relative(root, full);
      const segments = rel.split(sep);
      segments.pop();
      out.push({ full, display: join(display, rel), dataPath: segments });
      if (out.length > limit) throw new AirlockError('POLICY_ERROR', `${display}: more than ${limit} policy files`);
    }
  }
}

async function findFiles(paths: readonly string[], cwd: string, limit: number): Promise<FoundFile[]> {
  const out: FoundFile[] = [];
  for (const given of paths) {
    const full = resolve(cwd, given);
    const st = await stat(full).catch((err: unknown) => {
      throw new AirlockError('POLICY_ERROR', `policy path ${given}: ${err instanceof Error && 'code' in err ? String(err.code) : 'cannot read'}`, { cause: err });
    });
    if (st.isDirectory()) {
      await walk(full, full, out, limit, given);
    } else if (st.isFile()) {
      const ext = extname(full);
      if (ext !== '.rego' && !DATA_EXTS.has(ext)) {
        throw new AirlockError('POLICY_ERROR', `policy path ${given}: expected a .rego, .json, .yaml or .yml file or a directory`);
      }
      out.push({ full, display: given, dataPath: [] });
    } else {
      throw new AirlockError('POLICY_ERROR', `policy path ${given}: not a file or directory`);
    }
  }
  return out;
}

export function isTestModule(path: string): boolean {
  return basename(path).endsWith('_test.rego');
}

/** Limits on a bundle given as text (`bundleFromSources`): what an API body may carry. */
export interface SourceBundleLimits {
  readonly maxModules: number;
  /** Bytes of every module's source together. */
  readonly maxSourceBytes: number;
}

/** Merges the configuration's data overlay over `data` (the overlay wins) and adds it to the hash. */
function applyOverlay(data: MutableObject, hash: Hash, overlay: { readonly [k: string]: Json } | undefined): void {
  if (overlay === undefined || Object.keys(overlay).length === 0) return;
  hash.update('overlay\0');
  hash.update(JSON.stringify(overlay));
  mergeInto(data, overlay, '', 'configuration policy.data', true);
}

/**
 * A bundle from modules and data given in memory (a candidate policy sent to the admin API),
 * checked like files are: data must be plain JSON within the nesting limit, module paths are
 * names only. Its hash covers each module's path and content, the data and the overlay; it is not
 * comparable with the hash of the same policy read from files, which covers each file instead.
 */
export function bundleFromSources(
  modules: readonly PolicyModuleSource[],
  data: { readonly [k: string]: Json },
  limits: SourceBundleLimits,
  options: Pick<BundleLoadOptions, 'dataOverlay'> = {},
): PolicyBundleSource {
  if (modules.length === 0) throw new AirlockError('POLICY_ERROR', 'no .rego modules given');
  if (modules.length > limits.maxModules) throw new AirlockError('POLICY_ERROR', `more than ${limits.maxModules} modules`);
  let bytes = 0;
  const hash = createHash('sha256');
  const seen = new Set<string>();
  for (const m of modules) {
    if (m.path === '' || /[\0\r\n]/.test(m.path)) throw new AirlockError('POLICY_ERROR', `invalid module path ${JSON.stringify(m.path.slice(0, 120))}`);
    if (seen.has(m.path)) throw new AirlockError('POLICY_ERROR', `module ${m.path} given twice`);
    seen.add(m.path);
    bytes += Buffer.byteLength(m.source);
    if (bytes > limits.maxSourceBytes) throw new AirlockError('POLICY_ERROR', `the modules are larger than ${limits.maxSourceBytes} bytes together`);
    hash.update(`module\0${m.path}\0`);
    hash.update(createHash('sha256').update(m.source).digest('hex'));
  }
  checkJson(data, 'data', '', 0);
  const merged: MutableObject = structuredClone(data) as MutableObject;
  hash.update('data\0');
  hash.update(JSON.stringify(data));
  applyOverlay(merged, hash, options.dataOverlay);
  return { modules: modules.map((m) => ({ path: m.path, source: m.source })), data: merged, files: [], roots: [], hash: hash.digest('hex') };
}

export async function loadBundle(paths: readonly string[], cwd: string, options: BundleLoadOptions = {}): Promise<PolicyBundleSource> {
  if (paths.length === 0) throw new AirlockError('POLICY_ERROR', 'no policy paths given');
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const found = await findFiles(paths, cwd, options.maxFiles ?? DEFAULT_MAX_FILES);
  const modules: PolicyModuleSource[] = [];
  const data: MutableObject = {};
  const files: string[] = [];
  const hash = createHash('sha256');
  for (const f of found) {
    if (f.full.endsWith('.rego') && isTestModule(f.full) && options.includeTests !== true) continue;
    const st = await stat(f.full);
    if (st.size > maxBytes) throw new AirlockError('POLICY_ERROR', `${f.display}: larger than ${maxBytes} bytes`);
    const text = await readFile(f.full, 'utf8');
    files.push(f.full);
    hash.update(`${f.full.endsWith('.rego') ? 'module' : 'data'}\0${f.dataPath.join('/')}\0${basename(f.full)}\0`);
    hash.update(createHash('sha256').update(text).digest('hex'));
    if (f.full.endsWith('.rego')) {
      modules.push({ path: f.display, source: text });
      continue;
    }
    mergeDataFile(data, parseDataFile(f.display, text), f.dataPath, f.display);
  }
  applyOverlay(data, hash, options.dataOverlay);
  if (modules.length === 0) throw new AirlockError('POLICY_ERROR', `no .rego modules found in ${paths.join(', ')}`);
  return { modules, data, files, roots: paths.map((p) => resolve(cwd, p)), hash: hash.digest('hex') };
}
