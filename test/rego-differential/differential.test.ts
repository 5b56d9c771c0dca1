/**
 * Differential test against OPA: random policies and inputs (see generate.ts) whose results
 * were computed by the OPA v0.70.0 oracle and checked in as `cases.json`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseJSONText } from '../../src/rego/builtins/json-text.ts';
import { compile, type CompiledPolicy, RegoError } from '../../src/rego/index.ts';
import { toDouble } from '../../src/rego/number.ts';
import { compareValues, isArray, isNumber, RObject, RSet, toJSONText, type Value } from '../../src/rego/value.ts';

/**
 * JSON shape of a result: sets as sorted arrays, arrays sorted too (set order is unspecified),
 * numbers as doubles (the oracle, OPA 0.70, divides in float64 where OPA 1.x keeps more digits).
 */
function normal(v: Value, sortArrays: boolean): Value {
  if (isNumber(v)) return toDouble(v);
  if (isArray(v)) {
    const items = v.map((x) => normal(x, sortArrays));
    return sortArrays ? items.sort(compareValues) : items;
  }
  if (v instanceof RSet) return v.values().map((x) => normal(x, sortArrays)).sort(compareValues);
  if (v instanceof RObject) {
    const o = new RObject();
    v.forEach((k, x) => void o.set(typeof k === 'string' ? k : toJSONText(k), normal(x, sortArrays)));
    return o;
  }
  return v;
}

const file = parseJSONText(readFileSync(join(import.meta.dirname, 'cases.json'), 'utf8')) as RObject;
const cases = file.get('cases') as readonly RObject[];

const runs = cases.flatMap((c) => (c.get('runs') as readonly RObject[]).map((r) => ({ src: c.get('policy') as string, r })));

test(`${cases.length} generated policies × inputs (${runs.length} runs) agree with OPA`, () => {
  const failures: string[] = [];
  const compiled = new Map<string, CompiledPolicy | RegoError>();
  for (const { src, r: c } of runs) {
    const want = c.get('error') as string | undefined;
    let p = compiled.get(src);
    if (p === undefined) {
      try {
        p = compile([{ path: 'p.rego', source: src }]);
      } catch (e) {
        if (!(e instanceof RegoError)) throw e;
        p = e;
      }
      compiled.set(src, p);
    }
    let got: Value | undefined;
    let err: string | undefined;
    if (p instanceof RegoError) err = p.code;
    else {
      try {
        got = p.evaluate('data.gen', { input: c.get('input') });
      } catch (e) {
        if (!(e instanceof RegoError)) throw e;
        err = e.code;
      }
    }
    if (want !== undefined || err !== undefined) {
      if (want !== err) failures.push(`error ${err ?? 'none'}, OPA ${want ?? 'none'}\n${src}`);
      continue;
    }
    const expected = c.get('result') as Value;
    const a = toJSONText(normal(got ?? null, true));
    const b = toJSONText(normal(expected, true));
    if (a !== b) failures.push(`got  ${a}\nwant ${b}\ninput ${toJSONText(c.get('input') as Value)}\n${src}`);
  }
  assert.equal(failures.length, 0, `${failures.length} mismatches; first:\n${failures.slice(0, 3).join('\n---\n')}`);
});
