#!/usr/bin/env node
// Launcher: Airlock is TypeScript run directly by Node 24's type stripping. The `node` dev
// dependency provides Node 24 to npm scripts and `npx`; this shim refuses older runtimes
// with a clear message instead of a syntax error.
import { enableCompileCache } from 'node:module';
import { argv, exit, stderr, stdout, env, cwd, versions } from 'node:process';

const major = Number(versions.node.split('.')[0]);
if (major < 24) {
  stderr.write(`airlock needs Node.js 24 or newer (this is ${versions.node}); run it through npm scripts or npx in the checkout\n`);
  exit(1);
}
// Cache compiled (type-stripped) modules on disk: later starts skip the TypeScript stripper
// entirely, which saves ~25 MB of resident memory and start-up time. Honours NODE_COMPILE_CACHE.
enableCompileCache();
const { main } = await import('../src/cli/main.ts');
const code = await main(argv.slice(2), { stdout, stderr, env, cwd: cwd() });
// Let large outputs into a pipe finish (`airlock check --lockfile … --format json | jq`): exit()
// right away would cut off whatever the pipe had not taken yet.
await Promise.all([stdout, stderr].map((s) => new Promise((resolve) => s.write('', resolve))));
exit(code);
