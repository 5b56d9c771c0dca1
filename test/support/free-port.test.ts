import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FETCH_BAD_PORTS } from './free-port.ts';

test('the ports freePort skips are ones fetch refuses before it connects', async () => {
  for (const port of FETCH_BAD_PORTS) {
    const err: unknown = await fetch(`http://127.0.0.1:${port}/`).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof Error, `fetch to port ${port} must fail`);
    assert.match(String((err.cause as Error | undefined)?.message), /bad port/, `port ${port}`);
  }
});
