/**
 * Airlock's own storage fails under it.
 *
 * - Its disk fills up. What it cannot record it cannot judge, so it serves nothing (fail
 *   closed) — but it must say that this is its own failure, not a verdict on the package, and it
 *   must not remember the failure as one: once there is room again, the same install works
 *   without a restart.
 * - A stored tarball's bytes change on disk. npm would refuse them (EINTEGRITY), and every
 *   client after it too: Airlock must find out first, and fetch and verify the tarball again.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { e2e, quarantineIdIn, type E2e } from './support.ts';

const exec = promisify(execFile);

/** A small tmpfs of its own, and how to take it away (only root may mount one); null when it cannot. */
async function smallFilesystem(size: string): Promise<{ readonly dir: string; remove(): Promise<void> } | null> {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-full-'));
  try {
    await exec('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  } catch {
    await rm(dir, { recursive: true, force: true });
    return null;
  }
  return {
    dir,
    async remove() {
      await exec('umount', [dir]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Writes `file` until the file system has no byte left. */
async function fill(file: string): Promise<void> {
  const fh = await open(file, 'w');
  try {
    for (let chunk = 1 << 20; chunk >= 1; chunk >>= 4) {
      const bytes = Buffer.alloc(chunk, 0x61);
      for (;;) {
        try {
          await fh.write(bytes);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
          break;
        }
      }
    }
  } finally {
    await fh.close();
  }
}

/**
 * Airlock with its data on a small file system of its own (both removed after the test), and a
 * path there for a file that fills it; null when none can be mounted.
 */
async function onSmallDisk(t: TestContext): Promise<{ readonly s: E2e; readonly filler: string } | null> {
  const fs = await smallFilesystem('32m');
  if (fs === null) return null;
  const dataDir = join(fs.dir, 'data');
  await mkdir(dataDir);
  const s = await e2e({ dataDir }).catch(async (err: unknown) => {
    await fs.remove();
    throw err;
  });
  // Airlock lets go of its files before the file system is taken away.
  t.after(async () => {
    await s.close();
    await fs.remove();
  });
  return { s, filler: join(fs.dir, 'filler') };
}

test('a full disk: npm is told Airlock could not judge the package (503, the cause named), and the same install works once there is room, without a restart', async (t) => {
  const small = await onSmallDisk(t);
  if (small === null) return t.skip('mounting a small tmpfs needs root');
  const { s, filler } = small;

  await fill(filler);
  const p = await s.project();
  const full = await p.npm(["install", "left-pad"]);
  assert.notEqual(full.code, 0, full.output);
  assert.match(full.output, /503 Service Unavailable - GET \S+left-pad - Airlock could not judge left-pad just now, so it serves nothing of it/);
  assert.match(full.output, /the database or disk is full|no space left on the device/);
  assert.match(full.output, /This is not a policy decision/);
  assert.doesNotMatch(full.output, /blocked by Airlock policy/);
  const metrics = await (await fetch(`${s.airlock.url}/-/metrics`)).text();
  assert.match(metrics, /^airlock_gate_failures_total\{phase="metadata",kind="gate"\} [1-9]/m, 'an operator can alert on it');
  assert.match(metrics, /^airlock_data_dir_free_bytes 0$/m, 'and on the space left, before it comes to this');
  assert.match(metrics, /^airlock_data_dir_size_bytes 33554432$/m);

  await rm(filler);
  const roomy = await (await s.project()).npm(['install', 'left-pad']);
  assert.equal(roomy.code, 0, roomy.output);
  assert.equal((await (await s.project()).npm(['view', 'left-pad', 'version'])).stdout.trim(), '1.3.0');
});

test('a full disk when a released tarball is judged again: npm is told Airlock could not judge that version (503), and the refusal is not remembered', async (t) => {
  const small = await onSmallDisk(t);
  if (small === null) return t.skip('mounting a small tmpfs needs root');
  const { s, filler } = small;

  // scripted-pkg is stored and held; its release is a new decision, which Airlock must record.
  const held = await (await s.project()).npm(['install', 'scripted-pkg']);
  const release = await s.cli(['quarantine', 'release', quarantineIdIn(held.output), '--reason', 'the postinstall only prints']);
  assert.equal(release.code, 0, release.output);

  await fill(filler);
  const full = await (await s.project()).npm(['install', 'scripted-pkg']);
  assert.notEqual(full.code, 0, full.output);
  assert.match(full.output, /503 Service Unavailable - GET \S+scripted-pkg-1\.0\.0\.tgz - Airlock could not judge scripted-pkg@1\.0\.0 just now/);
  assert.match(full.output, /the database or disk is full/);
  assert.doesNotMatch(full.output, /blocked by Airlock/);

  await rm(filler);
  const roomy = await (await s.project()).npm(['install', 'scripted-pkg']);
  assert.equal(roomy.code, 0, roomy.output);
});

test('a full disk when a tarball is first fetched: npm is told Airlock could not store it (503, the cause named), nothing is kept, and the install works once there is room', async (t) => {
  const small = await onSmallDisk(t);
  if (small === null) return t.skip('mounting a small tmpfs needs root');
  const { s, filler } = small;

  // The packument is fetched, judged and recorded while there is room; only the tarball is not.
  const p = await s.project();
  const view = await p.npm(['view', 'left-pad', 'version']);
  assert.equal(view.stdout.trim(), '1.3.0', view.output);

  await fill(filler);
  const full = await p.npm(['install', 'left-pad']);
  assert.notEqual(full.code, 0, full.output);
  assert.match(full.output, /503 Service Unavailable - GET \S+left-pad-1\.3\.0\.tgz - Airlock could not store left-pad@1\.3\.0 just now/);
  assert.match(full.output, /no space left on the device/);
  assert.match(full.output, /This is not a policy decision/);
  assert.doesNotMatch(full.output, /blocked by Airlock|500 Internal Server Error/);
  const staging = join(s.airlock.dataDir, 'blobs', 'staging');
  for (const folder of await readdir(staging)) assert.deepEqual(await readdir(join(staging, folder)), [], 'no partial file is left behind');

  const triedWhileFull = s.env.registry.tarballHits('left-pad', '1.3.0');
  assert.ok(triedWhileFull >= 1);

  await rm(filler);
  const roomy = await (await s.project()).npm(['install', 'left-pad']);
  assert.equal(roomy.code, 0, roomy.output);
  assert.equal((await (await s.project()).npm(['view', 'left-pad', 'version'])).stdout.trim(), '1.3.0');
  assert.equal(s.env.registry.tarballHits('left-pad', '1.3.0'), triedWhileFull + 1, 'fetched, verified and stored afresh once there is room');
});

test('a stored tarball whose bytes changed on disk: npm installs the real one, fetched and verified again, instead of failing its integrity check', async (t) => {
  const s = await e2e();
  t.after(() => s.close());
  const first = await (await s.project()).npm(['install', 'left-pad']);
  assert.equal(first.code, 0, first.output);
  const hex = createHash('sha256').update(s.env.registry.tarball('left-pad', '1.3.0')).digest('hex');
  const file = join(s.airlock.dataDir, 'blobs', 'sha256', hex.slice(0, 2), hex);
  const bytes = await readFile(file);
  bytes[bytes.length >> 1] = (bytes[bytes.length >> 1] as number) ^ 0xff;
  await writeFile(file, bytes);

  // A second client: the first download was served from memory, this one reads the store.
  const p = await s.project();
  const second = await p.npm(['install', 'left-pad']);
  assert.equal(second.code, 0, second.output);
  assert.doesNotMatch(second.output, /EINTEGRITY/);
  assert.equal((await p.readJson('node_modules/left-pad/package.json'))['version'], '1.3.0');
  assert.equal(s.env.registry.tarballHits('left-pad', '1.3.0'), 2);
});
