/**
 * Table-driven tests for builtins: each row is a Rego expression and what OPA answers for it
 * (JSON text of the value, `undefined`, or an error code and message fragment). Expressions
 * are evaluated through the library's public query API with strict builtin errors, so a row
 * exercises argument checking, the builtin and the result exactly as a policy would.
 * Expected values were taken from OPA (the v0.70 oracle, or the newer behaviour the
 * conformance suite pins where the two differ). Imported by `*.test.ts` files only.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compile } from '../api.ts';
import { RegoError } from '../errors.ts';
import { toJSONText, valuesEqual } from '../value.ts';
import { parseJSONText } from './json-text.ts';

export interface ErrorExpectation {
  readonly code: 'eval_type_error' | 'eval_builtin_error';
  /** A substring of the error message. */
  readonly message: string;
}

/** JSON text of the expected value, `undefined` (no result), or an error. */
export type Expectation = string | undefined | ErrorExpectation;

export type Row = readonly [expr: string, expected: Expectation];

const policy = compile([]);

export interface Outcome {
  readonly value?: string;
  readonly error?: { readonly code: string; readonly message: string };
}

export function evaluate(expr: string, nowNs = 1_700_000_000_000_000_000n): Outcome {
  try {
    const rows = policy.query(`result := ${expr}`, { strictBuiltinErrors: true, nowNs });
    const v = rows[0]?.bindings.result;
    return v === undefined ? {} : { value: toJSONText(v) };
  } catch (e) {
    if (e instanceof RegoError) {
      const d = e.errors[0];
      return { error: { code: d?.code ?? e.code, message: d?.message ?? e.message } };
    }
    throw e;
  }
}

export function check(expr: string, expected: Expectation): void {
  const got = evaluate(expr);
  if (expected === undefined) {
    assert.deepEqual(got, {}, `${expr} should be undefined`);
    return;
  }
  if (typeof expected === 'string') {
    assert.equal(got.error, undefined, `${expr} failed: ${got.error?.code}: ${got.error?.message}`);
    assert.notEqual(got.value, undefined, `${expr} is undefined, want ${expected}`);
    const same = valuesEqual(parseJSONText(got.value as string), parseJSONText(expected));
    assert.ok(same, `${expr}\n   got  ${got.value}\n   want ${expected}`);
    return;
  }
  assert.notEqual(got.error, undefined, `${expr} should fail with ${expected.code}, got ${got.value ?? 'undefined'}`);
  assert.equal(got.error?.code, expected.code, `${expr}: ${got.error?.message}`);
  assert.ok(got.error?.message.includes(expected.message), `${expr}\n   message ${got.error?.message}\n   want    …${expected.message}…`);
}

/** One node:test test per row. */
export function table(title: string, rows: readonly Row[]): void {
  for (const [expr, expected] of rows) test(`${title}: ${expr}`, () => check(expr, expected));
}

export const typeError = (message: string): ErrorExpectation => ({ code: 'eval_type_error', message });
export const builtinErr = (message: string): ErrorExpectation => ({ code: 'eval_builtin_error', message });
