import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestTufRepo } from '../../test/support/tuf-repo.ts';
import { UpstreamClient } from '../upstream/index.ts';
import { EMPTY_TRUSTED_ROOT, publicGoodTrustedRoot } from '../verify/index.ts';
import { SigstoreRoot, TRUSTED_ROOT_TARGET, upstreamFetcher } from './sigstore-root.ts';
import type { TrustedSigstoreRoot } from './config/types.ts';

const PUBLIC_GOOD = join(import.meta.dirname, '..', 'verify', 'sigstore', 'public-good-trusted-root.json');

function quietLog(): { warned: string[]; info: string[]; log: { info(o: object, m: string): void; warn(o: object, m: string): void } } {
  const warned: string[] = [];
  const info: string[] = [];
  return { warned, info, log: { info: (_o, m) => void info.push(m), warn: (o, m) => void warned.push(`${m}: ${(o as { err?: string }).err ?? ''}`) } };
}

function tufConfig(repo: TestTufRepo): TrustedSigstoreRoot {
  return { root: EMPTY_TRUSTED_ROOT, source: 'a test TUF repository', tuf: { url: 'http://tuf.invalid/', initialRoot: repo.initialRoot.toString('utf8'), refreshMs: 3_600_000 } };
}

test('a root from TUF replaces the start root and drops verdicts; a restart without the repository starts from the stored copy', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'airlock-sigstore-root-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const repo = new TestTufRepo();
  repo.publish(TRUSTED_ROOT_TARGET, readFileSync(PUBLIC_GOOD));
  let changes = 0;
  const { log, info } = quietLog();
  const keeper = new SigstoreRoot(tufConfig(repo), { dir, log, download: repo.download, onChange: () => void changes++ });
  assert.equal(keeper.current(), EMPTY_TRUSTED_ROOT);
  assert.equal(await keeper.refresh(), true);
  assert.equal(changes, 1);
  assert.deepEqual(keeper.current().tlogs.map((l) => l.baseUrl), publicGoodTrustedRoot().tlogs.map((l) => l.baseUrl));
  assert.equal(await keeper.refresh(), false, 'the same root again is no change');
  assert.equal(changes, 1);
  assert.deepEqual(info, ['Sigstore trusted root updated']);
  assert.deepEqual(readdirSync(dir).sort(), ['snapshot.json', 'targets', 'targets.json', 'timestamp.json']);

  // Restart, the repository unreachable: the last verified root is used at once.
  const down = async (): Promise<Buffer | null> => {
    throw new Error('connect ECONNREFUSED');
  };
  const offline = quietLog();
  const again = new SigstoreRoot(tufConfig(repo), { dir, log: offline.log, download: down, onChange: () => undefined });
  await again.start();
  t.after(() => again.close());
  assert.equal(again.current().tlogs.length, publicGoodTrustedRoot().tlogs.length);
  assert.equal(await again.refresh(), false);
  assert.match(offline.warned.at(-1) ?? '', /could not update the Sigstore trusted root through TUF; keeping the current one: connect ECONNREFUSED/);
});

test('a verified target that is not a trusted root is not taken; concurrent refreshes share one update', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'airlock-sigstore-root-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const repo = new TestTufRepo();
  repo.publish(TRUSTED_ROOT_TARGET, Buffer.from('{"mediaType":"something else"}'));
  let fetches = 0;
  const { log, warned } = quietLog();
  const keeper = new SigstoreRoot(tufConfig(repo), { dir, log, download: async (p, max) => (fetches++, repo.download(p, max)), onChange: () => assert.fail('no change') });
  const [a, b] = await Promise.all([keeper.refresh(), keeper.refresh()]);
  assert.deepEqual([a, b], [false, false]);
  assert.equal(keeper.current(), EMPTY_TRUSTED_ROOT);
  assert.match(warned.join('\n'), /a verified Sigstore trusted root does not parse; keeping the current one/);
  assert.equal(fetches, 5, 'one update: 2.root.json (absent), timestamp, snapshot, targets, the target');
});

test('without TUF the configured root is used as it is and nothing is fetched', async () => {
  const keeper = new SigstoreRoot({ root: publicGoodTrustedRoot(), source: 'built in', tuf: null }, { dir: '/nonexistent', log: quietLog().log, download: () => assert.fail('no fetch'), onChange: () => assert.fail('no change') });
  await keeper.start();
  assert.equal(keeper.current(), publicGoodTrustedRoot());
  assert.equal(await keeper.refresh(), false);
  await keeper.close();
});

test('the TUF fetcher goes through an upstream client: 404 and 403 are absent files, other statuses and oversized files are errors naming the file', async (t) => {
  const server = createServer((req, res) => {
    const status = { '/trusted/1.root.json': 200, '/trusted/2.root.json': 404, '/trusted/3.root.json': 403, '/trusted/timestamp.json': 418 }[req.url ?? ''] ?? 200;
    res.writeHead(status, { 'content-type': 'application/json' }).end(status === 200 ? '{"signed":{}}' : 'no');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const client = new UpstreamClient({ name: 'npm (Sigstore TUF)', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/trusted/`, retries: 0 });
  t.after(() => client.close());
  const download = upstreamFetcher(client);
  assert.equal((await download('1.root.json', 1024))?.toString('utf8'), '{"signed":{}}');
  assert.equal(await download('2.root.json', 1024), null);
  assert.equal(await download('3.root.json', 1024), null);
  await assert.rejects(download('timestamp.json', 1024), /upstream npm \(Sigstore TUF\) answered 418 for \/trusted\/timestamp\.json/);
  await assert.rejects(download('1.root.json', 4), /sent more than the 4-byte limit for \/trusted\/1\.root\.json/);
});
