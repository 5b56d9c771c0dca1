import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAirlockError } from '../../core/index.ts';
import { resolveSecret, secretRef } from './secret.ts';

test('{env: NAME} reads the environment\'s own variables only: toString, constructor or __proto__ are not set unless set (found by fuzzing: they resolved to the prototype\'s members)', () => {
  for (const env of [process.env, { TOKEN: 'a-token' }]) {
    for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf']) {
      assert.throws(
        () => secretRef({ env: name }, 'access.adminToken', { env, baseDir: '/' }),
        (err: unknown) => isAirlockError(err, 'CONFIG_INVALID') && err.message === `access.adminToken: environment variable ${name} is not set`,
      );
    }
  }
  // A variable of one of those names that is set is read as any other.
  assert.equal(resolveSecret({ env: 'toString' }, 'access.adminToken', { toString: 'set-after-all' }, '/').reveal(), 'set-after-all');
  assert.equal(secretRef({ env: 'TOKEN' }, 'access.adminToken', { env: { TOKEN: 'a-token' }, baseDir: '/' }).reveal(), 'a-token');
});
