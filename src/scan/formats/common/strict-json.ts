/**
 * A strict, bounded JSON parser. Unlike `JSON.parse` it reports duplicate object keys (a parser
 * differential attackers use: one reader keeps the first value, another the last), caps nesting
 * depth and value count, gives byte positions in errors, and builds objects as `Map`s so no key
 * (`__proto__` …) is special. Options mirror the reader the file is meant for: Python's `json`
 * accepts `NaN`/`Infinity` and lone surrogates, serde_json (safetensors) does not.
 */
import { AnalysisLimitError, FormatParseError } from './errors.ts';

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export type JsonObject = Map<string, JsonValue>;

export interface JsonParseOptions {
  /** Rule id of parse errors, e.g. `safetensors.header.json`. */
  readonly rule: string;
  readonly maxDepth: number;
  /** Upper bound on the number of values (a cheap guard against pathological inputs). */
  readonly maxValues: number;
  /** `reject`: a duplicate key is a parse error; `last`: keep the last (Python), reported via `onDuplicate`. */
  readonly duplicates: 'reject' | 'last';
  readonly onDuplicate?: (key: string, offset: number) => void;
  /** Accept `NaN`, `Infinity`, `-Infinity` (Python's json does). */
  readonly allowNonFinite?: boolean;
  /** Accept unpaired `\uD800`-style escapes (Python's json does). */
  readonly allowLoneSurrogates?: boolean;
  /** Reject numbers with a fraction or exponent (serde's integer types do). */
  readonly integersOnly?: boolean;
}

export function isJsonObject(v: JsonValue | undefined): v is JsonObject {
  return v instanceof Map;
}

export function parseStrictJson(text: string, options: JsonParseOptions): JsonValue {
  const p = new Parser(text, options);
  p.ws();
  const value = p.value(0);
  p.ws();
  if (p.pos !== text.length) p.fail(`unexpected ${describe(text, p.pos)} after the JSON value`);
  return value;
}

class Parser {
  pos = 0;
  values = 0;
  readonly text: string;
  readonly o: JsonParseOptions;

  constructor(text: string, o: JsonParseOptions) {
    this.text = text;
    this.o = o;
  }

  fail(message: string, at = this.pos): never {
    throw new FormatParseError(this.o.rule, `invalid JSON at character ${at}: ${message}`, at);
  }

  ws(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) this.pos++;
      else break;
    }
  }

  value(depth: number): JsonValue {
    if (++this.values > this.o.maxValues) {
      throw new AnalysisLimitError(`${this.o.rule}.limit`, `JSON has more than ${this.o.maxValues} values`, this.pos);
    }
    const t = this.text;
    const c = t[this.pos];
    switch (c) {
      case '{':
        return this.object(depth + 1);
      case '[':
        return this.array(depth + 1);
      case '"':
        return this.string();
      case 't':
        return this.literal('true', true);
      case 'f':
        return this.literal('false', false);
      case 'n':
        return this.literal('null', null);
      case 'N':
        if (this.o.allowNonFinite === true) return this.literal('NaN', Number.NaN);
        return this.fail(`unexpected ${describe(t, this.pos)}`);
      case 'I':
        if (this.o.allowNonFinite === true) return this.literal('Infinity', Number.POSITIVE_INFINITY);
        return this.fail(`unexpected ${describe(t, this.pos)}`);
      default:
        if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
        return this.fail(c === undefined ? 'unexpected end of input' : `unexpected ${describe(t, this.pos)}`);
    }
  }

  checkDepth(depth: number): void {
    if (depth > this.o.maxDepth) {
      throw new AnalysisLimitError(`${this.o.rule}.limit`, `JSON nested deeper than ${this.o.maxDepth} levels`, this.pos);
    }
  }

  object(depth: number): JsonObject {
    this.checkDepth(depth);
    const out: JsonObject = new Map();
    this.pos++; // {
    this.ws();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.text[this.pos] !== '"') this.fail(`expected a string key, found ${describe(this.text, this.pos)}`);
      const keyAt = this.pos;
      const key = this.string();
      this.ws();
      if (this.text[this.pos] !== ':') this.fail(`expected ':' after key, found ${describe(this.text, this.pos)}`);
      this.pos++;
      this.ws();
      const v = this.value(depth);
      if (out.has(key)) {
        if (this.o.duplicates === 'reject') this.fail(`duplicate key ${JSON.stringify(key)}`, keyAt);
        this.o.onDuplicate?.(key, keyAt);
        out.delete(key);
      }
      out.set(key, v);
      this.ws();
      const c = this.text[this.pos];
      if (c === ',') {
        this.pos++;
        continue;
      }
      if (c === '}') {
        this.pos++;
        return out;
      }
      this.fail(`expected ',' or '}', found ${describe(this.text, this.pos)}`);
    }
  }

  array(depth: number): JsonValue[] {
    this.checkDepth(depth);
    const out: JsonValue[] = [];
    this.pos++; // [
    this.ws();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.ws();
      out.push(this.value(depth));
      this.ws();
      const c = this.text[this.pos];
      if (c === ',') {
        this.pos++;
        continue;
      }
      if (c === ']') {
        this.pos++;
        return out;
      }
      this.fail(`expected ',' or ']', found ${describe(this.text, this.pos)}`);
    }
  }

  string(): string {
    const t = this.text;
    const start = ++this.pos;
    // Fast path: no escapes.
    let i = start;
    for (; i < t.length; i++) {
      const c = t.charCodeAt(i);
      if (c === 0x22) {
        this.pos = i + 1;
        return t.slice(start, i);
      }
      if (c === 0x5c) break;
      if (c < 0x20) this.fail('control character in string', i);
    }
    let out = t.slice(start, i);
    for (;;) {
      if (i >= t.length) this.fail('unterminated string', start - 1);
      const c = t.charCodeAt(i);
      if (c === 0x22) {
        this.pos = i + 1;
        return out;
      }
      if (c < 0x20) this.fail('control character in string', i);
      if (c !== 0x5c) {
        out += t[i];
        i++;
        continue;
      }
      const e = t[i + 1];
      i += 2;
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          const unit = this.hex4(i);
          i += 4;
          if (unit >= 0xd800 && unit <= 0xdbff && t[i] === '\\' && t[i + 1] === 'u') {
            const low = this.hex4(i + 2);
            if (low >= 0xdc00 && low <= 0xdfff) {
              out += String.fromCharCode(unit, low);
              i += 6;
              break;
            }
          }
          if (unit >= 0xd800 && unit <= 0xdfff && this.o.allowLoneSurrogates !== true) this.fail('unpaired surrogate escape', i - 6);
          out += String.fromCharCode(unit);
          break;
        }
        default:
          this.fail(`invalid escape \\${e ?? ''}`, i - 2);
      }
    }
  }

  hex4(at: number): number {
    const h = this.text.slice(at, at + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(h)) this.fail('invalid \\u escape', at - 2);
    return Number.parseInt(h, 16);
  }

  number(): number {
    const t = this.text;
    const start = this.pos;
    if (t[this.pos] === '-') {
      this.pos++;
      if (this.o.allowNonFinite === true && t.startsWith('Infinity', this.pos)) {
        this.pos += 8;
        return Number.NEGATIVE_INFINITY;
      }
    }
    if (t[this.pos] === '0') this.pos++;
    else if (isDigit(t[this.pos])) while (isDigit(t[this.pos])) this.pos++;
    else this.fail('invalid number', start);
    if (this.o.integersOnly === true && (t[this.pos] === '.' || t[this.pos] === 'e' || t[this.pos] === 'E')) {
      this.fail('only integer numbers are allowed here', start);
    }
    if (t[this.pos] === '.') {
      this.pos++;
      if (!isDigit(t[this.pos])) this.fail('invalid number', start);
      while (isDigit(t[this.pos])) this.pos++;
    }
    if (t[this.pos] === 'e' || t[this.pos] === 'E') {
      this.pos++;
      if (t[this.pos] === '+' || t[this.pos] === '-') this.pos++;
      if (!isDigit(t[this.pos])) this.fail('invalid number', start);
      while (isDigit(t[this.pos])) this.pos++;
    }
    return Number(t.slice(start, this.pos));
  }

  literal<T extends boolean | null | number>(word: string, v: T): T {
    if (!this.text.startsWith(word, this.pos)) this.fail(`unexpected ${describe(this.text, this.pos)}`);
    this.pos += word.length;
    return v;
  }
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

function describe(text: string, pos: number): string {
  if (pos >= text.length) return 'end of input';
  return JSON.stringify(text.slice(pos, pos + 12));
}

/** Integer-valued JSON number that is a safe integer (JSON `1.0` is not one for strict readers). */
export function isJsonInteger(v: JsonValue | undefined): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v);
}
