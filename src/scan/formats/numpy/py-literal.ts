/**
 * A tiny, strict parser for the Python literal subset that `.npy` headers use (what numpy hands
 * to `ast.literal_eval`): dicts, lists, tuples, strings, integers (with the Python 2 `L` suffix
 * numpy filters out of old headers), `True`, `False`, `None`. Nothing is evaluated.
 */
import { FormatParseError } from '../common/errors.ts';

export type PyValue = null | boolean | bigint | string | PyTuple | PyValue[] | PyDict;
export class PyTuple {
  readonly items: readonly PyValue[];
  constructor(items: readonly PyValue[]) {
    this.items = items;
  }
}
export type PyDict = Map<string, PyValue>;

const RULE = 'numpy.header.syntax';
const MAX_DEPTH = 32;

export function parsePyLiteral(text: string): PyValue {
  return parsePyLiteralDetailed(text).value;
}

/** The literal, and the dict keys that were given more than once (Python keeps the last value). */
export function parsePyLiteralDetailed(text: string): { readonly value: PyValue; readonly duplicateKeys: readonly string[] } {
  const p = new LiteralParser(text);
  p.ws();
  const value = p.value(0);
  p.ws();
  if (p.pos !== text.length) p.fail('unexpected text after the header literal');
  return { value, duplicateKeys: p.duplicates };
}

class LiteralParser {
  pos = 0;
  readonly duplicates: string[] = [];
  readonly t: string;
  constructor(t: string) {
    this.t = t;
  }

  fail(msg: string): never {
    throw new FormatParseError(RULE, `header literal, character ${this.pos}: ${msg}`, this.pos);
  }

  ws(): void {
    while (this.pos < this.t.length && ' \t\r\n\f\v'.includes(this.t[this.pos] ?? '')) this.pos++;
  }

  value(depth: number): PyValue {
    if (depth > MAX_DEPTH) this.fail('nested too deeply');
    const c = this.t[this.pos];
    if (c === '{') return this.dict(depth + 1);
    if (c === '[') return this.seq(']', depth + 1);
    if (c === '(') {
      const items = this.seq(')', depth + 1, true);
      return items instanceof PyTuple ? items : new PyTuple(items);
    }
    if (c === "'" || c === '"' || /^[rRuU]['"]/.test(this.t.slice(this.pos, this.pos + 2))) return this.strings();
    if (c === '-' || c === '+' || (c !== undefined && c >= '0' && c <= '9')) return this.int();
    for (const [word, v] of [['True', true], ['False', false], ['None', null]] as const) {
      if (this.t.startsWith(word, this.pos) && !/[A-Za-z0-9_]/.test(this.t[this.pos + word.length] ?? '')) {
        this.pos += word.length;
        return v;
      }
    }
    return this.fail(`unexpected ${JSON.stringify(this.t.slice(this.pos, this.pos + 10))}`);
  }

  dict(depth: number): PyDict {
    const out: PyDict = new Map();
    this.pos++;
    for (;;) {
      this.ws();
      if (this.t[this.pos] === '}') {
        this.pos++;
        return out;
      }
      const k = this.value(depth);
      if (typeof k !== 'string') this.fail('dictionary keys must be strings');
      this.ws();
      if (this.t[this.pos] !== ':') this.fail("expected ':'");
      this.pos++;
      this.ws();
      const v = this.value(depth);
      // A repeated key keeps its first position and the last value, as in a Python dict.
      if (out.has(k)) this.duplicates.push(k);
      out.set(k, v);
      this.ws();
      if (this.t[this.pos] === ',') this.pos++;
      else if (this.t[this.pos] !== '}') this.fail("expected ',' or '}'");
    }
  }

  seq(close: string, depth: number, tuple = false): PyValue[] | PyTuple {
    const out: PyValue[] = [];
    let sawComma = false;
    this.pos++;
    for (;;) {
      this.ws();
      if (this.t[this.pos] === close) {
        this.pos++;
        // `(x)` is just x in Python; numpy headers never rely on it, so keep the tuple only when comma'd.
        if (tuple && out.length === 1 && !sawComma) return out[0] instanceof PyTuple ? out[0] : new PyTuple(out);
        return out;
      }
      out.push(this.value(depth));
      this.ws();
      if (this.t[this.pos] === ',') {
        sawComma = true;
        this.pos++;
      } else if (this.t[this.pos] !== close) this.fail(`expected ',' or '${close}'`);
    }
  }

  int(): bigint {
    const m = /^[-+]?(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|[0-9][0-9_]*)[lL]?/.exec(this.t.slice(this.pos, this.pos + 64));
    if (m === null) return this.fail('bad integer');
    const rest = this.t[this.pos + m[0].length];
    if (rest === '.' || rest === 'e' || rest === 'E' || rest === 'j') this.fail('only integers are allowed');
    this.pos += m[0].length;
    let s = m[0].replace(/[lL]$/, '').replaceAll('_', '');
    const neg = s.startsWith('-');
    if (s.startsWith('-') || s.startsWith('+')) s = s.slice(1);
    if (/^0[0-9]/.test(s)) this.fail('leading zeros are not allowed');
    const v = BigInt(s);
    return neg ? -v : v;
  }

  /** Adjacent string literals concatenate (`'ob' 'ject'`), each with an optional r/u prefix. */
  strings(): string {
    let out = this.str();
    for (;;) {
      const save = this.pos;
      this.ws();
      if (/^([rRuU]?['"])/.test(this.t.slice(this.pos, this.pos + 2))) out += this.str();
      else {
        this.pos = save;
        return out;
      }
    }
  }

  str(): string {
    let raw = false;
    const prefix = this.t[this.pos] ?? '';
    if (prefix === 'r' || prefix === 'R') raw = true;
    if (/[rRuU]/.test(prefix)) this.pos++;
    const q = this.t[this.pos] ?? '';
    const triple = this.t.startsWith(q.repeat(3), this.pos);
    const close = triple ? q.repeat(3) : q;
    this.pos += close.length;
    let out = '';
    for (;;) {
      if (this.pos >= this.t.length) this.fail('unterminated string');
      if (this.t.startsWith(close, this.pos)) {
        this.pos += close.length;
        return out;
      }
      const c = this.t[this.pos] ?? '';
      if (c === '\n' && !triple) this.fail('newline in string');
      if (raw && c === '\\') {
        // Raw strings keep backslashes; an escaped quote still does not end the string.
        out += c + (this.t[this.pos + 1] ?? '');
        this.pos += 2;
        continue;
      }
      if (c !== '\\') {
        out += c;
        this.pos++;
        continue;
      }
      const e = this.t[this.pos + 1] ?? '';
      this.pos += 2;
      const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v', '0': '\0', '\n': '' };
      if (e === 'x' || e === 'u' || e === 'U') {
        const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
        const h = this.t.slice(this.pos, this.pos + n);
        if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(h)) this.fail(`bad \\${e} escape`);
        const cp = Number.parseInt(h, 16);
        if (cp > 0x10ffff) this.fail('code point out of range');
        out += String.fromCodePoint(cp);
        this.pos += n;
      } else if (simple[e] !== undefined) {
        out += simple[e];
      } else {
        out += `\\${e}`; // Python keeps unknown escapes verbatim
      }
    }
  }
}

/** Python-style rendering of a parsed literal, for messages and evidence. */
export function pyRepr(v: PyValue, budget = 200): string {
  const s = repr(v);
  return s.length > budget ? `${s.slice(0, budget)}…` : s;
}

function repr(v: PyValue): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'string') return `'${v.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
  if (v instanceof PyTuple) return v.items.length === 1 ? `(${repr(v.items[0] ?? null)},)` : `(${v.items.map(repr).join(', ')})`;
  if (Array.isArray(v)) return `[${v.map(repr).join(', ')}]`;
  return `{${[...v].map(([k, x]) => `${repr(k)}: ${repr(x)}`).join(', ')}}`;
}
