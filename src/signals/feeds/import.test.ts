import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { newId } from '../../core/index.ts';
import { openStorage } from '../../storage/index.ts';
import { advisoryLookup } from '../collectors/index.ts';
import { createMaliciousIndex, FeedImportRefused, importOsvFeed } from './index.ts';

/** `input.facts.malicious` of one version, read from the store as the gateway reads it. */
async function maliciousFactsFromStore(store: Parameters<typeof advisoryLookup>[0], ecosystem: 'npm' | 'pypi', name: string, version: string) {
  const { malicious } = await advisoryLookup(store, { ttlMs: 0 }).of(ecosystem, name, Date.now());
  return createMaliciousIndex(malicious).match(ecosystem, name, version);
}

const TESTDATA = join(import.meta.dirname, 'testdata', 'osv');

test('import into the SQLite store, then match from stored advisories (ranges survive the round trip)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-feed-import-'));
  const storage = await openStorage({ dataDir: join(dir, 'data') });
  try {
    const opts = { source: 'ossf-malicious-packages', importedBy: 'test', now: new Date('2026-01-01T00:00:00Z'), newId: () => newId() };
    const first = await importOsvFeed(storage.signals, TESTDATA, opts);
    assert.deepEqual([first.records, first.added, first.updated, first.unchanged], [5, 5, 0, 0]);
    const again = await importOsvFeed(storage.signals, TESTDATA, opts);
    assert.equal(again.unchanged, 5, 'same bytes: unchanged');

    const f = (name: string, version: string, eco: 'npm' | 'pypi' = 'npm') => maliciousFactsFromStore(storage.signals, eco, name, version);
    const listed = await f('@ctrl/tinycolor', '4.1.2');
    assert.deepEqual([listed.version_listed, listed.all_versions], [true, true]);
    const older = await f('@ctrl/tinycolor', '4.0.0');
    assert.deepEqual([older.version_listed, older.all_versions, older.explicit_versions_known], [false, true, true]);
    assert.equal(older.records[0]?.feed, 'ossf-malicious-packages');
    assert.equal(older.records[0]?.entry, 'npm/MAL-2025-47141.json');
    assert.equal((await f('chalk', '5.6.1')).version_listed, true);
    assert.equal((await f('chalk', '5.6.2')).version_listed, false);
    assert.equal((await f('ASCII2Text', '1.0', 'pypi')).all_versions, true);
    assert.equal((await f('lodash', '4.17.21')).known, false);
    const imports = await storage.signals.listFeedImports({ limit: 10 });
    assert.equal(imports.items.length, 2);
  } finally {
    await storage.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('a feed with a malformed record is refused whole: nothing is stored', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-feed-import-'));
  const storage = await openStorage({ dataDir: join(dir, 'data') });
  try {
    const feed = join(dir, 'feed');
    await cp(TESTDATA, feed, { recursive: true });
    await writeFile(join(feed, 'npm', 'MAL-9999-1.json'), '{"id":"MAL-9999-1","modified":"2020-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"x"}}]}');
    await assert.rejects(
      importOsvFeed(storage.signals, feed, { source: 's', importedBy: 't', now: new Date(), newId: () => newId() }),
      (e: unknown) => e instanceof FeedImportRefused && e.errorCount === 1 && e.errors[0]?.entry === 'npm/MAL-9999-1.json',
    );
    assert.equal((await maliciousFactsFromStore(storage.signals, 'npm', 'chalk', '5.6.1')).known, false);
    assert.equal((await storage.signals.listFeedImports({ limit: 10 })).items.length, 0);
  } finally {
    await storage.close();
    await rm(dir, { recursive: true, force: true });
  }
});
