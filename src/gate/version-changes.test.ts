import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makePurl } from '../core/index.ts';
import { baseVersionOf, compareFiles, MAX_LISTED, type VersionFile, type VersionFiles } from './version-changes.ts';
import type { VersionCandidate } from './types.ts';

function candidate(version: string, publishedAt: string | null): VersionCandidate {
  return { subject: { repo: 'npm', ecosystem: 'npm', name: 'p', version, purl: makePurl('npm', 'p', version) }, facts: { published_at: publishedAt } };
}

function listing(version: string, files: Record<string, Partial<VersionFile>>, installScripts: Record<string, string> = {}): VersionFiles {
  return { version, installScripts, files: new Map(Object.entries(files).map(([p, f]) => [p, { kind: 'file', size: 1, sha256: 'aa', ...f }])) };
}

test('baseVersionOf: the newest other version published before it, by publish time, not by version order', () => {
  const cs = [candidate('1.0.0', '2024-01-01T00:00:00Z'), candidate('2.0.0', '2024-03-01T00:00:00Z'), candidate('1.0.1', '2024-04-01T00:00:00Z'), candidate('2.1.0', '2024-05-01T00:00:00Z'), candidate('0.9.0', null)];
  assert.equal(baseVersionOf(cs, '2.1.0'), '1.0.1', 'a backport published later is the version before it');
  assert.equal(baseVersionOf(cs, '2.0.0'), '1.0.0');
  assert.equal(baseVersionOf(cs, '1.0.0'), null, 'the first release');
  assert.equal(baseVersionOf(cs, '0.9.0'), null, 'no publish time: nothing to compare by');
  assert.equal(baseVersionOf(cs, '3.0.0'), null, 'not listed');
});

test('compareFiles: added, removed, changed by digest or kind, unchanged counted; install scripts before and after', () => {
  const purl = makePurl('npm', 'p', '2.0.0');
  const before = listing('1.0.0', { 'index.js': { sha256: 'old' }, 'lib/a.js': {}, 'same.js': {}, 'link.js': { kind: 'symlink' } });
  const after = listing('2.0.0', { 'index.js': { sha256: 'new', size: 9 }, 'install.js': { size: 40 }, 'same.js': {}, 'link.js': { kind: 'file' } }, { postinstall: 'node install.js' });
  const r = compareFiles(purl, before, after);
  assert.equal(r.base, '1.0.0');
  assert.deepEqual(r.added, [{ path: 'install.js', before: null, after: 40 }]);
  assert.deepEqual(r.removed, [{ path: 'lib/a.js', before: 1, after: null }]);
  assert.deepEqual(r.changed, [{ path: 'index.js', before: 1, after: 9 }, { path: 'link.js', before: 1, after: 1 }]);
  assert.equal(r.unchanged, 1);
  assert.deepEqual(r.counts, { added: 1, removed: 1, changed: 2 });
  assert.deepEqual(r.installScripts, { before: {}, after: { postinstall: 'node install.js' } });
  assert.equal(r.truncated, false);

  const first = compareFiles(purl, null, after);
  assert.equal(first.base, null);
  assert.equal(first.counts.added, 4);
  assert.equal(first.installScripts.before, null);
});

test('compareFiles: each list stops at MAX_LISTED, in path order; the counts say how many there are', () => {
  const files: Record<string, Partial<VersionFile>> = {};
  for (let i = 0; i < MAX_LISTED + 20; i++) files[`f${String(i).padStart(4, '0')}.js`] = {};
  const r = compareFiles(makePurl('npm', 'p', '2.0.0'), listing('1.0.0', {}), listing('2.0.0', files));
  assert.equal(r.added.length, MAX_LISTED);
  assert.equal(r.counts.added, MAX_LISTED + 20);
  assert.equal(r.added[0]?.path, 'f0000.js');
  assert.equal(r.truncated, true);
});
