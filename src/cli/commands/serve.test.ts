import { test } from 'node:test';
import assert from 'node:assert/strict';
import { heapTooSmall } from './serve.ts';

const MiB = 1024 * 1024;

test('the default caches fit the launcher\'s 1 GB heap; caches too big for the heap are named with the flag that fixes it', () => {
  assert.equal(heapTooSmall(64 * MiB, 1024 * MiB + 48 * MiB), null);
  assert.equal(heapTooSmall(384 * MiB, 1024 * MiB), null);
  const warning = heapTooSmall(512 * MiB, 1024 * MiB + 48 * MiB);
  assert.match(warning ?? '', /server\.cacheMemory \(512 MiB\) needs a JavaScript heap of about 1280 MB, more than Node's limit here \(1072 MB\)/);
  assert.match(warning ?? '', /NODE_OPTIONS=--max-old-space-size=1280$/);
});
