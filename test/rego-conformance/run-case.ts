/**
 * Loading and running OPA's YAML conformance cases, following the suite's README: fresh
 * compile per case, the query against `data`/`input`, errors before results, result rows
 * compared as sets of objects (Rego value equality, sets as sorted arrays).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { compile, RegoError } from '../../src/rego/index.ts';
import { canonicalKey, compareValues, fromJSON, isArray, RObject, RSet, type Value } from '../../src/rego/value.ts';
import { toJSONText } from '../../src/rego/value.ts';

export const SUITE_ROOT = join(import.meta.dirname, '..', '..', '..', 'shared', 'opa-conformance', 'v1');

export interface Case {
  readonly key: string;
  readonly folder: string;
  readonly note: string;
  readonly query: string;
  readonly modules?: readonly string[];
  readonly data?: unknown;
  readonly input?: unknown;
  readonly input_term?: string;
  readonly want_result?: readonly Record<string, unknown>[];
  readonly want_error?: string;
  readonly want_error_code?: string;
  readonly strict_error?: boolean;
  readonly sort_bindings?: boolean;
  readonly ignore_generated_vars?: boolean;
  readonly experimental_keywords?: boolean;
}

export function suiteAvailable(): boolean {
  return statSync(SUITE_ROOT, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

export function listFolders(): string[] {
  return readdirSync(SUITE_ROOT, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

/** Cases of a folder, keyed `folder/file#index`. Integers are read losslessly (BigInt). */
export function loadFolder(folder: string): Case[] {
  const dir = join(SUITE_ROOT, folder);
  const out: Case[] = [];
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.yaml') && !file.endsWith('.yml')) continue;
    const doc = parseYaml(readFileSync(join(dir, file), 'utf8'), { intAsBigInt: true }) as { cases?: Record<string, unknown>[] };
    (doc.cases ?? []).forEach((c, i) => {
      out.push({ ...(c as unknown as Case), key: `${folder}/${file}#${i}`, folder });
    });
  }
  return out;
}

/** A result value as OPA serialises it to JSON: sets become sorted arrays, non-string keys text. */
function jsonish(v: Value): Value {
  if (isArray(v)) return v.map(jsonish);
  if (v instanceof RSet) return v.values().map(jsonish);
  if (v instanceof RObject) {
    const o = new RObject();
    v.forEach((k, x) => void o.set(typeof k === 'string' ? k : toJSONText(k), jsonish(x)));
    return o;
  }
  return v;
}

function sortArrays(v: Value): Value {
  return isArray(v) ? [...v].sort(compareValues) : v;
}

function rowSet(rows: readonly RObject[]): RSet {
  return RSet.of(rows);
}

export interface Outcome {
  readonly ok: boolean;
  readonly detail: string;
}

function describe(v: Value): string {
  return toJSONText(v);
}

export function runCase(c: Case): Outcome {
  const modules = (c.modules ?? []).map((source, i) => ({ path: `test-${i}.rego`, source }));
  const wantsError = c.want_error !== undefined || c.want_error_code !== undefined;
  if (!wantsError && c.want_result === undefined) return { ok: false, detail: 'malformed case: no expectation' };
  let policy;
  try {
    policy = compile(modules, { data: c.data ?? {}, experimentalKeywords: c.experimental_keywords === true });
  } catch (e) {
    return { ok: false, detail: `compile error: ${e instanceof RegoError ? e.message : String(e)}` };
  }
  let input: unknown = c.input;
  let rows;
  try {
    if (c.input_term !== undefined) {
      const r = policy.query(`input_term_value = ${c.input_term}`);
      input = r[0]?.bindings.input_term_value;
    }
    rows = policy.query(c.query, { input, strictBuiltinErrors: c.strict_error === true });
  } catch (e) {
    if (!(e instanceof RegoError)) return { ok: false, detail: `crash: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}` };
    if (!wantsError) return { ok: false, detail: `unexpected error: ${e.message}` };
    if (c.want_error !== undefined && !e.message.includes(c.want_error)) {
      return { ok: false, detail: `error text ${JSON.stringify(e.message)} does not contain ${JSON.stringify(c.want_error)}` };
    }
    if (c.want_error_code !== undefined && e.code !== c.want_error_code) {
      return { ok: false, detail: `error code ${e.code}, want ${c.want_error_code} (${e.message})` };
    }
    return { ok: true, detail: '' };
  }
  if (wantsError) {
    return { ok: false, detail: `expected error ${c.want_error_code ?? ''} ${c.want_error ?? ''}, got ${rows.length} rows` };
  }
  const actual = rows.map((r) => {
    const o = new RObject();
    for (const [k, v] of Object.entries(r.bindings)) {
      if (k.startsWith('__localq') && c.ignore_generated_vars === true) continue;
      const j = jsonish(v);
      o.set(k, c.sort_bindings === true ? sortArrays(j) : j);
    }
    return o;
  });
  const expected = (c.want_result ?? []).map((row) => {
    const o = new RObject();
    for (const [k, v] of Object.entries(row)) {
      const j = fromJSON(v);
      o.set(k, c.sort_bindings === true ? sortArrays(j) : j);
    }
    return o;
  });
  const a = rowSet(actual);
  const b = rowSet(expected);
  if (canonicalKey(a) === canonicalKey(b)) return { ok: true, detail: '' };
  return { ok: false, detail: `result mismatch:\n  got  ${describe(a)}\n  want ${describe(b)}` };
}
