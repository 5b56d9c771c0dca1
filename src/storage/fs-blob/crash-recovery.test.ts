import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { test } from 'node:test';
import { openFsBlobStore } from './fs-blob-store.ts';

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

test('a process killed mid-write leaves only staging garbage, which the next start-up removes', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'airlock-crash-'));
  try {
    const child = spawn(process.execPath, [join(import.meta.dirname, 'fixtures', 'crash-writer.ts'), dataDir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = once(child, 'exit');
    // Wait until the child is streaming, let it write a little more, then kill it without warning.
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (buf: Buffer) => {
        if (buf.toString().includes('writing')) resolve();
      });
      child.on('exit', (code) => reject(new Error(`writer exited early with ${code}`)));
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    child.kill('SIGKILL');
    const [, signal] = await exited;
    assert.equal(signal, 'SIGKILL');

    const staged = await filesUnder(join(dataDir, 'blobs', 'staging'));
    assert.equal(staged.length, 1, 'the killed upload left its staging file');
    assert.deepEqual(await filesUnder(join(dataDir, 'blobs', 'sha256')), [], 'no partial blob under a digest path');

    const store = await openFsBlobStore({ dataDir });
    assert.equal(store.startupCleanup.removed.length, 1);
    assert.deepEqual(await filesUnder(join(dataDir, 'blobs', 'staging')), [], 'start-up removed the garbage');
    assert.deepEqual(await filesUnder(join(dataDir, 'blobs', 'sha256')), []);
    await store.close();
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
