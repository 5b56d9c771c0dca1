/**
 * Tarballs Airlock cannot fully inspect, though npm can extract them: a lone zero block after
 * package.json (node-tar reads past it, Airlock's tar reader refuses it), a second root
 * package.json under another path, a package.json too large to read. Whatever the policy says,
 * they are not served unseen; a reviewer who releases one after seeing why takes responsibility.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FIXTURE_PACKAGES } from '../../npm/fixtures.ts';
import { airlockCli, e2e } from './support.ts';

const PACKAGES = [...FIXTURE_PACKAGES, { name: 'odd-tar', versions: [{ version: '1.0.0', strayZeroBlock: true }] }];

test('a policy that allows an uninspectable tarball does not get it served: npm is refused, with the reason', async (t) => {
  const s = await e2e({ packages: PACKAGES });
  t.after(() => s.close());
  const p = await s.project();
  const r = await p.npm(['install', 'odd-tar']);
  assert.notEqual(r.code, 0);
  assert.match(r.output, /403 Forbidden .*odd-tar@1\.0\.0 is blocked by Airlock: its tarball could not be inspected \(data after an end-of-archive block\)/);
});

test('the built-in policy quarantines it; a reviewer\'s release (the CLI) lets npm install it', async (t) => {
  const s = await e2e({ packages: PACKAGES, config: { policy: { paths: [] } } });
  t.after(() => s.close());
  const p = await s.project();
  const held = await p.npm(['install', 'odd-tar']);
  assert.notEqual(held.code, 0);
  assert.match(held.output, /odd-tar@1\.0\.0 is quarantined by Airlock: .*data after an end-of-archive block.*\[tarball\.uninspectable\]/);
  const id = /Quarantine id (\S+);/.exec(held.output)?.[1] ?? '';
  assert.notEqual(id, '', held.output);

  const cli = { AIRLOCK_SERVER: s.airlock.url, AIRLOCK_TOKEN: s.airlock.adminToken };
  // What the reviewer has in front of them: the inspection's error, in the reasons and the facts.
  const shown = await airlockCli(['quarantine', 'show', id, '--format', 'json'], cli);
  assert.equal(shown.code, 0, shown.output);
  const record = JSON.parse(shown.stdout) as { reasons: Array<{ message: string }>; facts: { tarball: { inspection_error: string } } };
  assert.match(record.reasons.map((r) => r.message).join('\n'), /could not be inspected completely: data after an end-of-archive block/);
  assert.equal(record.facts.tarball.inspection_error, 'data after an end-of-archive block');
  const release = await airlockCli(['quarantine', 'release', id, '--reason', 'a stray zero block from an old packer; contents read by hand'], cli);
  assert.equal(release.code, 0, release.output);

  const again = await p.npm(['install', 'odd-tar']);
  assert.equal(again.code, 0, again.output);
  assert.equal((await p.readJson('node_modules/odd-tar/package.json'))['version'], '1.0.0');
  // The entry after the zero block was extracted too.
  assert.match(await readFile(join(p.dir, 'node_modules/odd-tar/index.js'), 'utf8'), /odd-tar@1\.0\.0/);
});

test('a second package.json that npm writes over the first (package/./package.json) does not hide its install script', async (t) => {
  // The packument and the first manifest say nothing of scripts; npm extracts the second one
  // last, over the first, so the package on disk has a postinstall the inspection never saw.
  const sneaky = { name: 'scripted-sneaky', version: '1.0.0', description: 'scripted-sneaky fixture', main: 'index.js', license: 'MIT', scripts: { postinstall: 'node -e "1"' } };
  const packages = [...FIXTURE_PACKAGES, { name: 'scripted-sneaky', versions: [{ version: '1.0.0', files: [{ path: 'package/./package.json', content: JSON.stringify(sneaky) }] }] }];
  const s = await e2e({ packages });
  t.after(() => s.close());
  const p = await s.project();
  const r = await p.npm(['install', 'scripted-sneaky']);
  assert.notEqual(r.code, 0, r.output);
  assert.match(r.output, /scripted-sneaky@1\.0\.0 is blocked by Airlock: its tarball could not be inspected \(more than one package\.json at the package root \(package\/package\.json, package\/\.\/package\.json\)\)/);
});

test('a package.json Airlock cannot read (larger than 1 MiB) leaves its install scripts unknown: refused under a policy that allows it', async (t) => {
  const manifest = { description: 'x'.repeat(1100 * 1024), scripts: { postinstall: 'node -e "1"' } };
  const packages = [...FIXTURE_PACKAGES, { name: 'scripted-big', versions: [{ version: '1.0.0', manifest }] }];
  const s = await e2e({ packages });
  t.after(() => s.close());
  const p = await s.project();
  const r = await p.npm(['install', 'scripted-big']);
  assert.notEqual(r.code, 0, r.output);
  assert.match(r.output, /scripted-big@1\.0\.0 is blocked by Airlock: its tarball could not be inspected \(package\.json is larger than 1048576 bytes\)/);
});
