import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { leafHash, rootFromAuditPath } from './tlog.ts';
import { preAuthEncoding } from './dsse.ts';

const h = (...parts: Buffer[]): Buffer => createHash('sha256').update(Buffer.concat(parts)).digest();
const leaves = (n: number): Buffer[] => Array.from({ length: n }, (_, i) => Buffer.from(`leaf ${i}`));

/** RFC 6962 §2.1 MTH, computed directly. */
function mth(d: Buffer[]): Buffer {
  if (d.length === 0) return h();
  if (d.length === 1) return leafHash(d[0] ?? Buffer.alloc(0));
  let k = 1;
  while (k * 2 < d.length) k *= 2;
  return h(Buffer.from([1]), mth(d.slice(0, k)), mth(d.slice(k)));
}

/** RFC 6962 §2.1.1 PATH(m, D). */
function path(m: number, d: Buffer[]): Buffer[] {
  if (d.length <= 1) return [];
  let k = 1;
  while (k * 2 < d.length) k *= 2;
  return m < k ? [...path(m, d.slice(0, k)), mth(d.slice(k))] : [...path(m - k, d.slice(k)), mth(d.slice(0, k))];
}

test('audit paths lead to the RFC 6962 root for every leaf of trees of size 1 to 17', () => {
  for (let n = 1; n <= 17; n++) {
    const d = leaves(n);
    const root = mth(d);
    for (let m = 0; m < n; m++) {
      const r = rootFromAuditPath(leafHash(d[m] ?? Buffer.alloc(0)), BigInt(m), BigInt(n), path(m, d));
      assert.ok(Buffer.isBuffer(r) && r.equals(root), `size ${n}, leaf ${m}`);
    }
  }
});

test('a wrong index, size, leaf or hash does not lead to the root; malformed paths are named', () => {
  const d = leaves(11);
  const root = mth(d);
  const p = path(5, d);
  const leaf = leafHash(d[5] ?? Buffer.alloc(0));
  const to = (r: Buffer | string): string => (typeof r === 'string' ? r : r.equals(root) ? 'root' : 'other');
  assert.equal(to(rootFromAuditPath(leaf, 5n, 11n, p)), 'root');
  assert.notEqual(to(rootFromAuditPath(leaf, 4n, 11n, p)), 'root');
  assert.notEqual(to(rootFromAuditPath(leaf, 5n, 6n, p)), 'root');
  assert.notEqual(to(rootFromAuditPath(leafHash(Buffer.from('x')), 5n, 11n, p)), 'root');
  assert.notEqual(to(rootFromAuditPath(leaf, 5n, 11n, [h(Buffer.from('x')), ...p.slice(1)])), 'root');
  assert.match(to(rootFromAuditPath(leaf, 11n, 11n, p)), /not inside the tree/);
  assert.match(to(rootFromAuditPath(leaf, 5n, 11n, p.slice(1))), /shorter than the tree is deep/);
  assert.match(to(rootFromAuditPath(leaf, 5n, 11n, [...p, root])), /longer than the tree is deep/);
  assert.match(to(rootFromAuditPath(leaf, 5n, 11n, [Buffer.alloc(31), ...p.slice(1)])), /not 32 bytes/);
});

test('PAE: DSSEv1, byte lengths, single spaces', () => {
  assert.equal(preAuthEncoding('application/vnd.in-toto+json', Buffer.from('héllo')).toString('utf8'), 'DSSEv1 28 application/vnd.in-toto+json 6 héllo');
  assert.equal(preAuthEncoding('', Buffer.alloc(0)).toString(), 'DSSEv1 0  0 ');
});
