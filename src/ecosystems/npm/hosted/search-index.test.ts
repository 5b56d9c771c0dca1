import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAirlockError, sha256Of } from '../../../core/index.ts';
import { openStorage } from '../../../storage/open-storage.ts';
import { HostedSearch, searchEntry } from './search-index.ts';

function packument(name: string, latest: string, manifest: Record<string, unknown>): string {
  return JSON.stringify({ name, 'dist-tags': { latest }, versions: { [latest]: { name, version: latest, ...manifest } }, time: { [latest]: '2026-11-01T00:00:00.000Z' } });
}

test('hosted search: words, qualifiers and order; writes by other gateways are seen at the next listing; hostile documents find nothing', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-hosted-search-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const storage = await openStorage({ dataDir: dir });
  t.after(() => storage.close());
  let now = Date.parse('2026-11-20T00:00:00Z');
  const search = new HostedSearch('internal', storage.metadata, () => new Date(now));
  const file = { blob: sha256Of('x'), size: 1 };
  const put = async (name: string, rev: number, document: string, files = { [`${name.split('/').pop() ?? name}-1.0.0.tgz`]: file }): Promise<void> => {
    assert.ok(await storage.metadata.putHostedPackage({ repo: 'internal', ecosystem: 'npm', name, rev, document, files, updatedAt: new Date(now) }));
  };
  await put('billing', 1, packument('billing', '1.0.0', { description: 'Invoices and payments', keywords: ['money'], _npmUser: { name: 'release-bot' } }));
  await put('@acme/billing-ui', 1, packument('@acme/billing-ui', '2.0.0', { description: 'Widgets', keywords: ['react'], _npmUser: { name: 'ui-team' } }));
  await put('payments-core', 1, packument('payments-core', '1.0.0', { description: 'Talks to the billing service' }));
  await put('other', 1, JSON.stringify({ name: 'other', description: 'Unrelated', versions: {}, 'dist-tags': {}, time: { unpublished: { time: '2026-11-02T00:00:00.000Z', versions: ['1.0.0'] } } }), {});
  const names = async (text: string): Promise<string[]> =>
    (JSON.parse((await search.answer(`text=${encodeURIComponent(text)}`)).toString()) as { objects: { package: { name: string } }[] }).objects.map((o) => o.package.name);

  // The whole name first, then its start or a scope's name, then the description.
  assert.deepEqual(await names('billing'), ['billing', '@acme/billing-ui', 'payments-core']);
  assert.deepEqual(await names('BILLING widgets'), ['@acme/billing-ui'], 'every word must match, whatever its case');
  assert.deepEqual(await names('keywords:money,react'), ['@acme/billing-ui', 'billing']);
  assert.deepEqual(await names('scope:@acme'), ['@acme/billing-ui']);
  assert.deepEqual(await names('author:release-bot'), ['billing']);
  assert.deepEqual(await names('billing not:deprecated'), ['billing', '@acme/billing-ui', 'payments-core'], "npm's public-registry qualifiers are ignored");
  assert.deepEqual(await names('unrelated'), [], 'an unpublished package is not found');
  const answer = JSON.parse((await search.answer('text=billing&size=1&from=1')).toString()) as { objects: { package: Record<string, unknown>; score: { final: number } }[]; total: number };
  assert.equal(answer.total, 3);
  assert.deepEqual(answer.objects.map((o) => o.package['name']), ['@acme/billing-ui']);
  assert.deepEqual(answer.objects[0]?.package, {
    name: '@acme/billing-ui',
    version: '2.0.0',
    description: 'Widgets',
    keywords: ['react'],
    date: '2026-11-01T00:00:00.000Z',
    publisher: { username: 'ui-team' },
    maintainers: [{ username: 'ui-team' }],
  });

  // Another gateway writes: seen once the listing is older than 2 s, and only the changed package is read.
  await put('billing', 2, packument('billing', '2.0.0', { description: 'Renamed', keywords: [] }));
  await put('refunds', 1, packument('refunds', '1.0.0', { description: 'Billing refunds' }));
  assert.deepEqual(await names('billing'), ['billing', '@acme/billing-ui', 'payments-core'], 'within 2 s: the last listing');
  now += 2_000;
  assert.deepEqual(await names('billing'), ['billing', '@acme/billing-ui', 'payments-core', 'refunds']);
  assert.deepEqual(await names('renamed'), ['billing']);
  // A package read by this gateway (a write through it) is found at once.
  search.saw({ name: 'billing', rev: 3, document: packument('billing', '3.0.0', { description: 'Third' }) });
  assert.deepEqual(await names('third'), ['billing']);

  // Hostile or broken documents give nothing to find, and never throw.
  for (const doc of ['not json', '[]', '{"versions":{},"dist-tags":{"latest":"1.0.0"}}', '{"versions":{"1.0.0":"x"},"dist-tags":{"latest":"1.0.0"}}', '{"versions":{"__proto__":{}},"dist-tags":{"latest":"__proto__"}}']) {
    assert.equal(searchEntry('x', doc), null, doc);
  }
  const long = searchEntry('x', packument('x', '1.0.0', { description: 'd'.repeat(5000), keywords: Array.from({ length: 100 }, (_, i) => `k${i}`) }));
  assert.equal(long?.description.length, 1024);
  assert.equal(long?.keywords.length, 32);
  await assert.rejects(search.answer('text='), (err: unknown) => isAirlockError(err, 'BAD_REQUEST'));
});
