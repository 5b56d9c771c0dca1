/**
 * podman against a hosted oci repository: `podman push` with a publisher token, `podman pull`
 * back (vfs storage in a throwaway root, plain HTTP with --tls-verify=false). Skipped where
 * podman is not installed (`apt-get install -y podman`).
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildLayer, MANIFEST_ACCEPT } from '../../support/oci/index.ts';
import { HOSTED, hostedOci, type HostedOci } from './hosted-support.ts';

const skip = spawnSync('podman', ['--version']).status === 0 ? false : 'podman not installed (apt-get install -y podman); podman end-to-end tests skipped';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

describe('podman pushes to and pulls from a hosted oci repository', { skip }, () => {
  let h: HostedOci;
  let podman: (args: readonly string[]) => Promise<Run>;
  before(async () => {
    h = await hostedOci();
    const home = join(h.tmp, 'podman');
    for (const d of ['root', 'run', 'home', 'tmp']) await mkdir(join(home, d), { recursive: true });
    await writeFile(join(home, 'registries.conf'), '');
    await writeFile(join(home, 'auth.json'), '{"auths":{}}');
    const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: join(home, 'home'), TMPDIR: join(home, 'tmp'), CONTAINERS_REGISTRIES_CONF: join(home, 'registries.conf'), REGISTRY_AUTH_FILE: join(home, 'auth.json') };
    const global = ['--storage-driver=vfs', `--root=${join(home, 'root')}`, `--runroot=${join(home, 'run')}`];
    // Asynchronously: Airlock answers from this process.
    podman = (args) =>
      new Promise((resolve) => {
        execFile('podman', [...global, ...args], { env, timeout: 120_000 }, (err, stdout, stderr) => resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr }));
      });
    await writeFile(join(h.tmp, 'rootfs.tar.gz'), buildLayer({ 'etc/motd': 'built for podman\n' }).bytes);
    const imported = await podman(['import', join(h.tmp, 'rootfs.tar.gz'), `${h.host}/${HOSTED}/team/pod:v1`]);
    assert.equal(imported.code, 0, imported.stderr);
  });
  after(async () => {
    if (h !== undefined) await podman(['system', 'reset', '--force']).catch(() => undefined);
    await h?.close();
    await rm(join(h?.tmp ?? '/nonexistent', 'podman'), { recursive: true, force: true }).catch(() => undefined);
  });

  test('a push without credentials is refused, and podman says why', async () => {
    const r = await podman(['push', '--tls-verify=false', `${h.host}/${HOSTED}/team/pod:v1`]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /unauthorized: Airlock: pushing to hosted needs a token with the publisher role/);
  });

  test('podman push with a publisher token, then podman pull of what Airlock keeps', async () => {
    const pushed = await podman(['push', '--tls-verify=false', '--creds', `ci:${h.publisher}`, `${h.host}/${HOSTED}/team/pod:v1`]);
    assert.equal(pushed.code, 0, pushed.stderr);
    const head = await h.fetch(`/v2/${HOSTED}/team/pod/manifests/v1`, { method: 'HEAD', headers: { accept: MANIFEST_ACCEPT } });
    assert.equal(head.status, 200);
    const digest = head.headers.get('docker-content-digest') ?? '';
    assert.match(digest, /^sha256:[0-9a-f]{64}$/);
    assert.equal((await podman(['rmi', `${h.host}/${HOSTED}/team/pod:v1`])).code, 0);
    const pulled = await podman(['pull', '--tls-verify=false', `${h.host}/${HOSTED}/team/pod:v1`]);
    assert.equal(pulled.code, 0, pulled.stderr);
    const inspect = await podman(['image', 'inspect', '--format', '{{.Digest}}', `${h.host}/${HOSTED}/team/pod:v1`]);
    assert.equal(inspect.stdout.trim(), digest, 'podman pulled the manifest Airlock keeps');
  });
});
