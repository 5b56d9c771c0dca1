import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestTufRepo } from '../../test/support/tuf-repo.ts';
import { UpstreamClient } from '../upstream/index.ts';
import { EMPTY_TRUSTED_ROOT, publicGoodTrustedRoot, registryKeysOf } from '../verify/index.ts';
import { RepositoryTrust, TRUSTED_ROOT_TARGET, upstreamFetcher, type TrustSettings } from './repository-trust.ts';
import type { TrustedSigstoreRoot } from './config/types.ts';

const PUBLIC_GOOD = join(import.meta.dirname, '..', 'verify', 'sigstore', 'public-good-trusted-root.json');

function quietLog(): { warned: string[]; info: string[]; log: { info(o: object, m: string): void; warn(o: object, m: string): void } } {
  const warned: string[] = [];
  const info: string[] = [];
  return { warned, info, log: { info: (_o, m) => void info.push(m), warn: (o, m) => void warned.push(`${m}: ${(o as { err?: string }).err ?? ''}`) } };
}

const NO_KEYS = { listed: [], sources: [], tuf: null };

/** Trust in a root (and, with `keysTarget`, registry keys) kept current through `repo`. */
function tufConfig(repo: TestTufRepo, keysTarget: string | null = null): TrustSettings {
  const tuf = { url: 'http://tuf.invalid/', initialRoot: repo.initialRoot.toString('utf8'), refreshMs: 3_600_000 };
  return { sigstore: { root: EMPTY_TRUSTED_ROOT, source: 'a test TUF repository', tuf }, keys: NO_KEYS, tuf, keysTarget };
}

function fixed(root: TrustedSigstoreRoot['root']): TrustSettings {
  return { sigstore: { root, source: 'built in', tuf: null }, keys: NO_KEYS, tuf: null, keysTarget: null };
}

test('a root from TUF replaces the start root and drops verdicts; a restart without the repository starts from the stored copy', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'airlock-sigstore-root-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const repo = new TestTufRepo();
  repo.publish(TRUSTED_ROOT_TARGET, readFileSync(PUBLIC_GOOD));
  let changes = 0;
  const { log, info } = quietLog();
  const keeper = new RepositoryTrust(tufConfig(repo), { dir, log, download: repo.download, onChange: () => void changes++ });
  assert.equal(keeper.sigstoreRoot(), EMPTY_TRUSTED_ROOT);
  assert.equal(await keeper.refresh(), true);
  assert.equal(changes, 1);
  assert.deepEqual(keeper.sigstoreRoot().tlogs.map((l) => l.baseUrl), publicGoodTrustedRoot().tlogs.map((l) => l.baseUrl));
  assert.equal(await keeper.refresh(), false, 'the same root again is no change');
  assert.equal(changes, 1);
  assert.deepEqual(info, ['Sigstore trusted root updated']);
  assert.deepEqual(readdirSync(dir).sort(), ['snapshot.json', 'targets', 'targets.json', 'timestamp.json']);

  // Restart, the repository unreachable: the last verified root is used at once.
  const down = async (): Promise<Buffer | null> => {
    throw new Error('connect ECONNREFUSED');
  };
  const offline = quietLog();
  const again = new RepositoryTrust(tufConfig(repo), { dir, log: offline.log, download: down, onChange: () => undefined });
  await again.start();
  t.after(() => again.close());
  assert.equal(again.sigstoreRoot().tlogs.length, publicGoodTrustedRoot().tlogs.length);
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
  const keeper = new RepositoryTrust(tufConfig(repo), { dir, log, download: async (p, max) => (fetches++, repo.download(p, max)), onChange: () => assert.fail('no change') });
  const [a, b] = await Promise.all([keeper.refresh(), keeper.refresh()]);
  assert.deepEqual([a, b], [false, false]);
  assert.equal(keeper.sigstoreRoot(), EMPTY_TRUSTED_ROOT);
  assert.match(warned.join('\n'), /a verified Sigstore trusted root does not parse; keeping the current one/);
  assert.equal(fetches, 5, 'one update: 2.root.json (absent), timestamp, snapshot, targets, the target');
});

test('without TUF the configured root is used as it is and nothing is fetched', async () => {
  const keeper = new RepositoryTrust(fixed(publicGoodTrustedRoot()), { dir: '/nonexistent', log: quietLog().log, download: () => assert.fail('no fetch'), onChange: () => assert.fail('no change') });
  await keeper.start();
  assert.equal(keeper.sigstoreRoot(), publicGoodTrustedRoot());
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

/** A TUF `keys.json` as Sigstore's repository publishes the registry's: one P-256 key per keyid, for `usage`. */
function tufKeys(keyids: readonly string[], usage = 'npm:signatures'): Buffer {
  const keys = keyids.map((keyId) => ({
    keyId,
    keyUsage: usage,
    publicKey: { rawBytes: generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'der', type: 'spki' }).toString('base64'), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: { start: '2020-01-01T00:00:00.000Z' } },
  }));
  return Buffer.from(JSON.stringify({ keys }));
}

test('registry keys from TUF: added to the configured ones, followed when the registry rotates, kept when an update does not parse, and read back at a restart', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'airlock-sigstore-root-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const repo = new TestTufRepo();
  const target = 'registry.example/keys.json';
  repo.publish(TRUSTED_ROOT_TARGET, readFileSync(PUBLIC_GOOD));
  repo.publish(target, tufKeys(['SHA256:one']));
  const settings = tufConfig(repo, target);
  const configured = registryKeysOf({ keys: [{ keyid: 'SHA256:configured', key: generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'der', type: 'spki' }).toString('base64'), expires: null }] }, 'test');
  const withListed: TrustSettings = { ...settings, keys: { ...settings.keys, listed: configured } };
  let changes = 0;
  const { log, info, warned } = quietLog();
  const trust = new RepositoryTrust(withListed, { dir, log, download: repo.download, onChange: () => void changes++ });
  assert.deepEqual([...trust.signatureKeys().keys()], ['SHA256:configured'], 'before the first update: the configured keys');
  assert.equal(await trust.refresh(), true);
  assert.deepEqual([...trust.signatureKeys().keys()], ['SHA256:configured', 'SHA256:one']);
  assert.deepEqual([...trust.attestationKeys().keys()], ['SHA256:configured'], 'a key for signatures only is not trusted for attestations');
  assert.deepEqual(info, ['Sigstore trusted root updated', 'registry keys updated']);
  assert.equal(changes, 2);

  // The registry rotates: the new file lists the old key and its successor.
  repo.publish(target, tufKeys(['SHA256:one', 'SHA256:two']));
  assert.equal(await trust.refresh(), true);
  assert.deepEqual([...trust.signatureKeys().keys()], ['SHA256:configured', 'SHA256:one', 'SHA256:two']);
  assert.equal(changes, 3, 'the unchanged root is no change');

  // A restart without the repository begins from the copies stored (the last that verified).
  const offline = quietLog();
  const again = new RepositoryTrust(withListed, { dir, log: offline.log, download: async () => { throw new Error('connect ECONNREFUSED'); }, onChange: () => undefined });
  await again.start();
  t.after(() => again.close());
  assert.deepEqual([...again.signatureKeys().keys()], ['SHA256:configured', 'SHA256:one', 'SHA256:two']);
  await again.refresh();
  assert.match(offline.warned.at(-1) ?? '', /^could not update the Sigstore trusted root and the registry keys through TUF; keeping the current ones: connect ECONNREFUSED/);

  // A verified file that is not a key list is logged and changes nothing.
  repo.publish(target, Buffer.from('{"keys": []}'));
  assert.equal(await trust.refresh(), false);
  assert.match(warned.at(-1) ?? '', /^verified registry keys do not parse; keeping the current ones: the TUF target registry\.example\/keys\.json: no registry key in it/);
  assert.equal(trust.signatureKeys().size, 3);

  await trust.close();

  // The keys target missing from the repository: the root still updates, the keys failure is its own line.
  const lone = new TestTufRepo();
  lone.publish(TRUSTED_ROOT_TARGET, readFileSync(PUBLIC_GOOD));
  const third = quietLog();
  const other = new RepositoryTrust(tufConfig(lone, target), { dir: mkdtempSync(join(dir, 'other-')), log: third.log, download: lone.download, onChange: () => undefined });
  assert.equal(await other.refresh(), true);
  assert.deepEqual(third.info, ['Sigstore trusted root updated']);
  assert.deepEqual(third.warned, ['could not update the registry keys through TUF; keeping the current ones: the targets role does not list registry.example/keys.json']);
  await other.close();
});
