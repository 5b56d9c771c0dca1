/**
 * The TUF client against a repository in the real format (test/support/tuf-repo.ts), each attack
 * the specification names refused with a reason and without losing what was trusted, and the
 * Sigstore root shipped with Airlock checked as real data.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestTufRepo } from '../../../test/support/tuf-repo.ts';
import { TufClient, TufError, type TufStore } from './client.ts';
import { parseMetadata, thresholdProblem, type Root } from './metadata.ts';

class MemoryStore implements TufStore {
  readonly files = new Map<string, Buffer>();
  async read(name: string): Promise<Buffer | null> {
    return this.files.get(name) ?? null;
  }
  async write(name: string, bytes: Buffer): Promise<void> {
    this.files.set(name, bytes);
  }
  async remove(name: string): Promise<void> {
    this.files.delete(name);
  }
}

function client(repo: TestTufRepo, store = new MemoryStore(), clock?: () => Date): { c: TufClient; store: MemoryStore } {
  return { c: new TufClient({ download: repo.download, store, initialRoot: repo.initialRoot, ...(clock === undefined ? {} : { clock }) }), store };
}

async function refused(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => err instanceof TufError && pattern.test(err.message));
}

const TRUSTED_ROOT = 'trusted_root.json';

test('the Sigstore TUF root shipped with Airlock parses and is signed by a threshold of its own root keys (real data: ECDSA P-256 over canonical JSON)', () => {
  const bytes = readFileSync(join(import.meta.dirname, 'sigstore-tuf-root.json'));
  const root = parseMetadata<Root>(bytes, 'root', 'root.json');
  assert.equal(root.signed.version, 14);
  assert.equal(root.signed.consistentSnapshot, true);
  assert.equal(root.signed.roles.root.threshold, 3);
  assert.equal(thresholdProblem(root, root.signed, 'root', 'root.json'), null);
  // One changed byte of what is signed, and no key's signature holds.
  const tampered = Buffer.from(bytes.toString('utf8').replace('"consistent_snapshot": true', '"consistent_snapshot": false'));
  const t = parseMetadata<Root>(tampered, 'root', 'root.json');
  assert.match(thresholdProblem(t, root.signed, 'root', 'root.json') ?? '', /signed by 0 of the root role's keys \(threshold 3, root version 14\)/);
});

test('metadata whose signed part nests 100,000 deep (a custom field) is refused as a TufError saying so, not a stack overflow', () => {
  const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
  const doc = `{"signatures":[],"signed":{"_type":"timestamp","spec_version":"1.0.31","version":1,"expires":"2030-01-01T00:00:00Z","meta":{"snapshot.json":{"version":1}},"x-custom":${deep}}}`;
  assert.throws(() => parseMetadata(Buffer.from(doc), 'timestamp', 'timestamp.json'), (err) => err instanceof TufError && /nested deeper than 64 levels/.test(err.message));
  const shallow = doc.replace(deep, '[[1]]');
  assert.equal(parseMetadata(Buffer.from(shallow), 'timestamp', 'timestamp.json').signed.version, 1);
});

test('a signed._type that is no string is named by its JSON kind (found by grepping JSON.stringify of untrusted JSON: one nested 100,000 deep overflowed the stack)', () => {
  const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
  for (const [type, kind] of [[deep, 'a list'], ['{"toString":1}', 'an object'], ['7', 'a number'], ['"x"', '"x"']] as const) {
    assert.throws(() => parseMetadata(Buffer.from(`{"signatures":[],"signed":{"_type":${type}}}`), 'root', 'root.json'), (err) => err instanceof TufError && err.message === `root.json: signed._type is ${kind}, not root`);
  }
});

test('a target, meta file, key or hash named by a long key is named cut to 100 characters (found by a sweep of type assertions: the whole key went into the TufError, before any signature is checked)', () => {
  const long = 'n'.repeat(100_000);
  const signed = (role: string, body: string) => Buffer.from(`{"signatures":[],"signed":{"_type":"${role}","spec_version":"1.0","version":1,"expires":"2030-01-01T00:00:00Z",${body}}}`);
  const cut = `${'n'.repeat(100)}…`;
  const refused = (bytes: Buffer, role: 'targets' | 'snapshot' | 'root'): string => {
    try {
      parseMetadata(bytes, role, `${role}.json`);
    } catch (err) {
      assert.ok(err instanceof TufError);
      return err.message;
    }
    return 'accepted';
  };
  assert.equal(refused(signed('targets', `"targets":{"${long}":{"length":1}}`), 'targets'), `targets.json: signed.targets.${cut}.hashes is not an object`);
  assert.equal(refused(signed('targets', `"targets":{"a":{"length":1,"hashes":{"${long}":"zz"}}}`), 'targets'), `targets.json: signed.targets.a.hashes.${cut} is not hex`);
  assert.match(refused(signed('snapshot', `"meta":{"${long}":1}`), 'snapshot'), new RegExp(`^snapshot\\.json: signed\\.meta\\.${cut} is not an object$`));
  assert.match(refused(signed('root', `"keys":{"${long}":1},"roles":{}`), 'root'), new RegExp(`^root\\.json: signed\\.keys\\.${cut} is not an object$`));
});

test('a target is fetched once the chain verifies, and read from the store while it is the one listed', async () => {
  const repo = new TestTufRepo();
  repo.publish(TRUSTED_ROOT, Buffer.from('{"v":1}'));
  const { c, store } = client(repo);
  const targets = await c.refresh();
  assert.deepEqual(await c.target(targets, TRUSTED_ROOT), Buffer.from('{"v":1}'));
  assert.ok(store.files.has(`targets/${TRUSTED_ROOT}`));
  repo.files.clear();
  assert.deepEqual(await c.target(targets, TRUSTED_ROOT), Buffer.from('{"v":1}'), 'served from the store');
  await refused(c.target(targets, 'other.json'), /the targets role does not list other\.json/);
});

test('a new target version is picked up; root rotations (every role, then root keys only) are followed version by version', async () => {
  const repo = new TestTufRepo();
  repo.publish(TRUSTED_ROOT, Buffer.from('one'));
  const { c, store } = client(repo);
  await c.refresh();
  repo.rotate();
  repo.rotate(['root']);
  repo.publish(TRUSTED_ROOT, Buffer.from('two'));
  const targets = await c.refresh();
  assert.equal(c.rootVersion, 3);
  assert.deepEqual(await c.target(targets, TRUSTED_ROOT), Buffer.from('two'));
  // A fresh client with the same store starts from the stored root, not the initial one.
  const again = new TufClient({ download: repo.download, store, initialRoot: repo.initialRoot });
  await again.refresh();
  assert.equal(again.rootVersion, 3);
});

test('a stored root.json that no longer reads or verifies is put aside: the chain is walked again from the initial root, and a forged newer root still is not taken', async () => {
  const repo = new TestTufRepo();
  repo.publish(TRUSTED_ROOT, Buffer.from('one'));
  const { c, store } = client(repo);
  await c.refresh();
  repo.rotate();
  await c.refresh();
  const good = store.files.get('root.json') as Buffer;
  for (const [what, bytes, why] of [
    ['torn', good.subarray(0, good.length >> 1), /the stored root\.json is not JSON/],
    ['empty', Buffer.alloc(0), /the stored root\.json is not JSON/],
    ['edited', Buffer.from(good.toString('utf8').replace('"version": 2', '"version": 9')), /the stored root\.json is signed by 0 of the root role's keys/],
  ] as const) {
    store.files.set('root.json', Buffer.from(bytes));
    const warned: string[] = [];
    const again = new TufClient({ download: repo.download, store, initialRoot: repo.initialRoot, warn: (m) => void warned.push(m) });
    const targets = await again.refresh();
    assert.equal(again.rootVersion, 2, what);
    assert.deepEqual(await again.target(targets, TRUSTED_ROOT), Buffer.from('one'));
    assert.equal(warned.length, 1, what);
    assert.match(warned[0] ?? '', why);
    assert.match(warned[0] ?? '', /; starting again from the initial root\.json$/);
    assert.deepEqual(store.files.get('root.json'), good, `${what}: the verified root is stored again`);
  }

  // Walking again from the initial root checks every step: a 2.root.json the old keys did not sign is refused.
  store.files.set('root.json', Buffer.from('{'));
  const forged = JSON.parse((repo.files.get('2.root.json') as Buffer).toString('utf8')) as { signatures: unknown[] };
  forged.signatures = forged.signatures.slice(0, 0);
  repo.files.set('2.root.json', Buffer.from(JSON.stringify(forged)));
  await refused(new TufClient({ download: repo.download, store, initialRoot: repo.initialRoot }).refresh(), /2\.root\.json is signed by 0 of the root role's keys/);
  assert.equal(store.files.get('root.json'), undefined, 'nothing unverified is stored');
});

test('arbitrary metadata: a root, timestamp or target not signed by the trusted keys is refused, and the trusted state stays', async () => {
  const repo = new TestTufRepo();
  repo.publish(TRUSTED_ROOT, Buffer.from('good'));
  const { c, store } = client(repo);
  await c.refresh();
  const trusted = new Map(store.files);

  const forged = new TestTufRepo();
  forged.forgeRoot();
  repo.files.set('2.root.json', forged.file('2.root.json'));
  await refused(c.refresh(), /2\.root\.json is signed by 0 of the root role's keys \(threshold 2, root version 1\) \(the previous root's keys\)/);
  repo.files.delete('2.root.json');

  const other = new TestTufRepo();
  repo.files.set('timestamp.json', other.file('timestamp.json'));
  await refused(c.refresh(), /timestamp\.json is signed by 0 of the timestamp role's keys/);
  assert.deepEqual(store.files, trusted);
});

test('rollback and freeze: an older timestamp and expired metadata are refused', async () => {
  const repo = new TestTufRepo();
  repo.publish(TRUSTED_ROOT, Buffer.from('v1'));
  const oldTimestamp = repo.file('timestamp.json');
  repo.publish(TRUSTED_ROOT, Buffer.from('v2'));
  const { c } = client(repo);
  await c.refresh();
  const current = repo.file('timestamp.json');
  repo.files.set('timestamp.json', oldTimestamp);
  await refused(c.refresh(), /timestamp\.json is version 2, older than the trusted 3 \(a rollback\)/);
  repo.files.set('timestamp.json', current);
  // Ten days on, the timestamp (valid for a day here) has expired: a repository frozen in time.
  const frozen = new TestTufRepo({ expiresInMs: { timestamp: 86_400_000 } });
  const late = client(frozen, new MemoryStore(), () => new Date(Date.now() + 10 * 86_400_000));
  await refused(late.c.refresh(), /timestamp\.json expired at/);
  const expiredRoot = new TestTufRepo({ expiresInMs: { root: -1000 } });
  await refused(client(expiredRoot).c.refresh(), /the newest root \(version 1\) expired at/);
});

test('mix-and-match: a snapshot, targets file or target that is not the one listed (hash, length, version) is refused', async () => {
  const repo = new TestTufRepo();
  repo.publish(TRUSTED_ROOT, Buffer.from('listed'));
  const { c } = client(repo);
  const snap = repo.file('2.snapshot.json');
  repo.files.set('2.snapshot.json', Buffer.concat([snap.subarray(0, -1), Buffer.from(' ')]));
  await refused(c.refresh(), /2\.snapshot\.json's sha256 is not the one listed for it/);
  repo.files.set('2.snapshot.json', snap);
  const targets = await c.refresh();
  for (const [path, bytes] of repo.files) {
    if (path.startsWith('targets/')) repo.files.set(path, Buffer.from('LISTED'));
  }
  await refused(c.target(targets, TRUSTED_ROOT), /trusted_root\.json's sha256 is not the one listed for it/);
});

test('endless data: a file larger than its cap is not read past the cap', async () => {
  const repo = new TestTufRepo();
  repo.files.set('2.root.json', Buffer.alloc(600 * 1024, 0x20));
  const { c } = client(repo);
  await assert.rejects(c.refresh(), /2\.root\.json is larger than 524288 bytes/);
});

test('a corrupt initial root is refused, not trusted', async () => {
  const repo = new TestTufRepo();
  const bad = Buffer.from(repo.initialRoot.toString('utf8').replace('"version": 1', '"version": 7'));
  const c = new TufClient({ download: repo.download, store: new MemoryStore(), initialRoot: bad });
  await refused(c.refresh(), /root\.json is signed by 0 of the root role's keys/);
  await refused(new TufClient({ download: repo.download, store: new MemoryStore(), initialRoot: Buffer.from('{') }).refresh(), /the initial root\.json is not JSON/);
});
