/**
 * A publisher/provenance regression with the real npm client and the default policy — the shape
 * of a release made with a stolen token: earlier versions were published with provenance by the
 * project's account; the newest one comes from an account that never published before, adds
 * itself as a maintainer, and has no provenance. It is withheld (npm resolves to the previous
 * version) and a pinned install fails with the reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { daysAgo, editPackument, signalsE2e } from './support.ts';

const NAME = 'secure-config-loader';

test('publisher and provenance regression: a release without provenance by a new maintainer is quarantined', async (t) => {
  const s = await signalsE2e({
    packages: [
      {
        name: NAME,
        versions: [
          { version: '1.0.0', publishedAt: daysAgo(700), provenance: true },
          { version: '1.1.0', publishedAt: daysAgo(300), provenance: true },
          { version: '1.2.0', publishedAt: daysAgo(5) },
        ],
      },
    ],
  });
  t.after(() => s.close());
  await editPackument(s.registry, NAME, (doc) => {
    for (const [v, m] of Object.entries(doc.versions)) {
      const attacker = v === '1.2.0';
      m['_npmUser'] = attacker ? { name: 'mallory', email: 'mallory@example.invalid' } : { name: 'alice', email: 'alice@example.invalid' };
      m['maintainers'] = attacker
        ? [{ name: 'alice', email: 'alice@example.invalid' }, { name: 'mallory', email: 'mallory@example.invalid' }]
        : [{ name: 'alice', email: 'alice@example.invalid' }];
    }
  });
  const p = await s.project();

  const r = await p.npm(['install', NAME]);
  assert.equal(r.code, 0, r.output);
  assert.equal((await p.readJson(`node_modules/${NAME}/package.json`))['version'], '1.1.0', 'the suspicious release is withheld');

  const pinned = await p.npm(['install', `${NAME}@1.2.0`]);
  assert.notEqual(pinned.code, 0);
  assert.match(
    pinned.output,
    /secure-config-loader@1\.2\.0 is quarantined by Airlock: secure-config-loader@1\.2\.0 has no provenance although 1\.1\.0 had it \(published by mallory\): the shape of a release made with a stolen token \[publisher\.provenance_regression\]/,
  );

  const check = await s.api<{ verdict: string; warnings: { rule: string }[]; facts: { publisher_changes: Record<string, unknown> } }>('GET', `check?purl=${encodeURIComponent(`pkg:npm/${NAME}@1.2.0`)}`);
  const pc = check.body.facts.publisher_changes;
  assert.deepEqual(
    [pc['publisher'], pc['previous_publisher'], pc['publisher_new'], pc['maintainers_added'], pc['provenance_before'], pc['provenance_regression']],
    ['mallory', 'alice', true, ['mallory'], true, true],
  );
  assert.deepEqual(new Set(check.body.warnings.map((w) => w.rule)), new Set(['publisher.changed', 'publisher.maintainers_added']));

  // The tarball is refused as well (a lockfile pinned to it), and the record keeps the facts.
  const tarball = await fetch(`${s.registryUrl}${NAME}/-/${NAME}-1.2.0.tgz`);
  assert.equal(tarball.status, 403);
  assert.match(((await tarball.json()) as { error: string }).error, /\[publisher\.provenance_regression\]/);
});
