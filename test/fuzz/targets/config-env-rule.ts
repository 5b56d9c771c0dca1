/**
 * The environment overrides as docs/configuration.md states them, written out on their own for
 * the config-env fuzz target to hold `applyEnvOverrides` to: `AIRLOCK_<SECTION>_<KEY>` sets
 * `<section>.<key>`, `AIRLOCK_POLICY_BUNDLE_<KEY>` sets `policy.bundle.<key>`,
 * `AIRLOCK_REPOSITORIES_<NAME>_<KEY>` (and `…_TIMEOUTS_<KEY>`) sets that key of the repository so
 * named (the default `npm` one when the file lists none), each value read as a YAML scalar or flow
 * collection (`null` is null; an empty value is the empty text). Every variable with a section prefix must have exactly one such reading: none is
 * an unknown key, more than one (repositories `a-b` and `a.b` are both `A_B`; `x` and `x-files`
 * both read `X_FILES_UPSTREAM`) cannot say which setting it means. Variables apply in name order
 * (`…_BUNDLE` before `…_BUNDLE_URL`), each against the repositories as the ones before left them.
 */
import { DEFAULT_REPOSITORIES, ENV_SECTIONS as SECTIONS, REPOSITORY_KEYS, TIMEOUT_KEYS, screamingSnake } from '../../../src/app/config/index.ts';
import { POLICY_BUNDLE_KEYS } from '../../../src/app/config/policy-bundle.ts';
import { readConfigYaml } from '../../../src/app/config/yaml.ts';

type Tree = { [k: string]: unknown };
type Path = readonly (string | number)[];

const isTree = (v: unknown): v is Tree => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether the loader must act on the variable: a section's prefix, or a repository's. */
export function isOverride(name: string): boolean {
  return [...Object.keys(SECTIONS), 'repositories'].some((s) => name.startsWith(`AIRLOCK_${s.toUpperCase()}_`));
}

/**
 * A YAML scalar or flow collection (null too); text that is no YAML node (empty, a comment) or not
 * YAML is the text. Read as the file is (the configuration's YAML limits, which throw).
 */
export function yamlValue(text: string): unknown {
  const read = readConfigYaml(text, 'value', 0);
  return read.kind === 'value' ? read.value : text;
}

/** Every setting the variable's name reads as, in `tree` as it stands. */
function readings(name: string, tree: Tree): Path[] {
  const out: Path[] = [];
  for (const [s, keys] of Object.entries(SECTIONS)) for (const k of keys) if (name === `AIRLOCK_${s.toUpperCase()}_${screamingSnake(k)}`) out.push([s, k]);
  for (const k of POLICY_BUNDLE_KEYS) if (name === `AIRLOCK_POLICY_BUNDLE_${screamingSnake(k)}`) out.push(['policy', 'bundle', k]);
  const repos = tree['repositories'] === undefined || tree['repositories'] === null ? DEFAULT_REPOSITORIES : tree['repositories'];
  if (!Array.isArray(repos)) return out;
  repos.forEach((r: unknown, i) => {
    if (!isTree(r) || typeof r['name'] !== 'string') return;
    const prefix = `AIRLOCK_REPOSITORIES_${screamingSnake(r['name'])}_`;
    for (const k of REPOSITORY_KEYS) if (name === `${prefix}${screamingSnake(k)}`) out.push(['repositories', i, k]);
    for (const t of TIMEOUT_KEYS) if (name === `${prefix}TIMEOUTS_${screamingSnake(t)}`) out.push(['repositories', i, 'timeouts', t]);
  });
  return out;
}

/** Sets `path` in `tree`, making the mappings on the way; a value on the way that is not one refuses. */
function setAt(tree: Tree, path: Path, value: unknown): string | undefined {
  let cur: unknown = tree;
  for (const [i, key] of path.entries()) {
    const last = i === path.length - 1;
    if (typeof key === 'number') {
      cur = (cur as unknown[])[key];
      continue;
    }
    const node = cur as Tree;
    if (last) {
      node[key] = value;
      return undefined;
    }
    if (node[key] === undefined || node[key] === null) node[key] = key === 'repositories' ? DEFAULT_REPOSITORIES.map((r) => ({ ...r })) : {};
    if (key !== 'repositories' && !isTree(node[key])) return `${path.slice(0, i + 1).join('.')} is not a mapping`;
    cur = node[key];
  }
  return undefined;
}

/** The configuration `raw` with `env`'s overrides applied as documented, or why they cannot be. */
export function documentedOverrides(raw: unknown, env: Readonly<Record<string, string | undefined>>): { readonly raw: unknown } | { readonly refused: string } {
  const names = Object.keys(env).filter(isOverride).sort();
  if (names.length === 0) return { raw };
  if (raw !== undefined && raw !== null && !isTree(raw)) return { refused: 'the configuration is not a mapping' };
  const out: Tree = isTree(raw) ? structuredClone(raw) : {};
  for (const name of names) {
    const found = readings(name, out);
    if (found.length !== 1) return { refused: `${name} reads as ${found.length === 0 ? 'no setting' : found.map((p) => p.join('.')).join(' and ')}` };
    const path = found[0] as Path;
    let value: unknown;
    try {
      value = yamlValue(env[name] ?? '');
    } catch (err) {
      return { refused: `${name}: ${(err as Error).message}` };
    }
    if (path.join('.') === 'policy.paths' && typeof value === 'string') value = [value];
    const problem = setAt(out, path, value);
    if (problem !== undefined) return { refused: `${name}: ${problem}` };
  }
  return { raw: out };
}

/** Where two configuration trees first differ, for a failure to name. */
export function firstDifference(a: unknown, b: unknown, at = ''): string | undefined {
  if (Object.is(a, b)) return undefined;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return `${at || '(top)'}: ${JSON.stringify(a)} / ${JSON.stringify(b)}`;
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const d = firstDifference((a as Tree)[k], (b as Tree)[k], `${at}.${k}`);
    if (d !== undefined) return d;
  }
  return undefined;
}
