/**
 * The pre-flight check for pip, with the real CLI against Airlock in front of a fixture index:
 * `airlock check --requirements requirements.txt` (table and JSON, the exit status CI needs; a
 * specifier resolved to the version pip gets through Airlock), `airlock check pypi NAME`
 * resolving the latest release, `airlock check pypi 'NAME>=…'` a specifier, and
 * `GET /-/api/check?purl=pkg:pypi/…` (with `range=`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildWheel } from '../../support/pypi-index/index.ts';
import { OLD, pypiE2e, type PypiE2e } from './support.ts';

const HOUR = 3600_000;

interface Result {
  name: string;
  version: string | null;
  requested: string | null;
  status: string;
  verdict: string | null;
  decidedBy: string[];
  resolvesTo: string | null;
  range: { range: string; satisfying: number; newest: { version: string; verdict: string; decidedBy: string[] } | null } | null;
  line?: number;
  marker?: string | null;
  distributions: { filename: string; sha256: string }[] | null;
}

/** Publishes a wheel; its sha256 comes back. */
function publish(e: PypiE2e, name: string, version: string, uploadTime: Date, yanked?: string): string {
  const w = buildWheel({ name, version });
  return e.index.addFile(name, { filename: w.filename, bytes: w.bytes, metadata: w.metadata, uploadTime, ...(yanked === undefined ? {} : { yanked }) }).sha256;
}

test('airlock check --requirements: pins judged, a specifier and a line without a version resolved, a missing name recorded, editables skipped, hash pins compared', async (t) => {
  const e = await pypiE2e();
  t.after(() => e.close());
  const sha = publish(e, 'quokka-tools', '1.0', OLD);
  publish(e, 'kiwi-parse', '3.0', OLD);
  publish(e, 'kiwi-parse', '3.1', new Date(Date.now() - HOUR));
  publish(e, 'kiwi-parse', '4.0rc1', OLD);
  const file = join(e.tmp, 'requirements.txt');
  const requirements = [
    '# pip-compile --generate-hashes',
    `Quokka_Tools==1.0 ; python_version >= "3.8" \\`,
    `    --hash=sha256:${sha}`,
    '    # via -r requirements.in',
    'kiwi-parse==3.1',
    'no-such-project-anywhere==0.1',
    'kiwi-parse>=3,<4',
    '-e ./local-package',
    'kiwi-parse[fast] ; python_version >= "3"',
  ];
  await writeFile(file, `${requirements.join('\n')}\n`);

  const table = await e.cli(['check', '--requirements', file]);
  assert.equal(table.code, 1, `${table.stdout}${table.stderr}`);
  assert.match(table.stdout, /^PACKAGE\s+VERSION\s+VERDICT\s+DECIDED BY\s+REASON$/m);
  assert.match(table.stdout, /^kiwi-parse\s+3\.1\s+QUARANTINE\s+cooldown\s+/m);
  assert.match(table.stdout, /^no-such-project-anywhere\s+0\.1\s+NOT FOUND\s+/m);
  assert.match(table.stdout, /^quokka-tools\s+1\.0\s+ALLOW/m);
  assert.match(table.stdout, /^kiwi-parse\s+3\.0 \(>=3,<4\)\s+ALLOW/m, 'the specifier gets 3.0 through Airlock: 3.1 is in its cooldown');
  assert.match(table.stdout, /^ {2}line 8: an editable \(-e \.\/local-package\): not from an index$/m);
  assert.match(table.stdout, /^kiwi-parse\s+3\.0 \(>=0\)\s+ALLOW/m, 'no version is any version: pip gets 3.0 (3.1 is in its cooldown, 4.0rc1 a pre-release)');
  assert.match(table.stdout, /^3 allow, 1 quarantine, 0 block, 1 not found, 0 error; 1 requirement lines are not checked \(skipped\)$/m);
  assert.match(table.stdout, /^ {2}line 9: kiwi-parse>=0 ; python_version >= "3"$/m);
  assert.match(table.stdout, /^ {2}line 2: Quokka_Tools==1\.0 ; python_version >= "3\.8"$/m, 'the marker is reported');
  assert.doesNotMatch(table.stdout, /hash pins/, 'the pinned hash is of a file the index lists');

  const json = await e.cli(['check', '--requirements', file, '--format', 'json']);
  assert.equal(json.code, 1);
  const out = JSON.parse(json.stdout) as { summary: Record<string, number>; results: Result[]; outside: unknown[]; skipped: { path: string; why: string }[] };
  assert.deepEqual(out.summary, { allow: 3, quarantine: 1, block: 0, notFound: 1, error: 0 });
  assert.deepEqual(out.results.map((r) => `${r.line ?? 0} ${r.name}@${r.version ?? ''}:${r.verdict ?? r.status}`), [
    '2 quokka-tools@1.0:allow',
    '5 kiwi-parse@3.1:quarantine',
    '6 no-such-project-anywhere@:package-not-found',
    '7 kiwi-parse@3.0:allow',
    '9 kiwi-parse@3.0:allow',
  ]);
  assert.deepEqual([out.results[4]?.range?.range, out.results[4]?.range?.newest?.version, out.results[4]?.range?.newest?.verdict], ['>=0', '3.1', 'quarantine']);
  assert.deepEqual([out.results[3]?.range?.range, out.results[3]?.range?.newest?.version, out.results[3]?.range?.newest?.verdict], ['>=3,<4', '3.1', 'quarantine']);
  assert.equal(out.results[0]?.marker, 'python_version >= "3.8"');
  assert.deepEqual(out.results[0]?.distributions?.map((d) => d.sha256), [sha]);
  assert.deepEqual(out.outside, []);
  assert.deepEqual(out.skipped.map((s) => s.path), ['line 8']);
  // What pip itself installs for the line without a version, through Airlock.
  const installed = await e.install('kiwi-parse');
  assert.equal(installed.code, 0, installed.stderr);
  assert.deepEqual((await readdir(installed.target)).filter((f) => f.endsWith('.dist-info')), ['kiwi_parse-3.0.dist-info']);

  const missing = (await (await fetch(`${e.airlock.url}/-/api/signals/missing?ecosystem=pypi`, { headers: { authorization: `Bearer ${e.airlock.adminToken}` } })).json()) as { items: { name: string }[] };
  assert.ok(missing.items.some((i) => i.name === 'no-such-project-anywhere'), 'a name the index lacks trips the wire');

  // Only allowed pins, one with a hash of a file the index does not list: still exit 1, and why.
  await writeFile(file, `quokka-tools==1.0 --hash=sha256:${'0'.repeat(64)}\n`);
  const forged = await e.cli(['check', '--requirements', file]);
  assert.equal(forged.code, 1, forged.stdout);
  assert.match(forged.stdout, /^1 hash pins name no file the index lists for the version, so pip could install them from elsewhere:\n {2}line 1 \(quokka-tools==1\.0\): sha256:0{16}… is the hash of no file the index lists for quokka-tools==1\.0$/m);
  await writeFile(file, `quokka-tools==1.0 --hash=sha256:${sha}\n`);
  const clean = await e.cli(['check', '--requirements', file]);
  assert.equal(clean.code, 0, clean.stdout);
});

test('airlock check pypi NAME resolves the latest release, NAME>=… a specifier; GET /-/api/check answers for pkg:pypi', async (t) => {
  const e = await pypiE2e();
  t.after(() => e.close());
  publish(e, 'kiwi-parse', '3.0', OLD);
  publish(e, 'kiwi-parse', '3.1', new Date(Date.now() - HOUR));
  publish(e, 'kiwi-parse', '3.2', OLD, 'broken');
  publish(e, 'kiwi-parse', '4.0rc1', OLD);

  const latest = await e.cli(['check', 'pypi', 'Kiwi_Parse', '--format', 'json']);
  assert.equal(latest.code, 1, latest.stderr);
  const r = JSON.parse(latest.stdout) as Result;
  assert.deepEqual([r.requested, r.version, r.verdict, r.decidedBy, r.resolvesTo], [null, '3.1', 'quarantine', ['cooldown'], '3.0'], 'the newest final release that is not yanked, and the one pip gets through Airlock');
  const text = await e.cli(['check', 'pypi', 'kiwi-parse==3.0']);
  assert.equal(text.code, 0, text.stdout);
  assert.match(text.stdout, /^kiwi-parse@3\.0 \(pkg:pypi\/kiwi-parse@3\.0\): ALLOW$/m);
  // A specifier: pip gets 3.0 through Airlock (3.1 is in its cooldown, 3.2 yanked, 4.0rc1 a pre-release).
  const range = await e.cli(['check', 'pypi', 'Kiwi_Parse>=3,<5']);
  assert.equal(range.code, 0, range.stdout);
  assert.match(range.stdout, /^kiwi-parse@3\.0 \(pkg:pypi\/kiwi-parse@3\.0\): ALLOW$/m);
  assert.match(range.stdout, /^ {2}an install of kiwi-parse@>=3,<5 gets 3\.0 through Airlock \(2 listed versions satisfy it\)$/m);
  assert.match(range.stdout, /^ {2}newest in range: 3\.1: QUARANTINE — decided by cooldown$/m);
  const held = await e.cli(['check', 'pypi', 'kiwi-parse~=3.1', '--format', 'json']);
  assert.equal(held.code, 1, held.stdout);
  const h = JSON.parse(held.stdout) as Result;
  assert.deepEqual([h.requested, h.version, h.verdict, h.resolvesTo, h.range?.newest ?? null], ['~=3.1', '3.1', 'quarantine', null, null], 'only a held version satisfies it');
  const bad = await e.cli(['check', 'pypi', 'kiwi-parse>=3.*']);
  assert.equal(bad.code, 2, 'a specifier Airlock cannot read is a usage error');
  assert.match(bad.stderr, /only == and != take a \.\* prefix/);

  const api = await fetch(`${e.airlock.url}/-/api/check?purl=${encodeURIComponent('pkg:pypi/kiwi-parse@3.1')}`, { headers: { authorization: `Bearer ${e.airlock.adminToken}` } });
  assert.equal(api.status, 200);
  const body = (await api.json()) as Result;
  assert.deepEqual([body.status, body.version, body.verdict, body.decidedBy], ['judged', '3.1', 'quarantine', ['cooldown']]);
  const spelled = (await (await fetch(`${e.airlock.url}/-/api/check?purl=${encodeURIComponent('pkg:pypi/kiwi-parse@3.0.0')}`, { headers: { authorization: `Bearer ${e.airlock.adminToken}` } })).json()) as Result;
  assert.deepEqual([spelled.version, spelled.verdict], ['3.0', 'allow'], 'PEP 440: 3.0.0 is 3.0');
  const ranged = (await (await fetch(`${e.airlock.url}/-/api/check?${new URLSearchParams({ purl: 'pkg:pypi/kiwi-parse', range: '>=3.2' })}`, { headers: { authorization: `Bearer ${e.airlock.adminToken}` } })).json()) as Result;
  assert.deepEqual([ranged.version, ranged.verdict, ranged.resolvesTo], ['4.0rc1', 'allow', '4.0rc1'], 'no final release satisfies it that is not yanked: pip takes the pre-release');
});
