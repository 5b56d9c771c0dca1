import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Admission, type Release } from './admission.ts';
import { Semaphore } from './semaphore.ts';

/** Whether `p` has settled once pending callbacks have run, and with what. */
async function settled<T>(p: Promise<T>): Promise<{ done: boolean; value?: T }> {
  let out: { done: boolean; value?: T } = { done: false };
  void p.then((value) => (out = { done: true, value }));
  await new Promise((r) => setImmediate(r));
  return out;
}

test('admission: width at work, then waiters in arrival order, then callers turned away', async () => {
  const a = new Admission(2, 2);
  const first = (await a.enter()) as Release;
  const second = (await a.enter()) as Release;
  assert.ok(first !== null && second !== null);
  const third = a.enter();
  const fourth = a.enter();
  assert.equal(await a.enter(), null, 'two at work and two waiting: the fifth is turned away');
  assert.deepEqual([a.busy, a.waiting], [2, 2]);
  assert.equal((await settled(third)).done, false);
  first();
  first(); // a second call gives nothing away
  const t3 = await settled(third);
  assert.equal(t3.done, true);
  assert.equal((await settled(fourth)).done, false, 'one release admits one waiter');
  assert.deepEqual([a.busy, a.waiting], [2, 1]);
  second();
  assert.equal((await settled(fourth)).done, true);
  (t3.value as Release)();
  ((await fourth) as Release)();
  assert.deepEqual([a.busy, a.waiting, a.turnedAway], [0, 0, 1]);
  assert.notEqual(await a.enter(), null, 'places free again once everyone left');
});

test('admission: a waiter whose signal aborts gives its place up, and one already aborted is not taken', async () => {
  const a = new Admission(1, 1);
  const holder = (await a.enter()) as Release;
  const left = new AbortController();
  const leaving = a.enter(left.signal);
  assert.equal(await a.enter(), null, 'the queue is full');
  left.abort();
  assert.equal(await leaving, null);
  assert.deepEqual([a.waiting, a.turnedAway], [0, 1], 'a waiter that left was not turned away');
  const next = a.enter();
  holder();
  const release = await next;
  assert.notEqual(release, null, 'the place the leaver gave up went to the next caller');
  assert.equal(await a.enter(AbortSignal.abort()), null);
  (release as Release)();
  assert.equal(a.busy, 0);
});

test('admission: a queue of none turns away whoever finds every place taken', async () => {
  const a = new Admission(1, 0);
  const holder = (await a.enter()) as Release;
  assert.equal(await a.enter(), null);
  holder();
  assert.notEqual(await a.enter(), null);
  assert.throws(() => new Admission(0, 1), /at least 1/);
  assert.throws(() => new Admission(1, -1), /at least 0/);
});

test('semaphore: an admission with no bound on its queue, around the work: width at once, the rest in order, none turned away', async () => {
  const s = new Semaphore(2);
  const order: number[] = [];
  let atOnce = 0;
  let most = 0;
  const gates: (() => void)[] = [];
  const jobs = Array.from({ length: 6 }, (_, i) =>
    s.run(async () => {
      atOnce++;
      most = Math.max(most, atOnce);
      order.push(i);
      await new Promise<void>((r) => gates.push(r));
      atOnce--;
      return i;
    }),
  );
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(order, [0, 1], 'two at work, four waiting');
  while (gates.length > 0) {
    (gates.shift() as () => void)();
    await new Promise((r) => setImmediate(r));
  }
  assert.deepEqual(await Promise.all(jobs), [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(order, [0, 1, 2, 3, 4, 5]);
  assert.equal(most, 2);
  // Work that fails gives its place up too.
  await assert.rejects(s.run(async () => Promise.reject(new Error('no'))), /no/);
  assert.equal(await s.run(async () => 'after'), 'after');
});
