/**
 * A server is ready when it listens: the look-alike index its npm repositories need is built
 * before `listen`, not by the first install. An app that only builds (tests, tools) stays lazy.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildTestApp, startAirlock } from '../support/start-airlock.ts';

const npmRepo = { name: 'npm', format: 'npm', upstream: 'http://127.0.0.1:9/' };

test('a listening server has built the look-alike index of its ecosystems', async () => {
  const a = await startAirlock({ config: { repositories: [npmRepo] } });
  try {
    assert.equal(a.app.airlock.lookalike.built('npm'), true);
    assert.equal(a.app.airlock.lookalike.built('pypi'), false);
  } finally {
    await a.close();
  }
});

test('an app that does not listen, or a server without signals or repositories, builds nothing up front', async () => {
  const built = await buildTestApp({ config: { repositories: [npmRepo] } });
  try {
    assert.equal(built.app.airlock.lookalike.built('npm'), false);
  } finally {
    await built.close();
  }
  for (const config of [{ repositories: [npmRepo], signals: { enabled: false } }, { repositories: [] }]) {
    const a = await startAirlock({ config });
    try {
      assert.equal(a.app.airlock.lookalike.built('npm'), false, JSON.stringify(config));
    } finally {
      await a.close();
    }
  }
});
