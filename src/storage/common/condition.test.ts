import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { AirlockError } from '../../core/index.ts';
import { storageCondition, withCondition } from './condition.ts';

/** What node:sqlite throws when the database may not grow. */
function sqliteFull(): unknown {
  const db = new DatabaseSync(':memory:');
  try {
    db.exec('CREATE TABLE t (x TEXT)');
    db.exec('PRAGMA max_page_count = 2');
    db.prepare('INSERT INTO t VALUES (?)').run('x'.repeat(64 * 1024));
  } catch (err) {
    return err;
  } finally {
    db.close();
  }
  throw new Error('the insert should not have fitted');
}

test('storageCondition: a full SQLite database, a full device (/dev/full) and a PostgreSQL SQLSTATE are named; anything else is not', async (t) => {
  assert.equal(storageCondition(sqliteFull()), 'the database or disk is full');
  if (process.platform === 'linux') {
    const enospc = await writeFile('/dev/full', 'x').then(() => null, (err: unknown) => err);
    assert.equal(storageCondition(enospc), 'no space left on the device');
  } else {
    t.diagnostic('no /dev/full here: ENOSPC is checked by its code only');
  }
  assert.equal(storageCondition(Object.assign(new Error('could not extend file'), { code: '53100' })), "the database server's disk is full");
  assert.equal(storageCondition(Object.assign(new Error('x'), { code: 'ENOSPC' })), 'no space left on the device');
  for (const other of [new Error('boom'), Object.assign(new Error('x'), { code: 'ECONNRESET' }), Object.assign(new Error('x'), { code: 'toString' }), 'text', null, undefined, 42]) {
    assert.equal(storageCondition(other), null, String(other));
  }
});

test('storageCondition: the condition is found on a cause a few levels down, not further', () => {
  const root = Object.assign(new Error('no room'), { code: 'EDQUOT' });
  const wrapped = new AirlockError('STORAGE_ERROR', 'outer', { cause: new Error('middle', { cause: root }) });
  assert.equal(storageCondition(wrapped), 'disk quota exceeded');
  let deep: unknown = root;
  for (let i = 0; i < 6; i++) deep = new Error(`level ${i}`, { cause: deep });
  assert.equal(storageCondition(deep), null);
});

test('withCondition: appends the named condition, or leaves the message as it is', () => {
  assert.equal(withCondition('metadata store: commit failed', sqliteFull()), 'metadata store: commit failed: the database or disk is full');
  assert.equal(withCondition('metadata store: commit failed', new Error('secret path /var/lib/x')), 'metadata store: commit failed');
});
