import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, fstatSync, openSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, readlink, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { digestHex, sha256Of } from '../../core/index.ts';
import { runBlobStoreConformance } from '../conformance/index.ts';
import { openFsBlobStore } from './fs-blob-store.ts';
import { currentProcessIdentity } from './process-identity.ts';
import { stagingFolderName } from './staging.ts';

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'airlock-fsblob-'));
}

/** Runs `fn` with a fresh data directory, removed afterwards. */
async function withDataDir(fn: (dataDir: string) => Promise<void>): Promise<void> {
  const dataDir = await tempDir();
  try {
    await fn(dataDir);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Every file under a folder, relative paths. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort();
}

runBlobStoreConformance('filesystem', async () => {
  const dataDir = await tempDir();
  const store = await openFsBlobStore({ dataDir });
  const others: Array<{ close(): Promise<void> }> = [];
  return {
    store,
    reopen: async () => {
      const other = await openFsBlobStore({ dataDir });
      others.push(other);
      return other;
    },
    corrupt: async (digest) => {
      const file = join(dataDir, 'blobs', 'sha256', digestHex(digest).slice(0, 2), digestHex(digest));
      const bytes = await readFile(file);
      bytes[bytes.length >> 1] = (bytes[bytes.length >> 1] as number) ^ 0xff;
      await writeFile(file, bytes);
    },
    cleanup: async () => {
      for (const o of others) await o.close();
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
});

test('fs layout: blobs/sha256/<aa>/<hex>; nothing under it until commit', async () => {
  await withDataDir(async (dataDir) => {
    const store = await openFsBlobStore({ dataDir });
    const data = randomBytes(70_000);
    const upload = await store.begin({ maxBytes: 100_000 });
    await upload.write(data);
    assert.deepEqual(await filesUnder(join(dataDir, 'blobs', 'sha256')), []);
    const staged = await filesUnder(join(dataDir, 'blobs', 'staging'));
    assert.equal(staged.length, 1);
    assert.match(staged[0] as string, /\.part$/);
    const { digest } = await upload.commit();
    const hex = digest.slice('sha256:'.length);
    assert.deepEqual(await filesUnder(join(dataDir, 'blobs', 'sha256')), [join(hex.slice(0, 2), hex)]);
    assert.deepEqual(await readFile(join(dataDir, 'blobs', 'sha256', hex.slice(0, 2), hex)), data);
    assert.deepEqual(await filesUnder(join(dataDir, 'blobs', 'staging')), [], 'the staging file was renamed away');
    assert.equal(await store.localPath(digest), join(dataDir, 'blobs', 'sha256', hex.slice(0, 2), hex));
    await store.close();
  });
});

test('fs: a fan-out folder removed underneath a running store is made again on the next commit', async () => {
  await withDataDir(async (dataDir) => {
    const store = await openFsBlobStore({ dataDir });
    const data = randomBytes(1_000);
    const first = await store.begin({ maxBytes: 10_000 });
    await first.write(data);
    const { digest } = await first.commit();
    const hex = digest.slice('sha256:'.length);
    await rm(join(dataDir, 'blobs', 'sha256', hex.slice(0, 2)), { recursive: true });
    assert.equal(await store.stat(digest), null);
    const again = await store.begin({ maxBytes: 10_000 });
    await again.write(data);
    assert.equal((await again.commit()).digest, digest);
    assert.deepEqual(await readFile(join(dataDir, 'blobs', 'sha256', hex.slice(0, 2), hex)), data);
    await store.close();
  });
});

/** The folders under `root` this process holds descriptors of (Linux: /proc/self/fd), one per descriptor. */
async function foldersHeldUnder(root: string): Promise<string[]> {
  const held: string[] = [];
  for (const fd of await readdir('/proc/self/fd')) {
    const target = await readlink(join('/proc/self/fd', fd)).catch(() => null);
    if (target !== null && target.startsWith(root)) held.push(target.slice(root.length + 1));
  }
  return held.sort();
}

test('fs: each fan-out folder is opened once for its fsyncs, reopened when made again, and closed with the store', async () => {
  await withDataDir(async (dataDir) => {
    const root = join(dataDir, 'blobs', 'sha256');
    const store = await openFsBlobStore({ dataDir });
    const commit = async (data: Buffer): Promise<string> => {
      const upload = await store.begin({ maxBytes: 10_000 });
      await upload.write(data);
      return digestHex((await upload.commit()).digest);
    };
    const blobs = Array.from({ length: 40 }, (_, i) => Buffer.from(`blob ${i}`));
    const hexes = await Promise.all(blobs.map(commit));
    // Twice each: no folder gains a second descriptor.
    await Promise.all(blobs.map(commit));
    const folders = [...new Set(hexes.map((hex) => hex.slice(0, 2)))].sort();
    assert.deepEqual(await foldersHeldUnder(root), folders);
    // A folder removed by hand: the commit that makes it again fsyncs the new one, not the old.
    const gone = folders[0] as string;
    await rm(join(root, gone), { recursive: true });
    const index = hexes.findIndex((hex) => hex.startsWith(gone));
    await commit(blobs[index] as Buffer);
    assert.deepEqual(await foldersHeldUnder(root), folders, 'no descriptor of a removed folder is kept');
    await store.close();
    assert.deepEqual(await foldersHeldUnder(root), []);
  });
});

test('fs: an upload closes its staging descriptor once, so a failed publish never closes a file opened meanwhile', async () => {
  await withDataDir(async (dataDir) => {
    const store = await openFsBlobStore({ dataDir });
    const data = randomBytes(1_000);
    const hex = sha256Of(data).slice('sha256:'.length);
    // A file where the blob's fan-out folder belongs: the rename after the staging file is closed fails.
    await mkdir(join(dataDir, 'blobs', 'sha256'), { recursive: true });
    await writeFile(join(dataDir, 'blobs', 'sha256', hex.slice(0, 2)), 'in the way');
    const other = join(dataDir, 'other');
    await writeFile(other, 'still open');
    const upload = await store.begin({ maxBytes: 10_000 });
    await upload.write(data);
    // Every turn of the event loop opens a file, so one gets the number the staging file frees.
    const opened: number[] = [];
    let settled = false;
    const grab = (): void => {
      if (settled) return;
      opened.push(openSync(other, 'r'));
      setImmediate(grab);
    };
    setImmediate(grab);
    await assert.rejects(upload.commit(), (err: unknown) => (err as { code?: string }).code === 'STORAGE_ERROR');
    await upload.abort();
    settled = true;
    for (const fd of opened) {
      assert.doesNotThrow(() => fstatSync(fd), 'a descriptor opened meanwhile is still open');
      closeSync(fd);
    }
    await store.close();
  });
});

test('fs start-up removes staging of dead processes, stale foreign hosts and strays; keeps live owners', async () => {
  await withDataDir(async (dataDir) => {
    const staging = join(dataDir, 'blobs', 'staging');
    await mkdir(staging, { recursive: true });
    const self = currentProcessIdentity();
    // A process that has exited: its pid is free (or reused by a process with another start time).
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadPid = Number(child.stdout);
    const dead = stagingFolderName({ host: self.host, pid: deadPid, start: self.start === '' ? '' : '1' });
    const liveSibling = stagingFolderName(self);
    const restartedSamePid = stagingFolderName({ ...self, start: self.start === '' ? '' : `${self.start}0` });
    const foreignFresh = stagingFolderName({ host: 'other-host', pid: 1, start: '5' });
    const foreignStale = stagingFolderName({ host: 'other-host', pid: 2, start: '5' });
    for (const name of [dead, liveSibling, restartedSamePid, foreignFresh, foreignStale]) {
      await mkdir(join(staging, name));
      await writeFile(join(staging, name, 'x.part'), 'partial');
    }
    const old = new Date(Date.now() - 3 * 24 * 3600 * 1000);
    await utimes(join(staging, foreignStale), old, old);
    await writeFile(join(staging, 'stray.part'), 'partial');

    const store = await openFsBlobStore({ dataDir });
    const removed = [...store.startupCleanup.removed].sort();
    const expectedRemoved = [dead, foreignStale, 'stray.part'];
    if (self.start !== '') expectedRemoved.push(restartedSamePid);
    assert.deepEqual(removed, expectedRemoved.sort());
    const left = await readdir(staging);
    assert.ok(left.includes(liveSibling) && left.includes(foreignFresh));
    assert.equal(left.length, self.start !== '' ? 3 : 4, 'plus the new instance folder');
    await store.close();
    assert.equal((await readdir(staging)).length, left.length - 1, 'close removes the instance folder');
  });
});

test('fs: a blob committed by one instance survives another instance starting up', async () => {
  await withDataDir(async (dataDir) => {
    const a = await openFsBlobStore({ dataDir });
    const upload = await a.begin({ maxBytes: 10 });
    await upload.write(Buffer.from('abc'));
    const b = await openFsBlobStore({ dataDir });
    assert.deepEqual(b.startupCleanup.removed, [], 'a live instance keeps its staging');
    const blob = await upload.commit();
    assert.equal(blob.digest, sha256Of('abc'));
    assert.deepEqual(await b.stat(blob.digest), { digest: blob.digest, size: 3 });
    await a.close();
    await b.close();
  });
});
