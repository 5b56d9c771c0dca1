import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HostedNames } from './hosted-names.ts';

test('hosted names: read at start, again for a name not seen before, a change reported once, a failed read keeps the names known', async () => {
  let stored: string[] = ['@acme/lib'];
  let failing = false;
  let reads = 0;
  let changes = 0;
  const warned: string[] = [];
  const names = new HostedNames(
    {
      store: {
        async hostedNames() {
          reads++;
          if (failing) throw new Error('database is down');
          return [...stored];
        },
      },
      onChange: () => changes++,
      log: { warn: (_obj, msg) => warned.push(msg) },
    },
    { intervalMs: 0 },
  );
  await names.start();
  assert.deepEqual(names.npm, ['@acme/lib']);
  assert.equal(changes, 1);

  await names.note('@acme/lib');
  assert.equal(reads, 1, 'a known name is not read again');

  stored = ['@acme/lib', 'acme-billing'];
  await names.note('acme-billing');
  assert.deepEqual(names.npm, ['@acme/lib', 'acme-billing']);
  assert.equal(changes, 2);

  // Read again with nothing new: no change reported.
  await names.note('not-published');
  assert.equal(changes, 2);

  failing = true;
  stored = [];
  await names.note('another');
  assert.deepEqual(names.npm, ['@acme/lib', 'acme-billing'], 'the names known stay');
  assert.equal(changes, 2);
  assert.match(warned[0] ?? '', /keeping the ones known/);
  await names.close();
});
