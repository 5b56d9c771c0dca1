import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RegoError } from '../errors.ts';
import type { CallExpr, Expr, RefTerm, Term } from './ast.ts';
import { opName, ruleKind } from './ast.ts';
import { parseModule, parseQuery, parseTermText } from './parser.ts';

function mod(src: string) {
  return parseModule('t.rego', `package t\n${src}`);
}

function parseError(f: () => unknown, re: RegExp): RegoError {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof RegoError, `expected a RegoError, got ${String(err)}`);
  assert.equal(err.code, 'rego_parse_error');
  assert.match(err.message, re);
  return err;
}

/** Renders a term in prefix form to check the tree shape. */
function show(t: Term): string {
  switch (t.type) {
    case 'scalar':
      return JSON.stringify(t.value);
    case 'var':
      return t.name;
    case 'ref':
      return t.terms.map(show).join('.');
    case 'call':
      return `${opName(t.op)}(${t.args.map(show).join(', ')})`;
    case 'array':
      return `[${t.items.map(show).join(', ')}]`;
    case 'set':
      return `{${t.items.map(show).join(', ')}}`;
    case 'object':
      return `{${t.entries.map(([k, v]) => `${show(k)}: ${show(v)}`).join(', ')}}`;
    default:
      return t.type;
  }
}

function exprShow(e: Expr): string {
  if (e.kind === 'term') return show(e.term);
  if (e.kind === 'call') return `${opName((e as CallExpr).op)}(${e.args.map(show).join(', ')})`;
  return e.kind;
}

test('operator precedence follows OPA: in < relations < | < & < + - < * / %', () => {
  const [e] = parseQuery('x := 1 + 2 * 3 == 7 | y');
  assert.equal(exprShow(e as Expr), 'assign(x, equal(plus(1, mul(2, 3)), or(7, y)))');
  const [m] = parseQuery('a - b - c');
  assert.equal(exprShow(m as Expr), 'minus(minus(a, b), c)');
  const [i] = parseQuery('k, v in xs');
  assert.equal(exprShow(i as Expr), 'internal.member_3(k, v, xs)');
  const [j] = parseQuery('1 + 1 in {2}');
  assert.equal(exprShow(j as Expr), 'internal.member_2(plus(1, 1), {2})');
});

test('refs need adjacency: `a[1]` is a ref, `a [1]` is two literals', () => {
  const one = parseQuery('a[1].b');
  assert.equal(one.length, 1);
  assert.equal(show((one[0] as { term: RefTerm }).term), 'a.1."b"');
  assert.throws(() => parseQuery('a [1]'), RegoError);
  const two = parseQuery('a\n[1]');
  assert.equal(two.length, 2);
});

test('keywords are allowed inside refs and as ref heads', () => {
  const [e] = parseQuery('input.package.if == data.some.else');
  assert.equal(exprShow(e as Expr), 'equal(input."package"."if", data."some"."else")');
  const m = mod('if.foo := 1\nfoo.contains := 2');
  assert.equal(m.rules.length, 2);
});

test('rule kinds: complete, multi-value, ref heads, functions, default, else', () => {
  const m = mod(`
default allow := false
allow if input.admin
deny contains msg if msg := "no"
p.q[r] := 1 if r := "x"
f(x) := x + 1
g(x) if { x > 1 } else := false
obj[k] := v if { some k, v in {"a": 1} }
`);
  assert.deepEqual(
    m.rules.map((r) => `${r.default ? 'default ' : ''}${ruleKind(r)}:${r.head.ref.map(show).join('.')}`),
    ['default single:allow', 'single:allow', 'multi:deny', 'single:p."q".r', 'function:f', 'function:g', 'single:obj.k'],
  );
  const g = m.rules[5];
  assert.ok(g?.else !== null && g?.else !== undefined);
  assert.equal(show(g.else.head.value as Term), 'false');
});

test('v1 requires `if` before a rule body', () => {
  const e = parseError(() => mod('p { true }'), /`if` keyword is required before rule body/);
  assert.deepEqual(e.errors[0]?.location, { file: 't.rego', row: 2, col: 3 });
});

test('bodies: newline or semicolon separated; some, every, with, not', () => {
  const m = mod(`
p if {
  some x in input.xs; x > 1
  every y in input.ys { y < 10 }
  not data.blocked[input.name]
  count(input.xs) > 0 with input.xs as [1]
}`);
  const body = m.rules[0]?.body ?? [];
  assert.deepEqual(
    body.map((e) => (e.negated ? 'not ' : '') + e.kind),
    ['somein', 'call', 'every', 'not term', 'call'],
  );
  assert.equal(body[4]?.with.length, 1);
  parseError(() => mod('p if { x := 1 y := 2 }'), /expected \\n or ; or }/);
});

test('comprehensions versus set literals and `|`', () => {
  const [a] = parseQuery('x := [y | y := input[_]]');
  assert.equal((a as CallExpr).args[1]?.type, 'arraycompr');
  const [s] = parseQuery('x := {1 | 2}');
  assert.equal((s as CallExpr).args[1]?.type, 'setcompr');
  const [o] = parseQuery('x := {k: v | some k, v in input}');
  assert.equal((o as CallExpr).args[1]?.type, 'objectcompr');
  const [t] = parseQuery('x := {1, 2 | 3}');
  assert.equal(show((t as CallExpr).args[1] as Term), '{1, or(2, 3)}');
});

test('template strings parse their expressions', () => {
  const t = parseTermText('$"a {x + 1} b {input.y}"');
  assert.equal(t.type, 'template');
  if (t.type !== 'template') return;
  assert.equal(t.parts.length, 4);
  parseError(() => parseTermText('$"{x := 1}"'), /unexpected assignment/);
});

test('numbers: exact, negative literals, no leading zeros', () => {
  const [e] = parseQuery('x := -12345678901234567890.5');
  const n = (e as CallExpr).args[1];
  assert.equal(n?.type === 'scalar' ? String(n.value) : '', '-12345678901234567890.5');
  parseError(() => parseQuery('x := 012'), /leading zero/);
  parseError(() => parseQuery('x := 1e999999'), /number too big/);
});

test('errors carry file, row, column and the source line', () => {
  const e = parseError(() => parseModule('bad.rego', 'package x\n\np if {\n  x := \n}\n'), /unexpected/);
  const d = e.errors[0];
  assert.equal(d?.location?.file, 'bad.rego');
  assert.equal(d?.location?.row, 5);
  assert.match(e.render(), /bad\.rego:5:1: rego_parse_error/);
});

test('limits: module size and nesting depth', () => {
  parseError(() => parseModule('big.rego', `package x\np := "${'a'.repeat(2000)}"`, { limits: { maxModuleBytes: 1000 } }), /module too large/);
  const deep = `package x\np := ${'['.repeat(500)}1${']'.repeat(500)}`;
  parseError(() => parseModule('deep.rego', deep), /nesting too deep/);
  const ok = `package x\np := ${'['.repeat(50)}1${']'.repeat(50)}`;
  assert.equal(parseModule('ok.rego', ok).rules.length, 1);
});

test('imports and packages', () => {
  const m = parseModule('m.rego', 'package a.b["c-d"]\nimport data.x.y as z\nimport input.req\nimport rego.v1\nimport future.keywords.in\np := 1');
  assert.deepEqual(m.package.path, ['a', 'b', 'c-d']);
  assert.equal(m.imports.length, 4);
  assert.equal(m.imports[0]?.alias, 'z');
  parseError(() => parseModule('m.rego', 'package a\nimport foo.bar'), /unexpected import path/);
});
