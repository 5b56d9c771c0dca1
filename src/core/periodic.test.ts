import assert from 'node:assert/strict';
import test from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { PeriodicTask } from './periodic.ts';

test('PeriodicTask: calls while a run is under way join it; the next call runs again', async () => {
  let runs = 0;
  let release = (): void => undefined;
  const task = new PeriodicTask(async () => {
    runs++;
    await new Promise<void>((r) => (release = r));
    return runs;
  }, 0);
  const a = task.run();
  const b = task.run();
  assert.equal(a, b);
  release();
  assert.equal(await a, 1);
  const c = task.run();
  release();
  assert.equal(await c, 2);
});

test('PeriodicTask: runs every interval once started, never without start or with no interval; stop waits for the run under way', async () => {
  let runs = 0;
  let running = false;
  const task = new PeriodicTask(async () => {
    runs++;
    running = true;
    await sleep(30);
    running = false;
  }, 10);
  await sleep(40);
  assert.equal(runs, 0, 'not started');
  task.start();
  task.start();
  while (runs === 0) await sleep(5);
  await task.stop();
  assert.equal(running, false, 'stop waited for the run');
  const after = runs;
  await sleep(50);
  assert.equal(runs, after, 'no run after stop');

  const manual = new PeriodicTask(async () => void runs++, 0);
  manual.start();
  await sleep(20);
  assert.equal(runs, after);
});

test('PeriodicTask: a run that rejects reaches its caller, and stop still resolves', async () => {
  const task = new PeriodicTask(() => Promise.reject(new Error('boom')), 0);
  const run = task.run();
  const stopped = task.stop();
  await assert.rejects(run, /boom/);
  await stopped;
});
