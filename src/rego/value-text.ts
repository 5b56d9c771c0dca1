/**
 * Values as Rego source text, the way OPA prints terms: `[1, "a"]`, `{"k": 2}`, `{1, 2}`,
 * `set()`. Used by template strings, `print` and messages.
 */
import { BigNum, formatNumber } from './number.ts';
import { isArray, RObject, RSet, type Value } from './value.ts';

export function regoText(v: Value): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      return formatNumber(v);
    case 'string':
      return JSON.stringify(v);
    default:
      break;
  }
  if (v instanceof BigNum) return formatNumber(v);
  if (isArray(v)) return `[${v.map(regoText).join(', ')}]`;
  if (v instanceof RSet) return v.size === 0 ? 'set()' : `{${v.values().map(regoText).join(', ')}}`;
  const o = v as RObject;
  const parts: string[] = [];
  o.forEach((k, val) => {
    parts.push(`${regoText(k)}: ${regoText(val)}`);
  });
  return `{${parts.join(', ')}}`;
}

/** Like `regoText`, but a top-level string is printed raw (template strings, `print`). */
export function displayText(v: Value): string {
  return typeof v === 'string' ? v : regoText(v);
}
