/**
 * The cooldown with the real npm client and the default policy: a version younger than
 * `cooldown_days` (3) is hidden, so `npm install pkg` resolves to an older one; a per-package
 * exception with an expiry (admin API) lifts the cooldown until it expires.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { daysAgo, eventually, signalsE2e } from './support.ts';

const NAME = 'zephyr-cooldown-demo';

test('cooldown: young versions are hidden; a per-package exemption with expiry lifts it, then lapses', async (t) => {
  // Airlock's clock is the real one, except that it stands still from making the exemption until
  // npm has installed through it: an npm run on a loaded machine can outlast the exemption.
  let held: Date | null = null;
  const s = await signalsE2e({
    clock: () => held ?? new Date(),
    packages: [{ name: NAME, versions: [{ version: '1.0.0', publishedAt: daysAgo(400) }, { version: '1.1.0', publishedAt: daysAgo(1) }] }],
  });
  t.after(() => s.close());
  const p = await s.project();

  const r = await p.npm(['install', NAME]);
  assert.equal(r.code, 0, r.output);
  assert.equal((await p.readJson(`node_modules/${NAME}/package.json`))['version'], '1.0.0', 'the young version is hidden');

  const pinned = await p.npm(['install', `${NAME}@1.1.0`]);
  assert.notEqual(pinned.code, 0);
  assert.match(pinned.output, /zephyr-cooldown-demo@1\.1\.0 is quarantined by Airlock: zephyr-cooldown-demo@1\.1\.0 was published \d+ hours ago; versions younger than 3 days are held back \(cooldown\) \[cooldown\]/);

  held = new Date();
  const created = await s.api<{ id: string; expiresAt: string }>('POST', 'exceptions', {
    ecosystem: 'npm',
    name: NAME,
    rules: ['cooldown'],
    reason: 'security fix we need today',
    expires: '4s',
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const lifted = await p.npm(['install', `${NAME}@latest`]);
  assert.equal(lifted.code, 0, lifted.output);
  assert.equal((await p.readJson(`node_modules/${NAME}/package.json`))['version'], '1.1.0', 'the exemption lifts the cooldown');

  // The exemption expires: the young version is hidden again without any other change.
  held = null;
  await eventually(
    'the exemption to lapse',
    async () => {
      const doc = (await (await fetch(`${s.registryUrl}${NAME}`)).json()) as { 'dist-tags': Record<string, string>; versions: Record<string, unknown> };
      return doc['dist-tags']['latest'] === '1.0.0' && !('1.1.0' in doc.versions) ? true : undefined;
    },
    20_000,
  );
});
