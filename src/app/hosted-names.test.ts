import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HostedNames } from './hosted-names.ts';

test('hosted names: read at start, again for a name not seen before, a change reported once, a failed read keeps the names known', async () => {
  let stored: string[] = ['@acme/lib'];
  let storedPypi: string[] = [];
  let failing = false;
  let reads = 0;
  let changes = 0;
  const changed: string[] = [];
  const warned: string[] = [];
  const names = new HostedNames(
    {
      store: {
        async hostedNames(ecosystem) {
          if (ecosystem === 'npm') reads++;
          if (failing) throw new Error('database is down');
          return ecosystem === 'npm' ? [...stored] : [...storedPypi];
        },
      },
      onChange: (ecosystem) => {
        changed.push(ecosystem);
        changes++;
      },
      log: { warn: (_obj, msg) => warned.push(msg) },
    },
    { intervalMs: 0 },
  );
  await names.start();
  assert.deepEqual(names.npm, ['@acme/lib']);
  assert.equal(changes, 1);

  await names.note('npm', '@acme/lib');
  assert.equal(reads, 1, 'a known name is not read again');

  stored = ['@acme/lib', 'acme-billing'];
  await names.note('npm', 'acme-billing');
  assert.deepEqual(names.npm, ['@acme/lib', 'acme-billing']);
  assert.equal(changes, 2);

  // Read again with nothing new: no change reported.
  await names.note('npm', 'not-published');
  assert.equal(changes, 2);

  // pypi uploads are names of their own ecosystem: a change there is reported for pypi only.
  storedPypi = ['acme-billing'];
  await names.note('pypi', 'acme-billing');
  assert.deepEqual(names.names('pypi'), ['acme-billing']);
  assert.deepEqual(changed, ['npm', 'npm', 'pypi']);

  failing = true;
  stored = [];
  await names.note('npm', 'another');
  assert.deepEqual(names.npm, ['@acme/lib', 'acme-billing'], 'the names known stay');
  assert.equal(changes, 3);
  assert.match(warned[0] ?? '', /keeping the ones known/);
  await names.close();
});
