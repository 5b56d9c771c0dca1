import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Logger } from 'pino';
import { memoryLog } from '../../test/support/captured-output.ts';
import { createLogger, lazyChildren } from './logger.ts';

test("a request's logger makes its pino child only when the request logs, and its lines are that child's", () => {
  const log = memoryLog();
  const app = createLogger('info', log.stream);
  // Counts every pino child made from the app's logger or any of its descendants (they inherit it).
  let children = 0;
  const made = app.child;
  app.child = function (this: Logger, ...args: Parameters<Logger['child']>) {
    children++;
    return made.apply(this, args);
  } as Logger['child'];
  const root = lazyChildren(app);
  const quiet = root.child({ reqId: 'quiet-1' });
  const busy = root.child({ reqId: 'busy-2' });
  assert.equal(children, 1, "only the root's own, made to make the requests' children from");
  busy.info({ token: 'secret-value', n: 1 }, 'first');
  busy.warn('second %s', 'line');
  busy.debug('not at this level');
  assert.equal(children, 2, 'the request that logged made its child, once');
  assert.equal(busy.level, 'info');
  busy.child({ part: 'x' }).error('third');
  assert.equal(children, 3);
  const lines = log.lines().map(({ reqId, level, msg, n, token, part }) => ({ reqId, level, msg, n, token, part }));
  assert.deepEqual(lines, [
    { reqId: 'busy-2', level: 30, msg: 'first', n: 1, token: '[redacted]', part: undefined },
    { reqId: 'busy-2', level: 40, msg: 'second line', n: undefined, token: undefined, part: undefined },
    { reqId: 'busy-2', level: 50, msg: 'third', n: undefined, token: undefined, part: 'x' },
  ]);
  assert.equal(typeof quiet.info, 'function');
  assert.equal(children, 3, 'the request that logged nothing made no child');
});

test("a request's logger keeps a level given for its route", () => {
  const log = memoryLog();
  const r = lazyChildren(createLogger('info', log.stream)).child({ reqId: 'r' }, { level: 'warn' });
  r.info('dropped');
  r.warn('kept');
  assert.deepEqual(log.lines().map((l) => l['msg']), ['kept']);
  assert.equal(r.level, 'warn');
});
