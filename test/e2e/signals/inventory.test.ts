/**
 * The inventory SBOM with the real npm client: what `npm install` brought through Airlock is
 * listed by `airlock inventory` as a CycloneDX 1.6 document the official CycloneDX schema (the
 * CycloneDX library's strict validator) accepts — each installed package with the SHA-512 npm
 * wrote in its lockfile, its scope as the group, the repository, and the imported advisory that
 * includes its version. The same components come from the server's API and from the data
 * directory; `--used-since` and `--repo` narrow it; anonymous clients and unknown repositories are refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import { airlockCli, daysAgo, signalsE2e, tinyRouterAdvisory } from './support.ts';
import { createToken } from '../npm/support.ts';

type Obj = Record<string, unknown>;

const ADVISORY = tinyRouterAdvisory('0');

const validator = new Validation.JsonStrictValidator(Spec.Version.v1dot6);

async function sbom(path: string): Promise<{ text: string; doc: Obj }> {
  const text = await readFile(path, 'utf8');
  return { text, doc: JSON.parse(text) as Obj };
}

function components(doc: Obj): Obj[] {
  return doc['components'] as Obj[];
}

function hash(c: Obj, alg: string): string | undefined {
  return (c['hashes'] as { alg: string; content: string }[]).find((h) => h.alg === alg)?.content;
}

function property(c: Obj, name: string): string[] {
  return (c['properties'] as { name: string; value: string }[]).filter((p) => p.name === name).map((p) => p.value);
}

test('inventory: what npm installed through Airlock, as a CycloneDX SBOM the official schema accepts, with the lockfile’s digests and the advisory', async (t) => {
  const s = await signalsE2e({
    packages: [
      { name: 'argv-kit', versions: [{ version: '1.4.1', publishedAt: daysAgo(700) }] },
      { name: '@acme/tiny-router', versions: [{ version: '2.9.0', publishedAt: daysAgo(200) }] },
    ],
  });
  const tmp = await mkdtemp(join(tmpdir(), 'airlock-inventory-'));
  t.after(async () => {
    await s.close();
    await rm(tmp, { recursive: true, force: true });
  });
  await writeFile(join(tmp, `${ADVISORY.id}.json`), JSON.stringify(ADVISORY));
  const p = await s.project();
  const installed = await p.npm(['install', 'argv-kit', '@acme/tiny-router']);
  assert.equal(installed.code, 0, installed.output);
  const lock = (await p.readJson('package-lock.json'))['packages'] as Record<string, { version: string; integrity: string }>;
  const imported = await airlockCli(['feeds', 'import', tmp, '--source', 'osv', '--data-dir', s.airlock.dataDir], {});
  assert.equal(imported.code, 0, imported.output);

  const reader = await createToken(s.airlock, 'reader', 'sbom-job');
  const out = join(tmp, 'inventory.cdx.json');
  const run = await airlockCli(['inventory', '--out', out], { AIRLOCK_SERVER: s.airlock.url, AIRLOCK_TOKEN: reader });
  assert.equal(run.code, 0, run.output);
  assert.match(run.stdout, /wrote the inventory \(CycloneDX 1\.6\) to /);
  const { text, doc } = await sbom(out);
  assert.equal(await validator.validate(text), null, 'the official CycloneDX 1.6 schema accepts it');
  assert.deepEqual([doc['bomFormat'], doc['specVersion']], ['CycloneDX', '1.6']);

  // Each installed package, with the SHA-512 npm verified and wrote in its lockfile.
  const byPurl = new Map(components(doc).map((c) => [String(c['purl']), c]));
  assert.deepEqual([...byPurl.keys()].sort(), ['pkg:npm/%40acme/tiny-router@2.9.0', 'pkg:npm/argv-kit@1.4.1']);
  for (const [path, purl] of [['node_modules/argv-kit', 'pkg:npm/argv-kit@1.4.1'], ['node_modules/@acme/tiny-router', 'pkg:npm/%40acme/tiny-router@2.9.0']] as const) {
    const c = byPurl.get(purl) as Obj;
    const integrity = lock[path]?.integrity ?? '';
    assert.equal(hash(c, 'SHA-512'), Buffer.from(integrity.replace(/^sha512-/, ''), 'base64').toString('hex'), `${purl}: the lockfile's integrity`);
    assert.match(hash(c, 'SHA-256') ?? '', /^[0-9a-f]{64}$/);
    assert.deepEqual(property(c, 'airlock:repository'), ['npm']);
    assert.equal(c['type'], 'library');
  }
  const router = byPurl.get('pkg:npm/%40acme/tiny-router@2.9.0') as Obj;
  assert.deepEqual([router['group'], router['name'], router['version']], ['@acme', 'tiny-router', '2.9.0']);

  // The advisory that includes an installed version, pointing at its component.
  const vulns = doc['vulnerabilities'] as Obj[];
  assert.equal(vulns.length, 1);
  const v = vulns[0] as Obj;
  assert.equal(v['id'], ADVISORY.id);
  assert.deepEqual(v['affects'], [{ ref: router['bom-ref'] }]);
  assert.equal((v['ratings'] as Obj[])[0]?.['severity'], 'medium');
  assert.equal(v['recommendation'], 'upgrade to 3.0.0 or later');

  // The validator is not vacuous: a hash that is not hex fails it.
  const broken = text.replace(hash(router, 'SHA-256') as string, 'not-a-digest');
  assert.notEqual(await validator.validate(broken), null);

  // Straight from the data directory: the same components.
  const local = join(tmp, 'local.cdx.json');
  const offline = await airlockCli(['inventory', '--data-dir', s.airlock.dataDir, '--out', local], {});
  assert.equal(offline.code, 0, offline.output);
  assert.deepEqual(components((await sbom(local)).doc), components(doc));

  // Narrowed: nothing used since tomorrow, nothing in another repository.
  const since = await airlockCli(['inventory', '--used-since', new Date(Date.now() + 86_400_000).toISOString()], { AIRLOCK_SERVER: s.airlock.url, AIRLOCK_TOKEN: reader });
  assert.equal(since.code, 0, since.output);
  assert.deepEqual([components(JSON.parse(since.stdout) as Obj).length, (JSON.parse(since.stdout) as Obj)['vulnerabilities']], [0, []]);
  const recent = await airlockCli(['inventory', '--used-since', '1h'], { AIRLOCK_SERVER: s.airlock.url, AIRLOCK_TOKEN: reader });
  assert.equal(components(JSON.parse(recent.stdout) as Obj).length, 2);
  const npmOnly = await airlockCli(['inventory', '--repo', 'npm'], { AIRLOCK_SERVER: s.airlock.url, AIRLOCK_TOKEN: reader });
  assert.equal(components(JSON.parse(npmOnly.stdout) as Obj).length, 2);
  // A repository neither configured nor holding a file: the server refuses it, naming those it has;
  // on the storage (which does not read the repositories configured) the command warns.
  const other = await airlockCli(['inventory', '--repo', 'elsewhere'], { AIRLOCK_SERVER: s.airlock.url, AIRLOCK_TOKEN: reader });
  assert.deepEqual([other.code, other.stdout], [1, '']);
  assert.match(other.stderr, /no repository is named "elsewhere" \(npm\), and no file held is in a repository of that name/);
  const otherLocal = await airlockCli(['inventory', '--repo', 'elsewhere', '--data-dir', s.airlock.dataDir], {});
  assert.equal(otherLocal.code, 0, otherLocal.output);
  assert.equal(components(JSON.parse(otherLocal.stdout) as Obj).length, 0);
  assert.match(otherLocal.stderr, /^warning: the storage holds no file in a repository named "elsewhere": the inventory lists none/);

  // Refused: anonymous, a bad time; a failed export leaves no file.
  assert.equal((await fetch(`${s.airlock.url}/-/api/inventory`)).status, 401);
  const bad = await s.api<Obj>('GET', 'inventory?usedSince=yesterday');
  assert.equal(bad.status, 400);
  const refused = await airlockCli(['inventory', '--out', join(tmp, 'refused.cdx.json')], { AIRLOCK_SERVER: s.airlock.url, AIRLOCK_TOKEN: 'airlock_not-a-token' });
  assert.notEqual(refused.code, 0);
  assert.ok(!(await readdir(tmp)).some((f) => f.includes('refused')), 'no file, temporary or final');
});
