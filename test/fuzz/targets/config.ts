/**
 * Fuzz targets of the configuration an operator writes (`src/app/config/`): the file through the
 * path `airlock serve --config` takes (`loadConfig`: read, parse, environment, validate, resolve
 * against npm's settings), single settings set to mutated values in valid configurations, the
 * environment overrides on top of valid files (`config-env.ts`), and the size and duration units
 * (`config-units.ts`). A broken
 * or hostile input must be refused with CONFIG_INVALID naming the setting (a key's path, the
 * variable or the file), never an engine failure, a secret's value, or a silently different
 * result. What loads must load the same again from the same text, hold its durations and sizes as
 * whole numbers within the documented bounds, keep its URLs as the schema normalises them, and
 * print no secret in a dump. Files are read only inside the world's directory (`confined`).
 */
import { writeFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { setMember } from '../../../src/core/index.ts';
import { applyEnvOverrides, loadConfig, parseConfigText, resolveDraft, validateConfig, type AirlockConfig } from '../../../src/app/config/index.ts';
import { nested } from '../../support/fuzz/mutate.ts';
import { asText, text, type FuzzTarget } from '../../support/fuzz/target.ts';
import { configTexts, confined } from './config-world.ts';
import { configError, configFile, context, done, loadedProblem, world } from './config-checks.ts';
import { yamlValue } from './config-env-rule.ts';
import { env } from './config-env.ts';
import { units } from './config-units.ts';

const MAX_CONFIG_BYTES = 1024 * 1024;

/** The same text validated and resolved again, the steps `loadConfig` takes, without the file. */
async function again(t: string): Promise<AirlockConfig> {
  const w = world();
  return resolveDraft(validateConfig(applyEnvOverrides(parseConfigText(t, configFile()), w.env), context(w.env)), w.npm);
}

const loads = async (t: string): Promise<AirlockConfig> => {
  writeFileSync(configFile(), t);
  return loadConfig({ file: configFile(), env: world().env, cwd: world().dir, npm: world().npm });
};

const deep = nested('[', ']', 100_000);
const LAUGHS = `a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\npolicy: {data: {d: [*c, *c, *c, *c, *c, *c, *c, *c, *c]}}\n`;
const repo = (i: number): string => `  - {name: r${i}, format: npm, upstream: "https://r${i}.example/"}\n`;

const file: FuzzTarget = {
  seeds: async () => {
    const { examples, handWritten } = configTexts();
    const valid: string[] = [];
    for (const t of examples) if (await loads(t).then(() => true, () => false)) valid.push(t);
    // A seed that does not load ends the run before `done`: the world goes first.
    const refuse = (message: string): never => {
      done();
      throw new Error(message);
    };
    if (valid.length < 20) refuse(`only ${valid.length} of ${examples.length} example configurations load`);
    for (const t of handWritten) await loads(t).catch((err: unknown) => refuse(`a hand-written seed does not load: ${String(err)}\n${t}`));
    return [...valid, ...handWritten].map(text);
  },
  text: true,
  extra: () =>
    [
      `policy:\n  data:\n    a: ${deep}\n`,
      `policy:\n  data:\n${Array.from({ length: 600 }, (_, i) => `${'  '.repeat(i + 2)}k${i}:`).join('\n')} 1\n`,
      `repositories:\n${'- '.repeat(50_000)}x\n`,
      `server: {port: ${nested('{a: ', '}', 50_000, '1')}}\n`,
      LAUGHS,
      `policy:\n  data: &x {a: *x}\n`,
      `# ${'x'.repeat(MAX_CONFIG_BYTES)}\n`,
      `server:\n  ${'k'.repeat(100_000)}: 1\n`,
      `repositories:\n${Array.from({ length: 101 }, (_, i) => repo(i)).join('')}`,
      `repositories:\n${Array.from({ length: 100 }, (_, i) => repo(i)).join('')}`,
      '__proto__: {server: {port: 1}}\n',
      'server:\n  __proto__: {port: 1}\n  constructor: 1\n',
      'policy:\n  data: {__proto__: {x: 1}, toString: 1, constructor: {prototype: 1}}\n',
      'server: {port: 0x1F90, shutdownTimeout: .inf, cacheMemory: .nan}\n',
      'server: {port: !!float 8080, host: !!binary aGVsbG8=}\n',
      'policy: {timeout: 99999999999999999999999, maxSteps: 1e400, reevaluateEvery: -0}\n',
      'access: {adminToken: {file: "token\\0x"}}\n',
      'access: {adminToken: {env: toString}}\n',
      'access: {adminToken: {env: __proto__}}\n',
      'server: {publicUrl: "https://airlock.example/"}\naccess: {sso: {issuer: "https://idp.example/", clientId: a, sessionKey: {env: constructor}, roles: [{claim: g, value: v, role: reader}]}}\n',
      'storage: {blobs: {driver: s3, endpoint: "http://127.0.0.1:9000", bucket: b, accessKeyId: {env: valueOf}, secretAccessKey: {env: hasOwnProperty}}}\n',
      `access: {adminToken: {file: "${'a'.repeat(300)}"}}\n`,
      'access: {adminToken: {file: token/x}}\n',
      'access: {adminToken: {file: keys}}\n',
      'repositories:\n  - {name: npm, format: npm, upstream: "https://r.example/", ca: ca.pem/x}\n',
      `repositories:\n  - {name: npm, format: npm, upstream: "https://r.example/", registryKeys: ["${'k'.repeat(300)}.json"]}\n`,
      'repositories:\n  - {name: hf, format: huggingface, upstream: "https://hf.example/", modelSigning: {keys: ["model.pub.pem\\0"]}}\n',
      'repositories:\n  - {name: npm, format: npm, upstream: "https://r.example/", sigstoreTrustedRoot: {tuf: "https://t.example/", initialRoot: tuf-root.json/x}}\n',
      `webhooks:\n${Array.from({ length: 33 }, (_, i) => `  - {name: w${i}, url: "https://h.example/", events: ["*"]}\n`).join('')}`,
      `repositories:\n  - {name: npm, format: npm, upstream: "https://r.example/${'%2e%2e/'.repeat(1000)}"}\n`,
    ].map(text),
  run: async (input) => {
    const t = asText(input);
    // Past 1 MiB the loader refuses before reading; under it, only a configuration confined to the world is loaded.
    if (input.length <= MAX_CONFIG_BYTES && !confined(parseConfigText(t, configFile()), world().dir)) return undefined;
    const loaded = await loads(t);
    if (input.length > MAX_CONFIG_BYTES) return 'a file over 1 MiB loaded';
    if (!isDeepStrictEqual(loaded, await again(t))) return 'the same text validates to another configuration';
    return loadedProblem(loaded);
  },
  accepts: configError,
  done,
};

/** Every leaf of a parsed configuration as a `path=value` line (the value as JSON, YAML's flow form); an empty mapping or list is a leaf. */
function leaves(v: unknown, at: string, out: string[]): string[] {
  if (typeof v !== 'object' || v === null || Object.keys(v).length === 0) out.push(`${at}=${JSON.stringify(v)}`);
  else for (const [k, x] of Object.entries(v)) leaves(x, Array.isArray(v) ? `${at}[${k}]` : at === '' ? k : `${at}.${k}`, out);
  return out;
}

/**
 * Sets the value at `path` (`a.b[0].c`), making mappings and lists on the way, as own members
 * (`__proto__` too, as YAML makes it); false where something else is in the way.
 */
function setPath(tree: { [k: string]: unknown }, path: string, value: unknown): boolean {
  const keys = [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => m[1] ?? Number(m[2]));
  let cur: unknown = tree;
  for (const [i, key] of keys.entries()) {
    // A YAML list has no holes: an index past the end is not set.
    if (typeof cur !== 'object' || cur === null || (Array.isArray(cur) && (typeof key !== 'number' || key > cur.length))) return false;
    const node = cur as { [k: string]: unknown };
    if (i === keys.length - 1) {
      setMember(node, String(key), value);
      return true;
    }
    if (!Object.hasOwn(node, key) || node[key] === null) setMember(node, String(key), typeof keys[i + 1] === 'number' ? [] : {});
    cur = node[key];
  }
  return false;
}

let bases: unknown[] | null = null;
const handWritten = (): unknown[] => (bases ??= configTexts().handWritten.map((t) => parseConfigText(t, configFile())));

/**
 * Values set one setting at a time: an input is `base: N` (a hand-written seed configuration)
 * and `path=value` lines, each value read as YAML and set at its path in the parsed tree, which
 * is then validated and resolved as the file's would be. Mutations reach every setting with
 * hostile values (numbers made huge, quotes broken, types changed) without breaking the file's
 * YAML around them. Validating must not change the tree it is given.
 */
const values: FuzzTarget = {
  seeds: () =>
    handWritten().flatMap((tree, b) => {
      const lines = leaves(tree, '', []);
      return Array.from({ length: Math.ceil(lines.length / 3) }, (_, i) => text(`base: ${b}\n${lines.slice(i * 3, i * 3 + 3).join('\n')}\n`));
    }),
  text: true,
  run: async (input) => {
    const [first, ...lines] = asText(input).split('\n');
    const base = handWritten()[Number(/^base: (\d+)$/.exec(first ?? '')?.[1] ?? 0) % handWritten().length];
    const tree = structuredClone(base) as { [k: string]: unknown };
    for (const line of lines) {
      const eq = line.indexOf('=');
      if (eq <= 0) continue;
      let value: unknown;
      try {
        value = yamlValue(line.slice(eq + 1));
      } catch {
        continue; // refused as YAML: the file target's concern
      }
      setPath(tree, line.slice(0, eq), value);
    }
    if (!confined(tree, world().dir)) return undefined;
    const given = structuredClone(tree);
    const w = world();
    const loaded = await resolveDraft(validateConfig(tree, context(w.env)), w.npm);
    if (!isDeepStrictEqual(tree, given)) return 'validating changed the configuration it was given';
    if (!isDeepStrictEqual(loaded, await resolveDraft(validateConfig(given, context(w.env)), w.npm))) return 'the same configuration validates to another';
    return loadedProblem(loaded);
  },
  accepts: configError,
  done,
};
export const targets: Record<string, FuzzTarget> = { 'config-file': file, 'config-values': values, 'config-env': env, 'config-units': units };
