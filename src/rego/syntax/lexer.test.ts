import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lex, LexError } from './lexer.ts';
import { T } from './tokens.ts';

const LIMITS = { maxTokens: 10_000 };

function throwsLex(f: () => unknown, re: RegExp): void {
  assert.throws(f, (e: unknown) => e instanceof LexError && re.test(e.message));
}

function kinds(src: string): number[] {
  return lex(src, LIMITS).map((t) => t.kind);
}

test('operators, punctuation and identifiers', () => {
  assert.deepEqual(kinds('a := b == c != d <= e >= f < g > h'), [
    T.Ident, T.Assign, T.Ident, T.Equal, T.Ident, T.Neq, T.Ident, T.Lte, T.Ident, T.Gte, T.Ident, T.Lt, T.Ident, T.Gt, T.Ident, T.EOF,
  ]);
  assert.deepEqual(kinds('x = [1, {2: 3}] | y & z; w'), [
    T.Ident, T.Unify, T.LBrack, T.Number, T.Comma, T.LBrace, T.Number, T.Colon, T.Number, T.RBrace, T.RBrack, T.Or, T.Ident, T.And, T.Ident, T.Semicolon, T.Ident, T.EOF,
  ]);
});

test('positions, whitespace and newline flags', () => {
  const toks = lex('p if {\n\tinput.x[1]  # comment\n}', LIMITS);
  const x = toks.find((t) => t.text === 'x');
  assert.ok(x);
  assert.equal(x.row, 2);
  assert.equal(x.col, 8);
  assert.equal(x.ws, false);
  const brack = toks[toks.indexOf(x) + 1];
  assert.equal(brack?.kind, T.LBrack);
  assert.equal(brack.ws, false);
  const close = toks.find((t) => t.kind === T.RBrace);
  assert.equal(close?.nl, true);
  assert.equal(close?.ws, true);
});

test('strings: escapes, unicode, raw strings across lines', () => {
  const [s] = lex('"a\\n\\t\\"\\u00e9\\/"', LIMITS);
  assert.equal(s?.text, 'a\n\t"é/');
  const [r] = lex('`line1\nline2 \\n`', LIMITS);
  assert.equal(r?.text, 'line1\nline2 \\n');
  assert.throws(() => lex('"unterminated\n"', LIMITS), LexError);
  throwsLex(() => lex('"bad \\q escape"', LIMITS), /illegal escape sequence/);
});

test('numbers', () => {
  const toks = lex('0 12 3.25 1e10 2.5E-3', LIMITS);
  assert.deepEqual(
    toks.filter((t) => t.kind === T.Number).map((t) => t.text),
    ['0', '12', '3.25', '1e10', '2.5E-3'],
  );
  throwsLex(() => lex('12abc', LIMITS), /illegal number format/);
  throwsLex(() => lex('1e', LIMITS), /expected exponent/);
});

test('template strings split into chunks around expressions', () => {
  const toks = lex('$"a {x} b {$"{y}"} \\{literal}"', LIMITS);
  assert.deepEqual(
    toks.map((t) => [t.kind, t.text]),
    [
      [T.TemplatePart, 'a '],
      [T.Ident, 'x'],
      [T.RBrace, '}'],
      [T.TemplatePart, ' b '],
      [T.TemplatePart, ''],
      [T.Ident, 'y'],
      [T.RBrace, '}'],
      [T.TemplateEnd, ''],
      [T.RBrace, '}'],
      [T.TemplateEnd, ' {literal}'],
      [T.EOF, ''],
    ],
  );
  const raw = lex('$`x\n{1}`', LIMITS);
  assert.equal(raw[0]?.kind, T.TemplatePart);
  assert.equal(raw[0]?.raw, true);
  assert.equal(raw[0]?.text, 'x\n');
});

test('template expressions may contain braces of their own', () => {
  const toks = lex('$"{ {"a": 1}.a }"', LIMITS);
  assert.equal(toks[toks.length - 2]?.kind, T.TemplateEnd);
});

test('hostile input: illegal characters, NUL, token limit', () => {
  throwsLex(() => lex('p := 1 ~ 2', LIMITS), /illegal character/);
  throwsLex(() => lex('a\u0000b', LIMITS), /illegal null character/);
  throwsLex(() => lex('a!b', LIMITS), /illegal ! character/);
  throwsLex(() => lex('x '.repeat(20), { maxTokens: 10 }), /too many tokens/);
  throwsLex(() => lex('$"open {', LIMITS), /non-terminated string/);
});
