import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ScanWorkerPool } from './pool.ts';
import { fixturePath } from '../test-support/fixtures.ts';
import { readFile } from 'node:fs/promises';

test('scans files and bytes in worker threads', async () => {
  const pool = new ScanWorkerPool({ size: 2 });
  try {
    const [a, b] = await Promise.all([
      pool.scanFile(fixturePath('pytorch', 'state-dict.pt')),
      pool.scanBytes(await readFile(fixturePath('pickle', 'os-system-p4.pkl')), 'evil.pkl'),
    ]);
    assert.equal(a.verdict, 'safe');
    assert.equal(a.format, 'pytorch-zip');
    assert.equal(b.verdict, 'malicious');
    assert.equal(b.path, 'evil.pkl');
  } finally {
    await pool.close();
  }
});

test('a scan past its deadline is terminated and unscannable; the pool keeps working', async () => {
  const pool = new ScanWorkerPool({ size: 1, graceMs: 0 });
  try {
    // A 1 ms budget with no grace: the worker is killed before it can answer.
    const slow = await pool.scanFile(fixturePath('pickle', 'benign-many-opcodes.pkl'), { limits: { timeoutMs: 1 } });
    assert.equal(slow.verdict, 'unscannable');
    assert.ok(slow.findings.some((f) => f.rule === 'scan.timeout' && f.message.includes('worker terminated')), JSON.stringify(slow.findings));
    const next = await pool.scanFile(fixturePath('pytorch', 'state-dict.pt'));
    assert.equal(next.verdict, 'safe');
  } finally {
    await pool.close();
  }
});

test('a missing file is an unscannable result, not a rejection', async () => {
  const pool = new ScanWorkerPool({ size: 1 });
  try {
    const r = await pool.scanFile('/nonexistent/model.pt');
    assert.equal(r.verdict, 'unscannable');
    assert.equal(r.findings[0]?.rule, 'scan.error');
  } finally {
    await pool.close();
  }
});

test('workers start with the first scan and stop with close', async () => {
  const pool = new ScanWorkerPool({ size: 2 });
  try {
    assert.equal(pool.workers, 0);
    assert.equal((await pool.scanFile(fixturePath('pytorch', 'state-dict.pt'))).verdict, 'safe');
    assert.equal(pool.workers, 1, 'one scan, one worker');
  } finally {
    await pool.close();
  }
  assert.equal(pool.workers, 0);
});

test('bytes handed over are detached; bytes that do not own their buffer are copied instead', async () => {
  const pool = new ScanWorkerPool({ size: 1 });
  try {
    const evil = await readFile(fixturePath('pickle', 'os-system-p4.pkl'));
    const owned = new Uint8Array(evil);
    assert.equal((await pool.scanBytes(owned, 'evil.pkl', {}, true)).verdict, 'malicious');
    assert.equal(owned.byteLength, 0, 'handed over, not copied');
    // A small Buffer is a view into Node's shared pool, which cannot be handed over.
    const pooled = Buffer.from(evil);
    assert.ok(pooled.byteLength < pooled.buffer.byteLength);
    assert.equal((await pool.scanBytes(pooled, 'evil.pkl', {}, true)).verdict, 'malicious');
    assert.ok(pooled.equals(evil), 'left as it was');
  } finally {
    await pool.close();
  }
});
