/**
 * `airlock serve` as users run it: the real bin, no configuration (defaults: data dir, one npm
 * repository whose upstream comes from `npm config get registry`, the built-in policy), health
 * once ready, the admin token printed once, graceful exit on SIGTERM.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'airlock.js');

function serve(cwd: string, args: string[]) {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], { cwd, env: { ...process.env, AIRLOCK_SERVER_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdout.resume();
  const exited = new Promise<number | string | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  const listening = new Promise<string>((resolve, reject) => {
    const onData = (): void => {
      const m = /listening on (http:\/\/\S+) /.exec(stderr);
      if (m?.[1] !== undefined) resolve(m[1]);
    };
    child.stderr.on('data', onData);
    void exited.then((code) => reject(new Error(`airlock serve exited with ${String(code)}: ${stderr}`)));
  });
  listening.catch(() => {}); // awaited by the tests that expect a start
  return { child, listening, exited, stderr: () => stderr };
}

test('airlock serve starts with embedded defaults, reports health, and drains on SIGTERM', async () => {
  const cwd = await mkdtemp(join(tmpdir(), 'airlock-serve-'));
  try {
    const first = serve(cwd, ['--port', '0']);
    const url = await first.listening;
    const health = await fetch(`${url}/-/health`);
    assert.equal(health.status, 200);
    const body = (await health.json()) as { status: string; repositories: string[] };
    assert.deepEqual(body.repositories, ['npm']);
    assert.match(first.stderr(), /created an admin token \(shown only this once\): airlock_\S+/);
    const ping = await fetch(`${url}/npm/-/ping`);
    assert.equal(ping.status, 200);
    await ping.arrayBuffer();
    first.child.kill('SIGTERM');
    assert.equal(await first.exited, 0);

    const second = serve(cwd, ['--port', '0']);
    await second.listening;
    assert.doesNotMatch(second.stderr(), /admin token/, 'the admin token is printed only on the first start');
    second.child.kill('SIGTERM');
    assert.equal(await second.exited, 0);
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
});

test('airlock serve refuses a bad configuration with one clear line', async () => {
  const cwd = await mkdtemp(join(tmpdir(), 'airlock-serve-'));
  try {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(cwd, 'airlock.yaml'), 'repositories:\n  - name: npm\n    format: npm\n    upstreem: http://127.0.0.1:4873/\n');
    const bad = serve(cwd, ['--config', 'airlock.yaml', '--port', '0']);
    assert.equal(await bad.exited, 1);
    assert.equal(bad.stderr(), 'airlock serve: repositories[0].upstreem: unknown key (expected one of: name, format, kind, upstream, upstreamAuth, metadataMaxAge, blockedVersions, timeouts, maxArtifactSize, maxMetadataSize)\n');
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
});
