import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '../../test/support/seeded-random.ts';
import { unifiedDiff, type TextDiff } from './text-diff.ts';

const NAMES = { from: 'a/index.js', to: 'b/index.js' };
const LIMITS = { maxLines: 100_000, maxEdits: 2000, maxOutputBytes: 1 << 20 };

function diff(before: string, after: string, limits = LIMITS): Extract<TextDiff, { kind: 'diff' }> {
  const d = unifiedDiff(before, after, NAMES, limits);
  assert.equal(d.kind, 'diff');
  return d as Extract<TextDiff, { kind: 'diff' }>;
}

/** Applies a unified diff as `patch` does (hunks in order, context checked): the test's own reading of the format. */
function apply(before: string, unified: string): string {
  const src = before === '' ? [] : before.split('\n');
  const srcFinal = before.endsWith('\n') || before === '';
  if (srcFinal && src.length > 0) src.pop();
  const out: string[] = [];
  let at = 0;
  let outFinal = srcFinal;
  const rows = unified.split('\n');
  if (rows.at(-1) === '') rows.pop();
  let last: 'keep' | 'del' | 'ins' | null = null;
  for (const row of rows.slice(2)) {
    const h = /^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@$/.exec(row);
    if (h !== null) {
      const start = Number(h[1]) - (h[2] === '0' ? 0 : 1);
      while (at < start) out.push(src[at++] as string);
      continue;
    }
    if (row === '\\ No newline at end of file') {
      if (last === 'keep' || last === 'ins') outFinal = false;
      continue;
    }
    const text = row.slice(1);
    if (row[0] === ' ') {
      assert.equal(src[at], text, 'context matches');
      out.push(text);
      at++;
      last = 'keep';
    } else if (row[0] === '-') {
      assert.equal(src[at], text, 'removed line matches');
      at++;
      last = 'del';
      if (at === src.length) outFinal = true;
    } else if (row[0] === '+') {
      out.push(text);
      last = 'ins';
      outFinal = true;
    } else assert.fail(`unexpected row ${JSON.stringify(row)}`);
  }
  while (at < src.length) {
    out.push(src[at++] as string);
    outFinal = srcFinal;
  }
  if (out.length === 0) return '';
  return out.join('\n') + (outFinal ? '\n' : '');
}

test('a changed line and an added one, in diff -u format with three lines of context', () => {
  const before = 'a\nb\nc\nd\ne\nf\ng\nh\n';
  const after = 'a\nb\nc\nD\ne\nf\ng\nh\ni\n';
  const d = diff(before, after);
  assert.equal(d.unified, ['--- a/index.js', '+++ b/index.js', '@@ -1,8 +1,9 @@', ' a', ' b', ' c', '-d', '+D', ' e', ' f', ' g', ' h', '+i', ''].join('\n'));
  assert.deepEqual([d.added, d.removed, d.truncated], [2, 1, false]);
});

test('distant changes make separate hunks; identical texts no diff; one side empty', () => {
  const lines = Array.from({ length: 30 }, (_, i) => `line ${i}`);
  const after = [...lines];
  after[2] = 'changed 2';
  after[25] = 'changed 25';
  const d = diff(`${lines.join('\n')}\n`, `${after.join('\n')}\n`);
  assert.deepEqual(d.unified.split('\n').filter((l) => l.startsWith('@@')), ['@@ -1,6 +1,6 @@', '@@ -23,7 +23,7 @@']);
  assert.equal(diff('same\n', 'same\n').unified, '');
  assert.equal(diff('', 'new\n').unified, '--- a/index.js\n+++ b/index.js\n@@ -0,0 +1 @@\n+new\n');
  assert.equal(diff('old\n', '').unified, '--- a/index.js\n+++ b/index.js\n@@ -1 +0,0 @@\n-old\n');
});

test('a final line without a newline is marked, and differs from the same line with one', () => {
  const d = diff('a\nb', 'a\nb\n');
  assert.equal(d.unified, '--- a/index.js\n+++ b/index.js\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n');
});

test('random edits: applying the diff to the old text gives the new one, and the edit count is minimal for single changes', () => {
  const random = seededRandom(20261123);
  const rnd = { int: (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo)) };
  for (let round = 0; round < 300; round++) {
    const n = rnd.int(0, 40);
    const base = Array.from({ length: n }, () => `l${rnd.int(0, 6)}`);
    const next = [...base];
    const edits = rnd.int(0, 6);
    for (let e = 0; e < edits; e++) {
      const at = rnd.int(0, next.length + 1);
      const what = rnd.int(0, 3);
      if (what === 0) next.splice(at, 0, `n${rnd.int(0, 6)}`);
      else if (what === 1 && next.length > 0) next.splice(Math.min(at, next.length - 1), 1);
      else if (next.length > 0) next[Math.min(at, next.length - 1)] = `c${rnd.int(0, 6)}`;
    }
    const before = base.join('\n') + (rnd.int(0, 2) === 0 || base.length === 0 ? '' : '\n');
    const after = next.join('\n') + (rnd.int(0, 2) === 0 || next.length === 0 ? '' : '\n');
    const d = diff(before, after);
    assert.equal(apply(before, d.unified), after, `round ${round}: ${JSON.stringify(before)} -> ${JSON.stringify(after)}\n${d.unified}`);
  }
  const single = diff('a\nb\nc\n', 'a\nx\nb\nc\n');
  assert.deepEqual([single.added, single.removed], [1, 0]);
});

test('one changed line in the middle of a long file: the lines set aside before and after it are numbered right', () => {
  const long = Array.from({ length: 50_000 }, (_, i) => `line ${i}`);
  const edited = [...long];
  edited[25_000] = 'changed';
  const d = diff(`${long.join('\n')}\n`, `${edited.join('\n')}\n`, { maxLines: 100_000, maxEdits: 2, maxOutputBytes: 1 << 20 });
  assert.deepEqual([d.added, d.removed], [1, 1]);
  assert.match(d.unified, /^@@ -24998,7 \+24998,7 @@$/m);
});

test('bounded: a text past maxLines is too long, a rewrite past maxEdits too different; output past maxOutputBytes is cut', () => {
  const before = Array.from({ length: 100 }, (_, i) => `old ${i}`).join('\n');
  const after = Array.from({ length: 100 }, (_, i) => `new ${i}`).join('\n');
  assert.deepEqual(unifiedDiff(before, after, NAMES, { maxLines: 1000, maxEdits: 50, maxOutputBytes: 1 << 20 }), { kind: 'too-different', minEdits: 51 });
  assert.deepEqual(unifiedDiff(before, after, NAMES, { maxLines: 99, maxEdits: 1000, maxOutputBytes: 1 << 20 }), { kind: 'too-long', lines: 100 });
  const cut = diff(before, after, { maxLines: 1000, maxEdits: 1000, maxOutputBytes: 300 });
  assert.equal(cut.truncated, true);
  assert.ok(Buffer.byteLength(cut.unified) <= 300 + 1);
});
