/** `access.mcp`: the MCP endpoint's rate limit, strictly checked, errors naming the path. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAirlockError } from '../../core/index.ts';
import { validateConfig } from './schema.ts';

const ctx = { env: {}, baseDir: '/tmp', cwd: '/tmp' };

test('access.mcp.rateLimit: on by default, each setting replaced as given, false for none', () => {
  assert.deepEqual(validateConfig({}, ctx).access.mcp, { rateLimit: { perMinute: 600, burst: 300, clients: 10_000 } });
  assert.deepEqual(validateConfig({ access: { mcp: { rateLimit: { perMinute: 60 } } } }, ctx).access.mcp.rateLimit, { perMinute: 60, burst: 300, clients: 10_000 });
  assert.equal(validateConfig({ access: { mcp: { rateLimit: false } } }, ctx).access.mcp.rateLimit, null);
});

test('access.mcp: unknown keys and a burst smaller than a check_packages call are refused, naming the path', () => {
  const refused: [unknown, RegExp][] = [
    [{ rateLimt: false }, /access\.mcp\.rateLimt: unknown key \(expected one of: rateLimit\)/],
    [{ rateLimit: { perMinute: 10, perHour: 1 } }, /access\.mcp\.rateLimit\.perHour: unknown key/],
    [{ rateLimit: { burst: 10 } }, /access\.mcp\.rateLimit\.burst/],
    [{ rateLimit: { perMinute: 0 } }, /access\.mcp\.rateLimit\.perMinute/],
  ];
  for (const [mcp, why] of refused) {
    assert.throws(() => validateConfig({ access: { mcp } }, ctx), (err: unknown) => isAirlockError(err, 'CONFIG_INVALID') && why.test(err.message), why.source);
  }
});
