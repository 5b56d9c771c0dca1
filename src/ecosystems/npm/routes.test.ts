import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAirlockError } from '../../core/index.ts';
import { parseNpmPath } from './routes.ts';

test('a read route parsed again is the same answer, and cannot be changed by whoever got it (it is shared)', () => {
  const first = parseNpmPath('/@scope%2fname/-/name-1.0.0.tgz', 'GET');
  assert.deepEqual(first, { kind: 'tarball', name: '@scope/name', filename: 'name-1.0.0.tgz' });
  assert.ok(Object.isFrozen(first));
  assert.throws(() => {
    (first as { filename: string }).filename = 'other-9.9.9.tgz';
  }, TypeError);
  assert.deepEqual(parseNpmPath('/@scope%2fname/-/name-1.0.0.tgz', 'HEAD'), { kind: 'tarball', name: '@scope/name', filename: 'name-1.0.0.tgz' });
  // A write to the same path is parsed as a write.
  assert.deepEqual(parseNpmPath('/@scope%2fname', 'PUT'), { kind: 'publish', name: '@scope/name' });
  assert.deepEqual(parseNpmPath('/@scope%2fname', 'GET'), { kind: 'packument', name: '@scope/name' });
});

test('a path that does not parse is refused every time it is asked for, and a long one is parsed as any other', () => {
  for (let i = 0; i < 2; i++) {
    assert.throws(
      () => parseNpmPath('/%E0%A4%A/-/x.tgz', 'GET'),
      (err: unknown) => isAirlockError(err, 'BAD_REQUEST'),
    );
  }
  const long = `a${'b'.repeat(213)}`;
  for (let i = 0; i < 2; i++) assert.deepEqual(parseNpmPath(`/${long}/-/${long}-1.0.0.tgz`, 'GET'), { kind: 'tarball', name: long, filename: `${long}-1.0.0.tgz` });
});
