import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sha256Of, type Sha256Digest } from '../core/index.ts';
import { ArtifactUse } from './artifact-use.ts';

const HOUR = 3_600_000;

function harness(options: ConstructorParameters<typeof ArtifactUse>[1] = {}) {
  let now = Date.parse('2026-11-23T10:00:00Z');
  const minute = (ms: number): number => Math.floor(ms / 60_000) * 60_000;
  const writes: { blobs: Sha256Digest[]; at: number }[] = [];
  const warnings: string[] = [];
  let failing = false;
  const use = new ArtifactUse(
    {
      index: {
        async markBlobsUsed(blobs, at) {
          if (failing) throw new Error('database is locked');
          writes.push({ blobs: [...blobs].sort(), at: at.getTime() });
        },
      },
      clock: () => new Date(now),
      log: { warn: (_obj, msg) => void warnings.push(msg) },
    },
    options,
  );
  return {
    use,
    writes,
    warnings,
    advance(ms: number) {
      now += ms;
    },
    fail(on: boolean) {
      failing = on;
    },
    now: () => now,
    minute,
  };
}

const a = sha256Of('a');
const b = sha256Of('b');
const c = sha256Of('c');

test('ArtifactUse: downloads are written in batches, each blob at most once per interval', async () => {
  const h = harness();
  h.use.note(a);
  h.use.note(a);
  h.use.note(b);
  assert.equal(h.writes.length, 0, 'nothing written before a flush');
  await h.use.flush();
  assert.deepEqual(h.writes, [{ blobs: [a, b].sort(), at: h.now() }], 'stamped with the minute noted in (this one at its start)');
  await h.use.flush();
  assert.equal(h.writes.length, 1, 'an empty batch writes nothing');

  h.advance(HOUR - 1);
  h.use.note(a);
  await h.use.flush();
  assert.equal(h.writes.length, 1, 'written within the hour: not again');
  h.advance(1);
  h.use.note(a);
  await h.use.close();
  assert.deepEqual(h.writes[1], { blobs: [a], at: h.minute(h.now()) }, 'an hour on: written again, at close');
});

test('ArtifactUse: each use is stamped with the minute it was noted in, not the time of the write', async () => {
  const h = harness();
  const first = h.now() + 1;
  h.advance(1);
  h.use.note(a);
  h.advance(40 * 86_400_000);
  h.use.note(b);
  await h.use.flush();
  assert.deepEqual(h.writes, [
    { blobs: [a], at: h.minute(first) },
    { blobs: [b], at: h.minute(h.now()) },
  ]);
});

test('ArtifactUse: a full batch is written at once', async () => {
  const h = harness({ maxPending: 2 });
  h.use.note(a);
  h.use.note(b);
  await h.use.flush();
  assert.deepEqual(h.writes.map((w) => w.blobs), [[a, b].sort()]);
});

test('ArtifactUse: a failed write is logged, and its blobs are noted again at their next use', async () => {
  const h = harness();
  h.use.note(a);
  h.fail(true);
  await h.use.flush();
  assert.equal(h.writes.length, 0);
  assert.match(h.warnings[0] ?? '', /could not record artifact downloads/);
  h.fail(false);
  h.use.note(a);
  await h.use.flush();
  assert.deepEqual(h.writes.map((w) => w.blobs), [[a]], 'not held back by the failed write');
});

test('ArtifactUse: remembers a bounded number of blobs; a forgotten one is simply written again', async () => {
  const h = harness({ maxRemembered: 2 });
  h.use.note(a);
  h.use.note(b);
  h.use.note(c);
  await h.use.flush();
  h.use.note(b);
  h.use.note(c);
  h.use.note(a);
  await h.use.flush();
  assert.deepEqual(h.writes.map((w) => w.blobs), [[a, b, c].sort(), [a]], 'b and c remembered, a (the oldest) forgotten');
});
