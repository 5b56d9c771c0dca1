/**
 * Tarballs Airlock cannot fully inspect, though npm can extract them: a lone zero block after
 * package.json (node-tar reads past it, Airlock's tar reader refuses it), a second root
 * package.json under another path, two pax headers for one entry (node-tar merges them), a
 * package.json too large to read. Whatever the policy says,
 * the gate holds them for review; a reviewer who releases one after seeing why takes
 * responsibility, and npm then installs it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FIXTURE_PACKAGES } from '../../npm/fixtures.ts';
import { paxRecord, type FixturePackage } from '../../support/npm-registry/index.ts';
import { e2e, quarantineIdIn } from './support.ts';

const ODD_TAR: FixturePackage = { name: 'odd-tar', versions: [{ version: '1.0.0', layout: { strayZeroBlockAfter: 1 } }] };
/** What npm prints for a version the gate held because its tarball could not be read (`why`). */
const held = (label: string, why: string): RegExp =>
  new RegExp(`${label} is quarantined by Airlock: its content could not be inspected completely \\(${why}\\); held for review whatever the policy allows \\[airlock\\.uninspectable\\]\\. Quarantine id \\S+;`);

test('a policy that allows an uninspectable tarball: the gate holds it for review; released, npm installs it', async (t) => {
  const s = await e2e({ packages: [...FIXTURE_PACKAGES, ODD_TAR] });
  t.after(() => s.close());
  const p = await s.project();
  const first = await p.npm(['install', 'odd-tar']);
  assert.notEqual(first.code, 0);
  assert.match(first.output, held('odd-tar@1\\.0\\.0', 'data after an end-of-archive block'));

  const release = await s.cli(['quarantine', 'release', quarantineIdIn(first.output), '--reason', 'a stray zero block from an old packer; contents read by hand']);
  assert.equal(release.code, 0, release.output);
  const again = await p.npm(['install', 'odd-tar']);
  assert.equal(again.code, 0, again.output);
  assert.equal((await p.readJson('node_modules/odd-tar/package.json'))['version'], '1.0.0');
  // The entry after the zero block was extracted too.
  assert.match(await readFile(join(p.dir, 'node_modules/odd-tar/index.js'), 'utf8'), /odd-tar@1\.0\.0/);
});

test('the built-in policy quarantines it by its own rule, and the reviewer sees the inspection error in the record', async (t) => {
  const s = await e2e({ packages: [...FIXTURE_PACKAGES, ODD_TAR], config: { policy: { paths: [] } } });
  t.after(() => s.close());
  const p = await s.project();
  const first = await p.npm(['install', 'odd-tar']);
  assert.notEqual(first.code, 0);
  assert.match(first.output, /odd-tar@1\.0\.0 is quarantined by Airlock: .*data after an end-of-archive block.*\[tarball\.uninspectable\]/);

  const shown = await s.cli(['quarantine', 'show', quarantineIdIn(first.output), '--format', 'json']);
  assert.equal(shown.code, 0, shown.output);
  const record = JSON.parse(shown.stdout) as { reasons: Array<{ message: string }>; facts: { tarball: { inspection_error: string } } };
  assert.match(record.reasons.map((r) => r.message).join('\n'), /could not be inspected completely: data after an end-of-archive block/);
  assert.equal(record.facts.tarball.inspection_error, 'data after an end-of-archive block');
});

test('a second package.json that npm writes over the first (package/./package.json) does not hide its install script', async (t) => {
  // The packument and the first manifest say nothing of scripts; npm extracts the second one
  // last, over the first, so the package on disk has a postinstall the inspection never saw.
  const sneaky = { name: 'scripted-sneaky', version: '1.0.0', description: 'scripted-sneaky fixture', main: 'index.js', license: 'MIT', scripts: { postinstall: 'node -e "1"' } };
  const packages = [...FIXTURE_PACKAGES, { name: 'scripted-sneaky', versions: [{ version: '1.0.0', files: [{ path: 'package/./package.json', content: JSON.stringify(sneaky) }] }] }];
  const s = await e2e({ packages });
  t.after(() => s.close());
  const r = await (await s.project()).npm(['install', 'scripted-sneaky']);
  assert.notEqual(r.code, 0, r.output);
  assert.match(r.output, held('scripted-sneaky@1\\.0\\.0', 'more than one package\\.json at the package root \\(package/package\\.json, package/\\./package\\.json\\)'));
});

test('two pax headers for one entry, which npm merges so that a file named notes.txt is extracted as package.json, are refused', async (t) => {
  // node-tar merges a second pax header into the first: the first one's path names the file
  // after both. A reader that keeps only the last header saw notes.txt and no script.
  const sneaky = { name: 'scripted-pax', version: '1.0.0', main: 'index.js', scripts: { postinstall: 'node -e "1"' } };
  const files = [
    { path: 'PaxHeader/a', content: paxRecord('path', 'package/package.json'), raw: { typeflag: 'x' } },
    { path: 'PaxHeader/b', content: paxRecord('comment', 'a second header'), raw: { typeflag: 'x' } },
    { path: 'package/notes.txt', content: JSON.stringify(sneaky) },
  ];
  const s = await e2e({ packages: [...FIXTURE_PACKAGES, { name: 'scripted-pax', versions: [{ version: '1.0.0', files }] }] });
  t.after(() => s.close());
  const r = await (await s.project()).npm(['install', 'scripted-pax']);
  assert.notEqual(r.code, 0, r.output);
  assert.match(r.output, held('scripted-pax@1\\.0\\.0', 'two pax headers for one entry'));
});

test('a package.json Airlock cannot read (larger than 1 MiB) leaves its install scripts unknown: held under a policy that allows it', async (t) => {
  const manifest = { description: 'x'.repeat(1100 * 1024), scripts: { postinstall: 'node -e "1"' } };
  const s = await e2e({ packages: [...FIXTURE_PACKAGES, { name: 'scripted-big', versions: [{ version: '1.0.0', manifest }] }] });
  t.after(() => s.close());
  const r = await (await s.project()).npm(['install', 'scripted-big']);
  assert.notEqual(r.code, 0, r.output);
  assert.match(r.output, held('scripted-big@1\\.0\\.0', 'package\\.json is larger than 1048576 bytes'));
});
