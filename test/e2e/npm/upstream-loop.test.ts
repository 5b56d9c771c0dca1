/**
 * An upstream that leads back to Airlock itself. The README's own steps lead there: once
 * `npm config set registry http://localhost:8080/npm/` points npm at Airlock, a restarted
 * `airlock serve` without a configuration would read that same URL as its upstream. Where the
 * loop passes through something Airlock cannot see at start-up (a port forward, a load balancer),
 * the request that comes back is refused at once instead of waiting on itself.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FixtureRegistry } from '../../support/npm-registry/index.ts';
import { oneRepositoryConfig, serveForTest, unsetting } from '../../support/serve-process.ts';
import { freePort } from '../../support/free-port.ts';
import { FIXTURE_PACKAGES } from '../../npm/helpers.ts';
import { project, run, cleanEnv } from './support.ts';

const ADMIN = { AIRLOCK_ADMIN_TOKEN: 'airlock_loop_test_admin_token_0123456789' };

/** A TCP port forward to `port`, as a load balancer or `ssh -L` would be. */
async function forwardTo(port: number): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const target = connect(port, '127.0.0.1');
    for (const s of [client, target]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        target.destroy();
      });
    }
    client.pipe(target);
    target.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

test('npm pointed at Airlock as the README says: a restarted airlock serve takes npm’s registry without that setting, and npm installs through it', async (t) => {
  const registry = await FixtureRegistry.start(FIXTURE_PACKAGES);
  t.after(() => registry.close());
  const dir = await mkdtemp(join(tmpdir(), 'airlock-loop-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const port = await freePort();
  // The machine's npm names the fixture registry (the global .npmrc); the user then points npm at Airlock.
  const [user, global] = [join(dir, 'user-npmrc'), join(dir, 'global-npmrc')];
  await writeFile(global, `registry=${registry.url}\n`);
  await writeFile(user, '');
  const set = await run('npm', ['config', 'set', 'registry', `http://localhost:${port}/npm/`, '--userconfig', user, '--globalconfig', global], { cwd: dir, env: cleanEnv() });
  assert.equal(set.code, 0, set.output);

  const server = await serveForTest(t, dir, ['--port', String(port), '--data-dir', join(dir, 'data')], {
    env: { ...unsetting(/^npm_config_/i), ...ADMIN, npm_config_userconfig: user, npm_config_globalconfig: global },
  });
  const url = server.url;
  assert.ok(server.stderr().includes(`airlock: repository npm: upstream ${registry.url}, npm's registry once the settings that lead to this Airlock are left out, reached directly`), server.stderr());
  assert.ok(server.stderr().includes('; registry signatures checked against the keys of the public npm registry (built in) (2 keyids); attestations checked against Sigstore\'s public-good root (built in)\n'), server.stderr());
  const p = await project(`${url}/npm/`, dir);
  const r = await p.npm(['install', 'left-pad']);
  assert.equal(r.code, 0, `${r.output}\n${server.stderr()}`);
  assert.equal((await p.readJson('node_modules/left-pad/package.json'))['version'], '1.3.0');
  assert.ok(registry.requests.some((q) => q.path === '/left-pad/-/left-pad-1.3.0.tgz'));
});

test('an upstream that leads back through a port forward: the request that comes back is refused at once, and npm says why', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-loop-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const port = await freePort();
  const forward = await forwardTo(port);
  t.after(() => forward.close());
  const config = await oneRepositoryConfig(dir, 'loop', `http://127.0.0.1:${forward.port}/npm/`);
  const { url } = await serveForTest(t, dir, ['--config', config, '--port', String(port)], { env: ADMIN });
  const p = await project(`${url}/npm/`, dir);
  const r = await p.npm(['install', 'left-pad']);
  assert.notEqual(r.code, 0);
  assert.match(r.output, /502 Bad Gateway - GET \S+\/npm\/left-pad - upstream npm answered 508 Loop Detected for \/npm\/left-pad: it leads back to an Airlock it is proxied by; check the repository's upstream setting/);
});
