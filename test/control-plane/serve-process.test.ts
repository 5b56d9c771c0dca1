/**
 * `airlock serve` as users run it: the real bin, no configuration (defaults: data dir, one npm
 * repository whose upstream comes from `npm config get registry`, the built-in policy), health
 * once ready, the admin token printed once, graceful exit on SIGTERM.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { BIN, oneRepositoryConfig, serve } from '../support/serve-process.ts';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

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
    assert.equal(bad.stderr(), 'airlock serve: repositories[0].upstreem: unknown key (expected one of: name, format, kind, upstream, upstreamAuth, proxy, ca, metadataMaxAge, blockedVersions, timeouts, maxArtifactSize, maxMetadataSize, registryKeys, sigstoreTrustedRoot, members, publishTo, unpublish, filesUpstream, modelSigning, cosignKeys, defaultNamespace)\n');
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
});

test("airlock serve names each group's members, and warns when a proxy comes before a hosted member", async () => {
  const cwd = await mkdtemp(join(tmpdir(), 'airlock-serve-'));
  try {
    const { writeFile } = await import('node:fs/promises');
    const repositories = [
      'repositories:',
      '  - {name: npm, format: npm, upstream: "http://127.0.0.1:9/"}',
      '  - {name: internal, format: npm, kind: hosted}',
      '  - {name: all, format: npm, kind: group, members: [internal, npm], publishTo: internal}',
      '  - {name: backwards, format: npm, kind: group, members: [npm, internal]}',
      '',
    ].join('\n');
    await writeFile(join(cwd, 'airlock.yaml'), repositories);
    const s = serve(cwd, ['--config', 'airlock.yaml', '--port', '0']);
    await s.listening;
    const out = s.stderr();
    assert.match(out, /repository all: group of internal, npm \(each package from the first that has it; publishes go to internal\)/);
    assert.match(out, /warning: repository backwards: the proxy npm comes before the hosted internal: a public package with the name of one of your packages would be served instead of it; list hosted repositories first/);
    assert.doesNotMatch(out, /warning: repository all:/);
    s.child.kill('SIGTERM');
    assert.equal(await s.exited, 0);
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
});

/** The runtime the server process ended up with (same PID: the launcher re-executes in place). */
async function runtimeOf(pid: number): Promise<{ argv: string[]; env: Map<string, string> }> {
  const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter((a) => a !== '');
  const env = new Map<string, string>();
  for (const kv of (await readFile(`/proc/${pid}/environ`, 'utf8')).split('\0')) {
    const eq = kv.indexOf('=');
    if (eq > 0) env.set(kv.slice(0, eq), kv.slice(eq + 1));
  }
  return { argv, env };
}

test('airlock serve re-executes itself with gateway runtime settings; the operator’s own win', { skip: process.platform !== 'linux' }, async () => {
  const cwd = await mkdtemp(join(tmpdir(), 'airlock-serve-'));
  const clean = { AIRLOCK_RUNTIME_TUNING: undefined, AIRLOCK_RUNTIME_TUNED: undefined, MALLOC_ARENA_MAX: undefined, GLIBC_TUNABLES: undefined };
  const run = async (nodeFlags: string[], env: NodeJS.ProcessEnv) => {
    const s = serve(cwd, ['--port', '0'], { nodeFlags, env: { ...clean, ...env } });
    await s.listening;
    const rt = await runtimeOf(s.child.pid as number);
    s.child.kill('SIGTERM');
    assert.equal(await s.exited, 0, 'the re-executed server is the spawned process: it drains and exits 0');
    return rt;
  };
  try {
    const tuned = await run([], {});
    assert.ok(tuned.argv.includes('--max-semi-space-size=16'), tuned.argv.join(' '));
    assert.ok(tuned.argv.includes('--no-allocation-site-pretenuring'), tuned.argv.join(' '));
    assert.ok(tuned.argv.includes('--max-old-space-size=1024'), tuned.argv.join(' '));
    assert.ok(tuned.argv.includes('--invocation-count-for-turbofan=10000'), tuned.argv.join(' '));
    assert.equal(tuned.env.get('MALLOC_ARENA_MAX'), '2');
    assert.match(tuned.env.get('GLIBC_TUNABLES') ?? '', /glibc\.malloc\.mmap_threshold=65536/);

    const own = await run(['--max-semi-space-size=32', '--allocation-site-pretenuring', '--invocation-count-for-turbofan=3000'], { MALLOC_ARENA_MAX: '4' });
    assert.ok(own.argv.includes('--max-semi-space-size=32'));
    assert.ok(!own.argv.includes('--max-semi-space-size=16'), own.argv.join(' '));
    assert.ok(!own.argv.includes('--no-allocation-site-pretenuring'), own.argv.join(' '));
    assert.ok(!own.argv.includes('--invocation-count-for-turbofan=10000'), own.argv.join(' '));
    assert.equal(own.env.get('MALLOC_ARENA_MAX'), '4');

    const off = await run([], { AIRLOCK_RUNTIME_TUNING: 'off' });
    assert.ok(!off.argv.some((a) => a.startsWith('--max-semi-space-size') || a.includes('pretenuring') || a.includes('turbofan')), off.argv.join(' '));
    assert.equal(off.env.get('MALLOC_ARENA_MAX'), undefined);
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
});

test('airlock serve fills a cold compile cache before it starts, so the server never loads Node\'s TypeScript stripper; the next start finds it filled', { skip: process.platform !== 'linux' }, async () => {
  const cwd = await mkdtemp(join(tmpdir(), 'airlock-serve-'));
  // Loaded into every process Node starts here (flags pass on): each says, by PID, whether the stripper is loaded.
  const probe = join(cwd, 'stripper-probe.mjs');
  await writeFile(probe, "setInterval(() => process.stderr.write(`stripper ${process.pid} ${process.moduleLoadList.some((m) => m.includes('amaro')) ? 'loaded' : 'not loaded'}\\n`), 100).unref();\n");
  const config = await oneRepositoryConfig(cwd, 'cc', 'http://127.0.0.1:9/');
  const stampsIn = async (cache: string): Promise<string[]> => (await readdir(cache, { recursive: true })).filter((f) => basename(f).startsWith('airlock-primed-'));
  const start = async (env: NodeJS.ProcessEnv): Promise<string> => {
    const s = serve(cwd, ['--config', config, '--port', '0'], { nodeFlags: ['--import', probe], env: { AIRLOCK_RUNTIME_TUNING: undefined, AIRLOCK_RUNTIME_TUNED: undefined, ...env } });
    const url = await s.listening;
    // A package request loads what requests load (the npm repository's modules); its upstream is not there.
    await (await fetch(`${url}/npm/left-pad`)).text();
    const pid = s.child.pid as number;
    const said = (): string | undefined => [...s.stderr().matchAll(new RegExp(`stripper ${pid} (.*)`, 'g'))].at(-1)?.[1];
    const from = s.stderr().length;
    while (!new RegExp(`stripper ${pid} `).test(s.stderr().slice(from))) await new Promise((r) => setTimeout(r, 50));
    const state = said() ?? 'unknown';
    s.child.kill('SIGTERM');
    assert.equal(await s.exited, 0);
    return state;
  };
  try {
    // Where most servers keep it: Node's default place, under the temporary folder, which only the
    // fill's own process enables (no NODE_COMPILE_CACHE to enable it in every process from the start).
    const temp = join(cwd, 'tmp');
    await mkdir(temp);
    const byDefault = { TMPDIR: temp, NODE_COMPILE_CACHE: undefined };
    const cache = join(temp, 'node-compile-cache');
    assert.equal(await start(byDefault), 'not loaded', 'a cold cache is filled by a process of its own before the server starts');
    const [stamp] = await stampsIn(cache);
    assert.ok(stamp !== undefined, 'the filled cache is stamped');
    const filled = (await stat(join(cache, stamp))).mtimeMs;
    assert.equal(await start(byDefault), 'not loaded');
    assert.deepEqual(await stampsIn(cache), [stamp], 'the next start finds it filled and does not fill it again');
    assert.equal((await stat(join(cache, stamp))).mtimeMs, filled);
    // Moved by NODE_COMPILE_CACHE (docs/configuration.md#memory).
    const moved = join(cwd, 'compile-cache');
    assert.equal(await start({ NODE_COMPILE_CACHE: moved }), 'not loaded', 'a cold cache where NODE_COMPILE_CACHE puts it is filled too');
    assert.equal((await stampsIn(moved)).length, 1);
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
});

/** The processes under `pid`, by walking `ps` (Linux). */
function descendants(pid: number): number[] {
  // ps exits 1 when nothing matches.
  const out = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).stdout.trim();
  const children = out === '' ? [] : out.split(/\s+/).map(Number);
  return children.flatMap((c) => [c, ...descendants(c)]);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('npm start runs the server in place of npm’s shell: a SIGTERM to npm drains it and every process exits', { skip: process.platform !== 'linux' }, async () => {
  const cwd = await mkdtemp(join(tmpdir(), 'airlock-npm-start-'));
  const npm = spawn('npm', ['start', '--', '--port', '0', '--data-dir', join(cwd, 'data')], {
    cwd: join(import.meta.dirname, '..', '..'),
    env: { ...process.env, AIRLOCK_SERVER_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  npm.stdout.on('data', (c: Buffer) => (output += c.toString()));
  npm.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<void>((resolve) => npm.on('exit', () => resolve()));
  let tree: number[] = [];
  try {
    for (let i = 0; i < 300 && !/listening on http/.test(output); i++) await new Promise((r) => setTimeout(r, 100));
    assert.match(output, /listening on http/);
    tree = descendants(npm.pid as number);
    assert.ok(tree.length > 0, 'npm runs the server in a child');
    npm.kill('SIGTERM');
    await exited;
    for (let i = 0; i < 100 && tree.some(alive); i++) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(tree.filter(alive), [], `no process npm started outlives it:\n${output}`);
    assert.match(output, /"signal":"SIGTERM","msg":"shutting down"/, 'the server drained on the signal npm forwarded');
  } finally {
    for (const pid of [npm.pid as number, ...tree]) if (alive(pid)) process.kill(pid, 'SIGKILL');
    await rm(cwd, { recursive: true, force: true });
  }
});

/** An older Node on the machine (the system one), if there is one. */
function olderNode(): string | undefined {
  for (const bin of ['/usr/bin/node', '/usr/local/bin/node']) {
    try {
      const v = execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim();
      if (Number(/^v(\d+)/.exec(v)?.[1] ?? '99') < 24) return bin;
    } catch {
      // not there
    }
  }
  return undefined;
}

const OLD_NODE = olderNode();

test('the launcher refuses an older Node with one clear line', { skip: OLD_NODE === undefined ? 'no Node older than 24 on this machine' : false }, async () => {
  const child = spawn(OLD_NODE as string, [BIN, 'serve'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdout.resume();
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.equal(code, 1);
  assert.match(stderr, /^airlock needs Node\.js 24 or newer \(this is \d+\.\d+\.\d+\); run it through npm scripts or npx in the checkout\n$/);
});
