/**
 * JSON text in and out with OPA's (Go's encoding/json) behaviour: numbers kept exact, object
 * keys sorted, `<`, `>`, `&`, U+2028 and U+2029 escaped, Go's error messages.
 */
import { BigNum, parseNumber } from '../number.ts';
import { fromJSON, RObject, RSet, type RArray, type Value } from '../value.ts';
import { goQuote, numberText } from './term-text.ts';

export class JsonSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonSyntaxError';
  }
}

/** Parse JSON text into a Rego value with exact numbers. Throws JsonSyntaxError (Go's wording). */
export function parseJSONText(text: string): Value {
  let js: unknown;
  try {
    js = JSON.parse(text, (_key, value: unknown, context?: { source?: string }) => {
      if (typeof value !== 'number') return value;
      const src = context?.source ?? String(value);
      const n = parseNumber(src);
      if (n === null) throw new JsonSyntaxError(`number ${src} out of range`);
      return n;
    });
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw e;
    throw new JsonSyntaxError(goJSONError(text));
  }
  return fromJSON(js);
}

export function isValidJSON(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function quoteChar(c: string): string {
  if (c === "'") return "'\\''";
  if (c === '"') return '\'"\'';
  const q = goQuote(c);
  return `'${q.slice(1, -1)}'`;
}

const WS = new Set([' ', '\t', '\n', '\r']);

/** Go's decoder message for invalid JSON (only computed on the error path). */
export function goJSONError(text: string): string {
  let i = 0;
  const n = text.length;
  const skip = (): void => {
    while (i < n && WS.has(text[i] as string)) i++;
  };
  const bad = (ctx: string): never => {
    throw new JsonSyntaxError(`invalid character ${quoteChar(String.fromCodePoint(text.codePointAt(i) as number))} ${ctx}`);
  };
  const eof = (): never => {
    throw new JsonSyntaxError('unexpected EOF');
  };
  const literal = (word: string): void => {
    for (let k = 1; k < word.length; k++) {
      i++;
      if (i >= n) eof();
      if (text[i] !== word[k]) bad(`in literal ${word} (expecting ${quoteChar(word[k] as string)})`);
    }
    i++;
  };
  const digits = (ctx: string): void => {
    if (i >= n) eof();
    if (!/[0-9]/.test(text[i] as string)) bad(ctx);
    while (i < n && /[0-9]/.test(text[i] as string)) i++;
  };
  const number = (): void => {
    if (text[i] === '-') {
      i++;
      if (i >= n) eof();
      if (!/[0-9]/.test(text[i] as string)) bad('in numeric literal');
    }
    if (text[i] === '0') i++;
    else digits('in numeric literal');
    if (text[i] === '.') {
      i++;
      digits('after decimal point in numeric literal');
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      digits('in exponent of numeric literal');
    }
  };
  const string = (): void => {
    i++;
    for (;;) {
      if (i >= n) eof();
      const c = text[i] as string;
      if (c === '"') {
        i++;
        return;
      }
      if (c === '\\') {
        i++;
        if (i >= n) eof();
        const e = text[i] as string;
        if (e === 'u') {
          for (let k = 0; k < 4; k++) {
            i++;
            if (i >= n) eof();
            if (!/[0-9a-fA-F]/.test(text[i] as string)) bad('in \\u hexadecimal character escape');
          }
        } else if (!'"\\/bfnrt'.includes(e)) bad('in string escape code');
        i++;
        continue;
      }
      if (c.charCodeAt(0) < 0x20) bad('in string literal');
      i++;
    }
  };
  const value = (): void => {
    skip();
    if (i >= n) eof();
    const c = text[i] as string;
    if (c === '{') {
      i++;
      skip();
      if (i >= n) eof();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        skip();
        if (i >= n) eof();
        if (text[i] !== '"') bad('looking for beginning of object key string');
        string();
        skip();
        if (i >= n) eof();
        if (text[i] !== ':') bad('after object key');
        i++;
        value();
        skip();
        if (i >= n) eof();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        bad('after object key:value pair');
      }
    }
    if (c === '[') {
      i++;
      skip();
      if (i >= n) eof();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        skip();
        if (i >= n) eof();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        bad('after array element');
      }
    }
    if (c === '"') return string();
    if (c === '-' || (c >= '0' && c <= '9')) return number();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    return bad('looking for beginning of value');
  };
  try {
    skip();
    if (i >= n) return 'EOF';
    value();
    skip();
    if (i < n) {
      // OPA decodes one value, then reads the next token: a well-formed token is reported by
      // its text, anything else with the decoder's own complaint.
      const start = i;
      const c = text[i] as string;
      if ('[]{},:'.includes(c)) return `error: invalid character '${c}' after top-level value`;
      try {
        value();
      } catch {
        i = start;
        if (c === '"' || c === '-' || (c >= '0' && c <= '9') || 'tfn'.includes(c)) throw new JsonSyntaxError('unexpected EOF');
        bad('looking for beginning of value');
      }
      const tok = text.slice(start, i);
      return `error: invalid character '${c === '"' ? (JSON.parse(tok) as string) : tok}' after top-level value`;
    }
    return 'invalid JSON';
  } catch (e) {
    if (e instanceof JsonSyntaxError) return e.message;
    throw e;
  }
}

/** Go's JSON string encoding (HTML-safe). */
export function goJSONString(s: string): string {
  let out = '"';
  let last = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let esc: string | null = null;
    if (c < 0x20) {
      esc =
        c === 0x0a ? '\\n' : c === 0x0d ? '\\r' : c === 0x09 ? '\\t' : c === 0x08 ? '\\b' : c === 0x0c ? '\\f' : `\\u00${c.toString(16).padStart(2, '0')}`;
    } else if (c === 0x22) esc = '\\"';
    else if (c === 0x5c) esc = '\\\\';
    else if (c === 0x3c) esc = '\\u003c';
    else if (c === 0x3e) esc = '\\u003e';
    else if (c === 0x26) esc = '\\u0026';
    else if (c === 0x2028) esc = '\\u2028';
    else if (c === 0x2029) esc = '\\u2029';
    else if (c >= 0xd800 && c <= 0xdfff) {
      const pair = c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
      if (pair) {
        i++;
        continue;
      }
      esc = '\ufffd';
    }
    if (esc !== null) {
      out += s.slice(last, i) + esc;
      last = i + 1;
    }
  }
  return `${out}${s.slice(last)}"`;
}

function keyText(k: Value): string {
  return typeof k === 'string' ? k : marshalCompact(k);
}

function sortedEntries(o: RObject): [string, Value][] {
  const out: [string, Value][] = [];
  o.forEach((k, v) => {
    out.push([keyText(k), v]);
  });
  // Go sorts map keys bytewise (UTF-8), which is code-point order.
  out.sort((a, b) => (a[0] === b[0] ? 0 : cmpCodePoints(a[0], b[0])));
  return out;
}

function cmpCodePoints(a: string, b: string): number {
  const x = Array.from(a);
  const y = Array.from(b);
  const len = Math.min(x.length, y.length);
  for (let i = 0; i < len; i++) {
    const c = (x[i] as string).codePointAt(0) as number;
    const d = (y[i] as string).codePointAt(0) as number;
    if (c !== d) return c - d;
  }
  return x.length - y.length;
}

/** json.Marshal */
export function marshalCompact(v: Value): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      return numberText(v);
    case 'string':
      return goJSONString(v);
    default:
      break;
  }
  if (v instanceof BigNum) return numberText(v);
  if (Array.isArray(v)) return `[${(v as RArray).map(marshalCompact).join(',')}]`;
  if (v instanceof RSet) return `[${v.values().map(marshalCompact).join(',')}]`;
  {
    return `{${sortedEntries(v as RObject)
      .map(([k, x]) => `${goJSONString(k)}:${marshalCompact(x)}`)
      .join(',')}}`;
  }
}

/** json.MarshalIndent(v, prefix, indent), with the prefix also before the first line as OPA does. */
export function marshalIndent(v: Value, prefix: string, indent: string): string {
  const walk = (x: Value, depth: number): string => {
    const items: string[] = [];
    if (Array.isArray(x) || x instanceof RSet) {
      const list = x instanceof RSet ? x.values() : (x as RArray);
      if (list.length === 0) return '[]';
      for (const e of list) items.push(walk(e, depth + 1));
      const pad = `\n${prefix}${indent.repeat(depth + 1)}`;
      return `[${pad}${items.join(`,${pad}`)}\n${prefix}${indent.repeat(depth)}]`;
    }
    if (x instanceof RObject) {
      if (x.size === 0) return '{}';
      for (const [k, e] of sortedEntries(x)) items.push(`${goJSONString(k)}: ${walk(e, depth + 1)}`);
      const pad = `\n${prefix}${indent.repeat(depth + 1)}`;
      return `{${pad}${items.join(`,${pad}`)}\n${prefix}${indent.repeat(depth)}}`;
    }
    return marshalCompact(x);
  };
  return prefix + walk(v, 0);
}
