/**
 * Rego term syntax for values, as OPA prints them (`ast.Value.String()`): used by `sprintf` for
 * composite operands and by messages that quote values.
 *
 *   "a"  1  true  null  [1, "a"]  {"k": 1}  {1, 2}  set()
 */
import { BigNum, formatNumber, toDouble, type RNumber } from '../number.ts';
import { RObject, RSet, type RArray, type Value } from '../value.ts';

/** Number text: plain decimal, or `<coef>e<exp>` when plain decimal would be absurdly long. */
export function numberText(n: RNumber): string {
  if (n instanceof BigNum && (n.exp > 30 || n.exp < -30) && !Number.isFinite(toDouble(n))) {
    return `${n.coef}e${n.exp}`;
  }
  return formatNumber(n);
}

const PRINTABLE = /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u;

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/** Go's strconv.Quote: double-quoted, Go escapes, printable Unicode kept as is. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case '\\':
        out += '\\\\';
        continue;
      case '\x07':
        out += '\\a';
        continue;
      case '\b':
        out += '\\b';
        continue;
      case '\f':
        out += '\\f';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\t':
        out += '\\t';
        continue;
      case '\v':
        out += '\\v';
        continue;
      default:
        break;
    }
    if (c === 0x20 || (c >= 0x21 && c < 0x7f)) out += ch;
    else if (c < 0x80) out += `\\x${hex(c, 2)}`;
    else if (c >= 0xd800 && c <= 0xdfff) out += '\ufffd';
    else if (PRINTABLE.test(ch)) out += ch;
    else if (c < 0x10000) out += `\\u${hex(c, 4)}`;
    else out += `\\U${hex(c, 8)}`;
  }
  return `${out}"`;
}

/** OPA's term text for a value. */
export function termText(v: Value): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      return numberText(v);
    case 'string':
      return goQuote(v);
    default:
      break;
  }
  if (v instanceof BigNum) return numberText(v);
  if (Array.isArray(v)) return `[${(v as RArray).map(termText).join(', ')}]`;
  if (v instanceof RSet) return v.size === 0 ? 'set()' : `{${v.values().map(termText).join(', ')}}`;
  const parts: string[] = [];
  (v as RObject).forEach((k, x) => {
    parts.push(`${termText(k)}: ${termText(x)}`);
  });
  return `{${parts.join(', ')}}`;
}
