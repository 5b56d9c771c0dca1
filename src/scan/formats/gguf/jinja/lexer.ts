/**
 * A Jinja2 lexer for template analysis: template data, `{{ … }}`, `{% … %}` (with `-`/`+`
 * whitespace control), comments `{# … #}` dropped, `{% raw %}` kept as data. Inside tags it
 * produces names, string literals (decoded like Jinja: Python `unicode-escape`), numbers and
 * operators, and it knows that `}}` inside a string does not close a tag. Default delimiters
 * only (what llama.cpp, llama-cpp-python and transformers use).
 */
import { decodePythonEscapes } from './escapes.ts';

export type TokenType =
  | 'data'
  | 'variable_begin'
  | 'variable_end'
  | 'block_begin'
  | 'block_end'
  | 'name'
  | 'string'
  | 'number'
  | 'operator'
  | 'eof';

export interface Token {
  readonly type: TokenType;
  readonly value: string;
  /** Strings only: false when an escape could not be decoded exactly. */
  readonly exact: boolean;
  readonly offset: number;
}

export class TemplateSyntaxError extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.name = 'TemplateSyntaxError';
    this.offset = offset;
  }
}

const OPERATORS = ['//', '**', '==', '!=', '>=', '<=', '+', '-', '/', '*', '%', '~', '[', ']', '(', ')', '{', '}', '>', '<', '=', '.', ':', '|', ',', ';'];
const NAME_RE = /[\p{L}_][\p{L}\p{N}_]*/uy;
const NUMBER_RE = /(?:0[bB](?:_?[01])+|0[oO](?:_?[0-7])+|0[xX](?:_?[0-9a-fA-F])+|(?:\d(?:_?\d)*)(?:\.\d(?:_?\d)*)?(?:[eE][+-]?\d(?:_?\d)*)?)/y;
const RAW_BEGIN_RE = /\{%[-+]?\s*raw\s*[-+]?%\}/y;
const RAW_END_RE = /\{%[-+]?\s*endraw\s*[-+]?%\}/g;

export function tokenize(source: string, maxTokens: number): Token[] {
  const tokens: Token[] = [];
  const push = (type: TokenType, value: string, offset: number, exact = true): void => {
    if (tokens.length >= maxTokens) throw new TemplateSyntaxError(`template has more than ${maxTokens} tokens`, offset);
    tokens.push({ type, value, exact, offset });
  };
  let pos = 0;
  const n = source.length;
  while (pos < n) {
    const next = nextTagStart(source, pos);
    if (next > pos) push('data', source.slice(pos, next), pos);
    if (next >= n) break;
    pos = next;
    const kind = source[pos + 1];
    if (kind === '#') {
      const end = source.indexOf('#}', pos + 2);
      if (end < 0) throw new TemplateSyntaxError('unterminated comment', pos);
      pos = end + 2;
      continue;
    }
    RAW_BEGIN_RE.lastIndex = pos;
    if (kind === '%' && RAW_BEGIN_RE.test(source)) {
      const bodyStart = RAW_BEGIN_RE.lastIndex;
      RAW_END_RE.lastIndex = bodyStart;
      const m = RAW_END_RE.exec(source);
      if (m === null) throw new TemplateSyntaxError('unterminated raw block', pos);
      push('data', source.slice(bodyStart, m.index), bodyStart);
      pos = m.index + m[0].length;
      continue;
    }
    const isBlock = kind === '%';
    push(isBlock ? 'block_begin' : 'variable_begin', isBlock ? '{%' : '{{', pos);
    pos += 2;
    if (source[pos] === '-' || source[pos] === '+') pos++;
    pos = lexTag(source, pos, isBlock ? '%}' : '}}', push);
    push(isBlock ? 'block_end' : 'variable_end', isBlock ? '%}' : '}}', pos - 2);
  }
  push('eof', '', n);
  return tokens;
}

function nextTagStart(s: string, from: number): number {
  let i = s.indexOf('{', from);
  while (i >= 0 && i + 1 < s.length) {
    const c = s[i + 1];
    if (c === '{' || c === '%' || c === '#') return i;
    i = s.indexOf('{', i + 1);
  }
  return s.length;
}

/** Lexes the inside of a tag; returns the offset just after the closing delimiter. */
function lexTag(
  s: string,
  start: number,
  close: string,
  push: (type: TokenType, value: string, offset: number, exact?: boolean) => void,
): number {
  let pos = start;
  let depth = 0; // brackets: `}}` inside `{ {…} }` dict literals is not the end
  const n = s.length;
  while (pos < n) {
    const c = s[pos] ?? '';
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v') {
      pos++;
      continue;
    }
    if (depth === 0) {
      if ((c === '-' || c === '+') && s.startsWith(close, pos + 1)) return pos + 1 + close.length;
      if (s.startsWith(close, pos)) return pos + close.length;
    }
    if (c === "'" || c === '"') {
      const end = stringEnd(s, pos);
      if (end < 0) throw new TemplateSyntaxError('unterminated string literal', pos);
      const decoded = decodePythonEscapes(s.slice(pos + 1, end).replace(/\r\n?/g, '\n'));
      push('string', decoded.value, pos, decoded.exact);
      pos = end + 1;
      continue;
    }
    NAME_RE.lastIndex = pos;
    const name = NAME_RE.exec(s);
    if (name !== null) {
      push('name', name[0], pos);
      pos += name[0].length;
      continue;
    }
    if (c >= '0' && c <= '9') {
      NUMBER_RE.lastIndex = pos;
      const num = NUMBER_RE.exec(s);
      let text = num?.[0] ?? c;
      // After a `.`, Jinja reads `foo.0.1` as two integer attribute steps, not a float.
      const prev = s[pos - 1];
      if (prev === '.' && text.includes('.')) text = text.slice(0, text.indexOf('.'));
      push('number', text, pos);
      pos += text.length;
      continue;
    }
    const op = OPERATORS.find((o) => s.startsWith(o, pos));
    if (op === undefined) throw new TemplateSyntaxError(`unexpected character ${JSON.stringify(c)}`, pos);
    if (op === '(' || op === '[' || op === '{') depth++;
    if ((op === ')' || op === ']' || op === '}') && depth > 0) depth--;
    push('operator', op, pos);
    pos += op.length;
  }
  throw new TemplateSyntaxError(`unclosed tag, expected ${close}`, start);
}

/** Index of the closing quote of the string starting at `start`, or -1. */
function stringEnd(s: string, start: number): number {
  const q = s[start];
  for (let i = start + 1; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') i++;
    else if (c === q) return i;
  }
  return -1;
}
