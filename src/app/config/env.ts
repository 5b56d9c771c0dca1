/**
 * Environment overrides: `AIRLOCK_<SECTION>_<KEY>` sets `<section>.<key>` (keys in
 * SCREAMING_SNAKE_CASE: `AIRLOCK_SERVER_PUBLIC_URL`, `AIRLOCK_POLICY_ON_ERROR`); repositories are
 * addressed by name: `AIRLOCK_REPOSITORIES_<NAME>_<KEY>` (`AIRLOCK_REPOSITORIES_NPM_UPSTREAM`,
 * `AIRLOCK_REPOSITORIES_NPM_TIMEOUTS_CONNECT`); the policy bundle's keys likewise
 * (`AIRLOCK_POLICY_BUNDLE_URL`, `AIRLOCK_POLICY_BUNDLE_CREDENTIALS`). Values are read as YAML scalars or flow
 * collections (`8080`, `true`, `null`, `[./a, ./b]`, `{env: TOKEN}`). A variable with a section prefix
 * but an unknown key is an error naming the variable.
 */
import { fail } from './checks.ts';
import { POLICY_BUNDLE_KEYS } from './policy-bundle.ts';
import { readConfigYaml } from './yaml.ts';
import {
  ACCESS_KEYS,
  DEFAULT_REPOSITORIES,
  POLICY_KEYS,
  REPOSITORY_KEYS,
  SERVER_KEYS,
  SIGNALS_KEYS,
  STORAGE_KEYS,
  TIMEOUT_KEYS,
} from './schema.ts';

type Tree = { [k: string]: unknown };

/** The sections `AIRLOCK_<SECTION>_<KEY>` sets a key of, with their keys. */
export const ENV_SECTIONS: Readonly<Record<string, readonly string[]>> = {
  server: SERVER_KEYS,
  storage: STORAGE_KEYS,
  policy: POLICY_KEYS,
  access: ACCESS_KEYS,
  signals: SIGNALS_KEYS,
};

export function screamingSnake(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[^A-Za-z0-9]+/g, '_').toUpperCase();
}

/** A YAML value (`null` and `~` too, as in the file); text that is no YAML node (empty, a comment) or no valid YAML is itself. */
function parseValue(text: string, envName: string): unknown {
  const read = readConfigYaml(text, envName, 0);
  return read.kind === 'value' ? read.value : text;
}

function isTree(v: unknown): v is Tree {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function section(raw: Tree, name: string, envName: string): Tree {
  const cur = raw[name];
  if (cur === undefined || cur === null) {
    const fresh: Tree = {};
    raw[name] = fresh;
    return fresh;
  }
  if (!isTree(cur)) fail(name, `expected a mapping (while applying ${envName})`);
  return cur;
}

/** The repository setting `keyPart` names (`MAX_ARTIFACT_SIZE`, `TIMEOUTS_CONNECT`), as its path below the repository. */
function repositorySetting(keyPart: string): readonly [string] | readonly ['timeouts', string] | null {
  const key = REPOSITORY_KEYS.find((k) => screamingSnake(k) === keyPart);
  if (key !== undefined) return [key];
  const timeout = TIMEOUT_KEYS.find((t) => `TIMEOUTS_${screamingSnake(t)}` === keyPart);
  return timeout === undefined ? null : ['timeouts', timeout];
}

/**
 * `AIRLOCK_REPOSITORIES_<NAME>_<KEY>`: every repository whose name starts the variable is a
 * reading, with the setting the rest names. One that names none is no reading (repositories `npm`
 * and `npm-timeouts`: `NPM_TIMEOUTS_CONNECT` is npm's); two readings are refused, naming both
 * (`pypi` and `pypi-files` both read `PYPI_FILES_UPSTREAM`; `a-b` and `a.b` are both `A_B`).
 */
function applyRepository(raw: Tree, rest: string, value: string, envName: string): void {
  if (raw['repositories'] === undefined || raw['repositories'] === null) raw['repositories'] = DEFAULT_REPOSITORIES.map((r) => ({ ...r }));
  const repos = raw['repositories'];
  if (!Array.isArray(repos)) fail('repositories', `expected a list (while applying ${envName})`);
  const named = repos.flatMap((r: unknown, i) => {
    const name = isTree(r) && typeof r['name'] === 'string' ? r['name'] : null;
    const key = name === null ? null : screamingSnake(name);
    return key !== null && rest.startsWith(`${key}_`) ? [{ i, r: r as Tree, name, setting: repositorySetting(rest.slice(key.length + 1)) }] : [];
  });
  if (named.length === 0) fail(envName, 'names no configured repository');
  const readings = named.filter((c) => c.setting !== null);
  if (readings.length > 1) {
    const each = readings.map((c) => `repositories[${c.i}].${c.setting?.join('.')} (${c.name})`);
    fail(envName, `reads as ${each.join(' and ')}; set it in the configuration file, or rename a repository`);
  }
  const match = readings[0];
  if (match === undefined || match.setting === null) fail(envName, `unknown repository key (expected one of: ${[...REPOSITORY_KEYS, ...TIMEOUT_KEYS.map((t) => `timeouts.${t}`)].join(', ')})`);
  const [key, timeout] = match.setting;
  if (timeout === undefined) {
    match.r[key] = parseValue(value, envName);
    return;
  }
  const cur = match.r['timeouts'];
  if (cur !== undefined && cur !== null && !isTree(cur)) fail(`repositories[${match.i}].timeouts`, `expected a mapping (while applying ${envName})`);
  const timeouts: Tree = isTree(cur) ? cur : {};
  timeouts[timeout] = parseValue(value, envName);
  match.r['timeouts'] = timeouts;
}

/** `AIRLOCK_POLICY_BUNDLE_<KEY>` sets `policy.bundle.<key>` (`AIRLOCK_POLICY_BUNDLE_URL`). */
function applyPolicyBundle(policy: Tree, keyPart: string, value: string, envName: string): void {
  const key = POLICY_BUNDLE_KEYS.find((k) => screamingSnake(k) === keyPart);
  if (key === undefined) fail(envName, `unknown policy.bundle key (expected one of: ${POLICY_BUNDLE_KEYS.map((k) => `AIRLOCK_POLICY_BUNDLE_${screamingSnake(k)}`).join(', ')})`);
  const cur = policy['bundle'];
  if (cur !== undefined && cur !== null && !isTree(cur)) fail('policy.bundle', `expected a mapping (while applying ${envName})`);
  const bundle: Tree = isTree(cur) ? cur : {};
  bundle[key] = parseValue(value, envName);
  policy['bundle'] = bundle;
}

/** Returns a copy of `raw` with the overrides from `env` applied. */
export function applyEnvOverrides(raw: unknown, env: NodeJS.ProcessEnv): unknown {
  const names = Object.keys(env)
    .filter((n) => n.startsWith('AIRLOCK_'))
    .sort();
  const relevant = names.filter((n) => {
    const rest = n.slice('AIRLOCK_'.length);
    return Object.keys(ENV_SECTIONS).some((s) => rest.startsWith(`${s.toUpperCase()}_`)) || rest.startsWith('REPOSITORIES_');
  });
  if (relevant.length === 0) return raw;
  const out: Tree = isTree(raw) ? structuredClone(raw) : raw === undefined || raw === null ? {} : fail('', 'expected a mapping');
  for (const envName of relevant) {
    const value = env[envName] ?? '';
    const rest = envName.slice('AIRLOCK_'.length);
    if (rest.startsWith('REPOSITORIES_')) {
      applyRepository(out, rest.slice('REPOSITORIES_'.length), value, envName);
      continue;
    }
    const [sectionName, keys] = Object.entries(ENV_SECTIONS).find(([s]) => rest.startsWith(`${s.toUpperCase()}_`)) as [string, readonly string[]];
    const keyPart = rest.slice(sectionName.length + 1);
    if (sectionName === 'policy' && keyPart.startsWith('BUNDLE_')) {
      applyPolicyBundle(section(out, 'policy', envName), keyPart.slice('BUNDLE_'.length), value, envName);
      continue;
    }
    const key = keys.find((k) => screamingSnake(k) === keyPart);
    if (key === undefined) fail(envName, `unknown ${sectionName} key (expected one of: ${keys.map((k) => `AIRLOCK_${sectionName.toUpperCase()}_${screamingSnake(k)}`).join(', ')})`);
    let parsed = parseValue(value, envName);
    if (sectionName === 'policy' && key === 'paths' && typeof parsed === 'string') parsed = [parsed];
    section(out, sectionName, envName)[key] = parsed;
  }
  return out;
}
