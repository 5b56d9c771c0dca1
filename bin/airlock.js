#!/usr/bin/env node
// Launcher: Airlock is TypeScript run directly by Node 24's type stripping. The `node` dev
// dependency provides Node 24 to npm scripts and `npx`; this shim refuses older runtimes
// with a clear message instead of a syntax error.
import * as nodeModule from 'node:module';
import { argv, exit, stderr, stdout, env, cwd, versions } from 'node:process';

const major = Number(versions.node.split('.')[0]);
if (major < 24) {
  stderr.write(`airlock needs Node.js 24 or newer (this is ${versions.node}); run it through npm scripts or npx in the checkout\n`);
  exit(1);
}
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
  try {
    process.execve(process.execPath, [process.execPath, ...flags, ...process.execArgv, ...argv.slice(1)], tuned);
  } catch {
    // Not supported here (Windows): carry on untuned.
  }
}
// Cache compiled (type-stripped) modules on disk: later starts skip the TypeScript stripper
// entirely, which saves ~25 MB of resident memory and start-up time. Honours NODE_COMPILE_CACHE.
nodeModule.enableCompileCache();
const { main } = await import('../src/cli/main.ts');
const code = await main(argv.slice(2), { stdout, stderr, env, cwd: cwd() });
// Let large outputs into a pipe finish (`airlock check --lockfile … --format json | jq`): exit()
// right away would cut off whatever the pipe had not taken yet.
await Promise.all([stdout, stderr].map((s) => new Promise((resolve) => s.write('', resolve))));
exit(code);
