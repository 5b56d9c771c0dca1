#!/usr/bin/env node
// Launcher: Airlock is TypeScript run directly by Node 24's type stripping. The `node` dev
// dependency provides Node 24 to npm scripts and `npx`; this shim refuses older runtimes
// with a clear message instead of a syntax error.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { join } from 'node:path';
import { argv, exit, stderr, stdout, env, cwd, versions } from 'node:process';
import { fileURLToPath } from 'node:url';

const major = Number(versions.node.split('.')[0]);
if (major < 24) {
  stderr.write(`airlock needs Node.js 24 or newer (this is ${versions.node}); run it through npm scripts or npx in the checkout\n`);
  exit(1);
}
// Cache compiled (type-stripped) modules on disk: later starts skip the TypeScript stripper
// entirely, which saves resident memory and start-up time (`npm run bench:start` prints how
// much). Honours NODE_COMPILE_CACHE.
nodeModule.enableCompileCache();
// `serve` is a long-running server: start it again at once (same process, same PID, through
// execve) with runtime settings sized for a gateway instead of Node's throughput-first defaults:
// a 16 MB semi-space, a 1 GB old-generation ceiling, no allocation-site pretenuring, TurboFan
// after 10,000 calls, and glibc malloc returning freed buffers to the system. Why each, and what
// it was measured to save, is in docs/configuration.md#memory (one place, so the figures cannot
// disagree). Flags or variables the operator set win; AIRLOCK_RUNTIME_TUNING=off starts Node as
// it is.
if (argv[2] === 'serve' && env.AIRLOCK_RUNTIME_TUNING !== 'off' && env.AIRLOCK_RUNTIME_TUNED !== '1' && typeof process.execve === 'function') {
  const given = [...process.execArgv, ...(env.NODE_OPTIONS ?? '').split(/\s+/)];
  const flags = [];
  if (!given.some((f) => /^--max-(semi-space|heap)-size\b/.test(f))) flags.push('--max-semi-space-size=16');
  if (!given.some((f) => /^--max-(old-space|heap)-size\b/.test(f))) flags.push('--max-old-space-size=1024');
  if (!given.some((f) => /^--(no-)?allocation-site-pretenuring\b/.test(f))) flags.push('--no-allocation-site-pretenuring');
  if (!given.some((f) => /^--invocation-count-for-turbofan\b/.test(f))) flags.push('--invocation-count-for-turbofan=10000');
  const tuned = { ...env, AIRLOCK_RUNTIME_TUNED: '1' };
  if (env.MALLOC_ARENA_MAX === undefined) tuned.MALLOC_ARENA_MAX = '2';
  if (!/glibc\.malloc\./.test(env.GLIBC_TUNABLES ?? '')) {
    const malloc = 'glibc.malloc.mmap_threshold=65536:glibc.malloc.trim_threshold=65536';
    tuned.GLIBC_TUNABLES = env.GLIBC_TUNABLES ? `${env.GLIBC_TUNABLES}:${malloc}` : malloc;
  }
  primeCompileCache([...flags, ...process.execArgv], tuned);
  try {
    process.execve(process.execPath, [process.execPath, ...flags, ...process.execArgv, ...argv.slice(1)], tuned);
  } catch {
    // Not supported here (Windows): carry on untuned.
  }
}
/** A short hash of `text`. */
function digest(text) {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** The sources' paths, sizes and times: what the cache must have been filled from. */
function sourcesKey() {
  const src = fileURLToPath(new URL('../src/', import.meta.url));
  const lines = [];
  for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts') || entry.name.endsWith('.test.ts')) continue;
    const path = join(entry.parentPath, entry.name);
    const { size, mtimeMs } = statSync(path);
    lines.push(`${path}\0${size}\0${mtimeMs}`);
  }
  return digest(lines.sort().join('\n'));
}

// A server started with a cold compile cache loads Node's TypeScript stripper and keeps it for
// its life (src/cli/prime-compile-cache.ts says why; `npm run bench:start` measures it). When the
// cache was not filled from these sources under this runtime and these flags (V8 keeps code apart
// by flags; a stamp in the cache says what it was filled for), a process of its own fills it
// first, and the server then loads every module compiled. If that fails, the server strips what
// it loads, as it would have.
function primeCompileCache(flags, childEnv) {
  try {
    const dir = nodeModule.getCompileCacheDir();
    if (dir === undefined) return;
    const runtime = `airlock-primed-${digest(`${process.version}\0${flags.join('\0')}`)}-`;
    const stamp = join(dir, `${runtime}${sourcesKey()}`);
    if (existsSync(stamp)) return;
    const script = fileURLToPath(new URL('../src/cli/prime-compile-cache.ts', import.meta.url));
    const run = spawnSync(process.execPath, [...flags, script], { env: childEnv, stdio: ['ignore', 'ignore', 'inherit'], timeout: 120_000 });
    if (run.status !== 0) return;
    // The stamps of earlier sources under the same flags (a gateway started with other flags keeps its own).
    for (const old of readdirSync(dir)) if (old.startsWith(runtime)) rmSync(join(dir, old), { force: true });
    writeFileSync(stamp, '');
  } catch {
    // A cache that cannot be read or written: the server strips what it loads.
  }
}

const { main } = await import('../src/cli/main.ts');
const code = await main(argv.slice(2), { stdout, stderr, env, cwd: cwd() });
// Let large outputs into a pipe finish (`airlock check --lockfile … --format json | jq`): exit()
// right away would cut off whatever the pipe had not taken yet.
await Promise.all([stdout, stderr].map((s) => new Promise((resolve) => s.write('', resolve))));
exit(code);
