import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Logger } from 'pino';
import { memoryLog } from '../../test/support/captured-output.ts';
import { createLogger, requestLogger } from './logger.ts';

test("a request's logger makes its child of the app's logger only when the request logs, and its lines are the child's", () => {
  const log = memoryLog();
  const app = createLogger('info', log.stream);
  let children = 0;
  const counting = new Proxy(app, {
    get(target, key, receiver) {
      if (key === 'child') {
        return (...args: Parameters<Logger['child']>) => {
          children++;
          return target.child(...args);
        };
      }
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  const quiet = requestLogger(counting, { reqId: 'quiet-1' }, {});
  const busy = requestLogger(counting, { reqId: 'busy-2' }, {});
  assert.equal(children, 0);
  busy.info({ token: 'secret-value', n: 1 }, 'first');
  busy.warn('second %s', 'line');
  busy.debug('not at this level');
  assert.equal(children, 1, 'one child for the request that logged, made once');
  assert.equal(busy.level, 'info');
  const nested = busy.child({ part: 'x' });
  nested.error('third');
  assert.equal(children, 1);
  const lines = log.lines().map(({ reqId, level, msg, n, token, part }) => ({ reqId, level, msg, n, token, part }));
  assert.deepEqual(lines, [
    { reqId: 'busy-2', level: 30, msg: 'first', n: 1, token: '[redacted]', part: undefined },
    { reqId: 'busy-2', level: 40, msg: 'second line', n: undefined, token: undefined, part: undefined },
    { reqId: 'busy-2', level: 50, msg: 'third', n: undefined, token: undefined, part: 'x' },
  ]);
  assert.equal(typeof quiet.info, 'function');
  assert.equal(children, 1, 'the request that logged nothing made no child');
});

test("a request's logger keeps a level given for its route", () => {
  const log = memoryLog();
  const r = requestLogger(createLogger('info', log.stream), { reqId: 'r' }, { level: 'warn' });
  r.info('dropped');
  r.warn('kept');
  assert.deepEqual(log.lines().map((l) => l['msg']), ['kept']);
  assert.equal(r.level, 'warn');
});
