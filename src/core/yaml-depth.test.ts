/**
 * The YAML depth pre-scan counts a lower bound of the real nesting: on the policy data shipped in
 * policies/, every YAML example in the docs and YAML's quoting corner cases (brackets in quoted,
 * block and plain scalars and in comments) it never counts deeper than the `yaml` reader's own
 * result is, and it refuses hostile 100,000-deep flow and block nesting at the right line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { yamlDepthExceeded } from './yaml-depth.ts';

const ROOT = join(import.meta.dirname, '../..');

/** Collections on the deepest path of the reader's result (a scalar is 0). */
function depthOf(v: unknown): number {
  if (v === null || typeof v !== 'object') return 0;
  let inner = 0;
  for (const x of Object.values(v)) inner = Math.max(inner, depthOf(x));
  return 1 + inner;
}

function readerDepth(text: string): number {
  let depth = 0;
  for (const doc of parseAllDocuments(text)) depth = Math.max(depth, depthOf(doc.toJS({ maxAliasCount: 50 })));
  return depth;
}

const TRICKY: readonly string[] = [
  "a: '[[[[ {{{{ it''s ]] still one scalar [[[['\nb: 1\n",
  'a: "[[[[ \\" {{{{ \\\\" \nb: "x"\n',
  'a: |\n  [[[[ {{{{\n  # not a comment [[[\n\n  "unbalanced\nb: >-\n    {{{{ [[[[\n    \'\nc: 1\n',
  '- |+2\n    [[[[\n- >\n  {{{{\n- x\n',
  '# [[[[ {{{{\na: 1 # [[[[\nb: x#[[[[\n',
  'a: x[[[[ {{{{\nb: don\'t [[[[\nc: he said "[[[[\n',
  'a: see\n  [[[[ the list\n  {{{{ below\nb: 2\n',
  "a: 'multi\n  line [[[[\n  it''s'\nb: \"two\n  [[[[ \\\"\n  lines\"\n",
  'a: [1, "]]]", \'[[[\', {b: "{{"}, [c, d]] # [[[\nb: {"k":"v", "l":[1,2]}\n',
  '- - - a\n  - b\n- ? k\n  : v\n',
  'x: &anchor\n  y: !!str "[[["\nz: *anchor\nw: !!seq [1, [2]]\n',
  '---\na:\n  b:\n    c:\n      - d: 1\n        e: [x, {f: g}]\n',
  'a:\r\n  b: "[[[["\r\n  c: [1, 2]\r\n',
  "key: 'it''s'\nlist:\n- a\n- b: c\n  d: e\n",
  '"quoted key": {"nested": ["deep", {"er": 1}]}\n',
  "a: ['it''s [[[[', 'b''', x]\n",
  'a: ["say \\"[[[[\\"", {b: "{{{{\\\\"}, c]\n',
];

function corpus(): { name: string; text: string }[] {
  const out = TRICKY.map((text, i) => ({ name: `tricky ${i}`, text }));
  for (const f of readdirSync(join(ROOT, 'policies'), { recursive: true, encoding: 'utf8' })) {
    if (/\.(json|ya?ml)$/.test(f)) out.push({ name: `policies/${f}`, text: readFileSync(join(ROOT, 'policies', f), 'utf8') });
  }
  for (const doc of ['README.md', 'docs/configuration.md', 'docs/policy-input.md']) {
    const md = readFileSync(join(ROOT, doc), 'utf8');
    for (const [k, m] of [...md.matchAll(/```ya?ml\n([\s\S]*?)```/g)].entries()) out.push({ name: `${doc} yaml block ${k}`, text: m[1] as string });
  }
  return out;
}

test('yaml depth: never counts deeper than the YAML reader reads, on real data, docs examples and quoting corner cases', () => {
  const files = corpus();
  assert.ok(files.length > 30, `only ${files.length} inputs`);
  for (const { name, text } of files) {
    const depth = readerDepth(text);
    assert.equal(yamlDepthExceeded(text, depth), undefined, `${name} (the reader reads ${depth} levels) was counted deeper`);
  }
});

test('yaml depth: counts the nesting of flow and block collections', () => {
  assert.equal(yamlDepthExceeded('a: [[1]]\n', 2), 1);
  assert.equal(yamlDepthExceeded('a: [[1]]\n', 3), undefined);
  assert.equal(yamlDepthExceeded('a:\n  b:\n    c:\n      - 1\n', 3), 4);
  assert.equal(yamlDepthExceeded('- - - a\n', 2), 1);
  assert.equal(yamlDepthExceeded('a: {b: [1,\n  {c: [2]}]}\n', 4), 2);
});

test('yaml depth: hostile 100,000-deep nesting is refused at its line', () => {
  const n = 100_000;
  const cases: readonly [string, number][] = [
    ['['.repeat(n), 1],
    [`a: ${'{"a":'.repeat(n)}1${'}'.repeat(n)}`, 1],
    [`a: 1\nb: &x !!seq ${'[ '.repeat(n)}`, 2],
    [`${'- '.repeat(n)}a\n`, 1],
    [`${'? '.repeat(n)}a\n`, 1],
    [`# head\nx: 1\ny: [\n${'[\n'.repeat(n)}`, 35],
    [Array.from({ length: 2000 }, (_, i) => `${' '.repeat(i)}a:`).join('\n'), 34],
  ];
  for (const [text, line] of cases) {
    assert.equal(yamlDepthExceeded(text, 33), line, text.slice(0, 40));
  }
});
