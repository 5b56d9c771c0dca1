import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createIdGenerator, idTime, isId, newId } from './ulid.ts';

test('ids encode their creation time and sort by it', () => {
  const a = newId(new Date('2026-01-02T03:04:05.006Z'));
  const b = newId(new Date('2026-01-02T03:04:05.007Z'));
  assert.ok(isId(a) && isId(b));
  assert.equal(a.length, 26);
  assert.ok(a < b);
  assert.equal(idTime(a).toISOString(), '2026-01-02T03:04:05.006Z');
  assert.equal(idTime(newId(0)).getTime(), 0);
  assert.throws(() => newId(-1));
  assert.throws(() => idTime('not-an-id'));
  assert.equal(isId('01ARZ3NDEKTSV4RRFFQ69G5FAV'), true);
  assert.equal(isId('01ARZ3NDEKTSV4RRFFQ69G5FAU'), false, 'U is not in the alphabet');
  assert.equal(isId('81ARZ3NDEKTSV4RRFFQ69G5FAV'), false, 'beyond 48 bits');
});

test('a generator yields strictly increasing ids within one millisecond and across clock steps back', () => {
  let clock = 1_700_000_000_000;
  const next = createIdGenerator({ now: () => clock });
  const ids: string[] = [];
  for (let i = 0; i < 5000; i++) ids.push(next());
  clock -= 10;
  ids.push(next(), next());
  clock += 20;
  ids.push(next());
  for (let i = 1; i < ids.length; i++) assert.ok((ids[i - 1] as string) < (ids[i] as string), `ids[${i}]`);
  assert.equal(new Set(ids).size, ids.length);
  assert.equal(idTime(ids.at(-1) as string).getTime(), clock);
});

test('ids drawn across many refills of the random pool are valid and never repeat their random part', () => {
  let clock = 1_700_000_000_000;
  const next = createIdGenerator({ now: () => clock++ });
  // A new millisecond each call: each id takes fresh random bits, 16 bytes of a 4 KiB pool.
  const ids = Array.from({ length: 2000 }, () => next());
  const fresh = Array.from({ length: 2000 }, () => newId(clock));
  for (const id of [...ids, ...fresh]) assert.ok(isId(id), id);
  assert.equal(new Set([...ids, ...fresh].map((id) => id.slice(10))).size, 4000);
  for (let i = 1; i < ids.length; i++) assert.ok((ids[i - 1] as string) < (ids[i] as string), `ids[${i}]`);
});
