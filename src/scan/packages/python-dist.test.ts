import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { ByteSource } from '../types.ts';
import { MemorySource } from '../sources/memory-source.ts';
import { DEFAULT_PYTHON_DIST_LIMITS, inspectPythonDist, type PythonDistInspection } from './python-dist.ts';
import { parseBuildBackend, parseCommands, parseCoreMetadata, parsePth } from './dist-text.ts';
import { buildTar, buildTarGz, buildZip, type ZipInput } from './test-archives.ts';
import { paxHeader, realTar, resum } from '../../../test/support/gnu-tar.ts';

const METADATA = [
  'Metadata-Version: 2.4',
  'Name: demo-pkg',
  'Version: 1.2.3',
  'Summary: A demo',
  '  that folds',
  'Requires-Python: >=3.9',
  'Requires-Dist: requests>=2',
  'Requires-Dist: rich; extra == "cli"',
  'License-Expression: MIT',
  'License: ignored when an expression exists',
  'Home-page: https://example.org/demo',
  'Project-URL: Source, https://git.example/demo',
  'Author: Ada',
  'Author-email: ada@example.org',
  'Name: second-name-ignored',
  '',
  'Name: body-is-not-a-header',
  '',
].join('\r\n');

const ENTRY_POINTS = '[console_scripts]\ndemo = demo.cli:main\ndemo-admin=demo.cli:admin\n\n[gui_scripts]\ndemo-gui = demo.gui:run\n\n[demo.plugins]\nnot-a-command = demo.x:y\n';

const inspect = (bytes: Uint8Array, kind: 'wheel' | 'sdist', limits = DEFAULT_PYTHON_DIST_LIMITS): Promise<PythonDistInspection> =>
  inspectPythonDist(new MemorySource(bytes), kind, limits);

function wheel(extra: readonly ZipInput[] = []): Buffer {
  return buildZip([
    { name: 'demo/__init__.py', data: 'print("hi")\n' },
    { name: 'demo/_speedups.cpython-312-x86_64-linux-gnu.so', data: '\x7fELF', method: 'store' },
    { name: 'demo.libs/libgfortran-1234.so.5.0.0', data: '\x7fELF' },
    { name: 'demo/native.pyd', data: 'MZ' },
    { name: 'demo-1.2.3.dist-info/METADATA', data: METADATA },
    { name: 'demo-1.2.3.dist-info/entry_points.txt', data: ENTRY_POINTS },
    { name: 'demo-1.2.3.dist-info/RECORD', data: '' },
    { name: 'demo-hook.pth', data: '# comment\n  import not_at_line_start\nimport os; os.system("id")\r\nimport\tsys\n' },
    { name: 'demo-paths.pth', data: 'demo/extra\n# import nothing\n' },
    { name: 'demo-1.2.3.data/purelib/late.pth', data: 'import late_hook\n' },
    { name: 'demo-1.2.3.data/data/share/not-site.pth', data: 'import never_run\n' },
    { name: 'demo-1.2.3.data/scripts/demo-tool', data: '#!python\nprint(1)\n' },
    { name: 'demo-1.2.3.data/scripts/', data: '' },
    ...extra,
  ]);
}

test('a normal wheel: exact METADATA bytes, fields, commands, .pth, scripts, native code', async () => {
  const r = await inspect(wheel(), 'wheel');
  assert.equal(r.problem, null);
  assert.equal(r.kind, 'wheel');
  assert.ok(r.metadata !== null && Buffer.isBuffer(r.metadata));
  assert.ok(r.metadata.equals(Buffer.from(METADATA, 'utf8')));
  assert.deepEqual(r.metadataFields, {
    name: 'demo-pkg',
    version: '1.2.3',
    requiresPython: '>=3.9',
    requiresDist: ['requests>=2', 'rich; extra == "cli"'],
    summary: 'A demo  that folds',
    license: 'MIT',
    projectUrls: ['https://example.org/demo', 'https://git.example/demo'],
    author: 'Ada',
    metadataVersion: '2.4',
  });
  assert.deepEqual(r.commands, ['demo', 'demo-admin', 'demo-gui']);
  const pth = Object.fromEntries(r.pthFiles.map((p) => [p.path, p]));
  assert.deepEqual(Object.keys(pth).sort(), ['demo-1.2.3.data/purelib/late.pth', 'demo-hook.pth', 'demo-paths.pth']);
  assert.deepEqual(pth['demo-hook.pth'], { path: 'demo-hook.pth', executes: true, lines: ['import os; os.system("id")', 'import\tsys'] });
  assert.deepEqual(pth['demo-paths.pth'], { path: 'demo-paths.pth', executes: false, lines: [] });
  assert.equal(pth['demo-1.2.3.data/purelib/late.pth']?.executes, true);
  assert.deepEqual(r.dataScripts, ['demo-1.2.3.data/scripts/demo-tool']);
  assert.deepEqual(r.nativeLibraries, [
    'demo/_speedups.cpython-312-x86_64-linux-gnu.so',
    'demo.libs/libgfortran-1234.so.5.0.0',
    'demo/native.pyd',
  ]);
  assert.equal(r.fileCount, 12);
  assert.ok(r.unpackedSize > METADATA.length);
  assert.deepEqual(r.unsafePaths, []);
  assert.equal(r.hasSetupPy, false);
  assert.equal(r.buildBackend, null);
  assert.ok(Object.isFrozen(r));
});

test('two .dist-info directories at the root are a problem and no metadata is chosen', async () => {
  const r = await inspect(wheel([{ name: 'other-9.9.dist-info/METADATA', data: 'Name: other\n' }]), 'wheel');
  assert.match(r.problem ?? '', /2 \.dist-info directories/);
  assert.equal(r.metadata, null);
  assert.equal(r.metadataFields.name, null);
  assert.deepEqual(r.commands, []);
  assert.equal(r.nativeLibraries.length, 3);
});

const PKG_INFO = 'Metadata-Version: 2.1\nName: legacy\nVersion: 0.1\nSummary: old style\n\nlong description\n';

test('an sdist with setup.py and PKG-INFO (tar.gz)', async () => {
  const bytes = buildTarGz([
    { name: 'legacy-0.1', type: '5' },
    { name: 'legacy-0.1/PKG-INFO', data: PKG_INFO },
    { name: 'legacy-0.1/setup.py', data: 'from setuptools import setup\nsetup()\n' },
    { name: 'legacy-0.1/legacy/__init__.py', data: '' },
    { name: 'legacy-0.1/legacy/_c.so', data: 'ELF' },
  ]);
  const r = await inspect(bytes, 'sdist');
  assert.equal(r.problem, null);
  assert.equal(r.kind, 'sdist');
  assert.ok(r.metadata?.equals(Buffer.from(PKG_INFO)));
  assert.equal(r.metadataFields.name, 'legacy');
  assert.equal(r.metadataFields.version, '0.1');
  assert.equal(r.hasSetupPy, true);
  assert.deepEqual(r.setupPy, { path: 'legacy-0.1/setup.py', text: 'from setuptools import setup\nsetup()\n' });
  assert.equal(r.buildBackend, null);
  assert.equal(r.fileCount, 4);
  assert.deepEqual(r.nativeLibraries, ['legacy-0.1/legacy/_c.so']);
  assert.deepEqual(r.pthFiles, []);
  assert.deepEqual(r.commands, []);
  assert.deepEqual(r.dataScripts, []);
});

test('an sdist with only a pyproject build backend', async () => {
  const pyproject = [
    '[project]',
    'name = "modern"',
    '',
    '[build-system] # the backend',
    'requires = ["hatchling"]',
    'build-backend = "hatchling.build"',
    '',
    '[tool.hatch]',
    'build-backend = "not-this"',
  ].join('\n');
  const r = await inspect(
    buildTarGz([
      { name: 'modern-2.0/pyproject.toml', data: pyproject },
      { name: 'modern-2.0/PKG-INFO', data: 'Metadata-Version: 2.3\nName: modern\nVersion: 2.0\n' },
      { name: 'modern-2.0/src/modern/__init__.py', data: '' },
    ]),
    'sdist',
  );
  assert.equal(r.problem, null);
  assert.equal(r.hasSetupPy, false);
  assert.equal(r.buildBackend, 'hatchling.build');
  assert.equal(r.metadataFields.version, '2.0');
});

test('a legacy zip sdist and a plain tar sdist', async () => {
  const zip = await inspect(
    buildZip([
      { name: 'legacy-0.1/PKG-INFO', data: PKG_INFO },
      { name: 'legacy-0.1/setup.py', data: 'import setuptools\n' },
      { name: 'legacy-0.1/pyproject.toml', data: "[build-system]\nbuild-backend = 'setuptools.build_meta'\n" },
    ]),
    'sdist',
  );
  assert.equal(zip.problem, null);
  assert.ok(zip.metadata?.equals(Buffer.from(PKG_INFO)));
  assert.equal(zip.hasSetupPy, true);
  assert.equal(zip.buildBackend, 'setuptools.build_meta');
  const tar = await inspect(buildTar([{ name: 'x-1/PKG-INFO', data: PKG_INFO }, { name: 'x-1/setup.py', data: '' }]), 'sdist');
  assert.equal(tar.problem, null);
  assert.equal(tar.hasSetupPy, true);
  assert.equal(tar.metadataFields.name, 'legacy');
});

test('several top-level directories: PKG-INFO comes from the one that has it', async () => {
  const r = await inspect(
    buildTarGz([
      { name: 'docs/index.md', data: '#' },
      { name: 'real-1.0/PKG-INFO', data: PKG_INFO },
      { name: 'real-1.0/pyproject.toml', data: '[build-system]\nbuild-backend = "flit_core.buildapi"\n' },
      { name: 'other/pyproject.toml', data: '[build-system]\nbuild-backend = "evil.backend"\n' },
      { name: 'other/PKG-INFO', data: 'Name: other\n' },
    ]),
    'sdist',
  );
  assert.equal(r.problem, null);
  assert.equal(r.metadataFields.name, 'legacy');
  assert.equal(r.buildBackend, 'flit_core.buildapi');
});

test('unsafe paths: parent segments, absolute, backslashes, drive letters, NUL, escaping links', async () => {
  const w = await inspect(
    wheel([
      { name: '../evil.py', data: 'x' },
      { name: '/etc/cron.d/evil', data: 'x' },
      { name: 'demo\\..\\..\\evil.py', data: 'x' },
      { name: 'C:/Windows/evil.dll', data: 'x' },
      { name: 'demo/nul\0.pth', data: 'x' },
      { name: 'demo/fine..name.py', data: 'x' },
    ]),
    'wheel',
  );
  assert.deepEqual(w.unsafePaths, ['../evil.py', '/etc/cron.d/evil', 'demo\\..\\..\\evil.py', 'C:/Windows/evil.dll', 'demo/nul\0.pth']);
  assert.equal(w.problem, null);
  // zipfile cuts names at NUL: `hook.pth\0.txt` is installed as `hook.pth`.
  const nul = await inspect(wheel([{ name: 'hook.pth\0.txt', data: 'import evil\n' }]), 'wheel');
  assert.ok(nul.pthFiles.some((p) => p.path === 'hook.pth' && p.executes));
  assert.deepEqual(nul.unsafePaths, ['hook.pth\0.txt']);

  const s = await inspect(
    buildTarGz([
      { name: 'p-1/PKG-INFO', data: PKG_INFO },
      { name: 'p-1/../../x.py', data: 'x' },
      { name: 'p-1/ok-link', type: '2', linkname: '../p-1/setup.cfg' },
      { name: 'p-1/bad-link', type: '2', linkname: '../../etc/passwd' },
      { name: 'p-1/abs-link', type: '2', linkname: '/etc/shadow' },
      { name: 'p-1/hard', type: '1', linkname: '../outside' },
      { name: 'p-1/hard-ok', type: '1', linkname: 'p-1/PKG-INFO' },
    ]),
    'sdist',
  );
  assert.deepEqual(s.unsafePaths, ['p-1/../../x.py', 'p-1/bad-link -> ../../etc/passwd', 'p-1/abs-link -> /etc/shadow', 'p-1/hard -> ../outside']);
  assert.equal(s.problem, null);
});

test('a truncated wheel or sdist is a problem, not an exception', async () => {
  const w = wheel();
  const cut = await inspect(w.subarray(0, Math.floor(w.length * 0.6)), 'wheel');
  assert.match(cut.problem ?? '', /central directory|truncated/);
  const gz = buildTarGz([{ name: 'p-1/PKG-INFO', data: PKG_INFO }, { name: 'p-1/big.bin', data: Buffer.alloc(200_000, 7) }]);
  const s = await inspect(gz.subarray(0, gz.length - 40), 'sdist');
  assert.match(s.problem ?? '', /gzip data is corrupt or truncated/);
  assert.equal(s.metadataFields.name, 'legacy', 'what came before the cut is kept');
  const plain = buildTar([{ name: 'p-1/PKG-INFO', data: PKG_INFO }, { name: 'p-1/big.bin', data: Buffer.alloc(4096, 7) }]);
  const t = await inspect(plain.subarray(0, 2048), 'sdist');
  assert.match(t.problem ?? '', /truncated/);
  const noEnd = await inspect(buildTar([{ name: 'p-1/PKG-INFO', data: PKG_INFO }], { endMarker: false }), 'sdist');
  assert.match(noEnd.problem ?? '', /end-of-archive marker/);
});

test('declared sizes beyond the unpacked limit are a problem (zip bomb-like)', async () => {
  const bomb = buildZip([
    { name: 'demo-1.dist-info/METADATA', data: 'Name: demo\n' },
    { name: 'a.bin', data: 'x', declaredSize: 0xfffffff0 },
    { name: 'b.bin', data: 'x', declaredSize: 0xfffffff0 },
    { name: 'c.bin', data: 'x', declaredSize: 0xfffffff0 },
  ]);
  const r = await inspect(bomb, 'wheel');
  assert.match(r.problem ?? '', /declared unpacked size exceeds the limit of 8589934592 bytes/);
  assert.equal(r.metadataFields.name, 'demo', 'the rest is still inspected');
  assert.ok(r.unpackedSize > 8 * 2 ** 30);

  const limits = { ...DEFAULT_PYTHON_DIST_LIMITS, maxUnpackedBytes: 100_000 };
  const s = await inspect(
    buildTarGz([
      { name: 'p-1/big.bin', data: Buffer.alloc(150_000) },
      { name: 'p-1/PKG-INFO', data: PKG_INFO },
    ]),
    'sdist',
    limits,
  );
  assert.match(s.problem ?? '', /declared unpacked size exceeds/);
  assert.equal(s.metadata, null, 'the walk stops before inflating past the limit');
});

test('entry count, metadata and text size limits', async () => {
  const many = Array.from({ length: 20 }, (_, i) => ({ name: `p-1/f${i}.py`, data: '' }));
  const limits = { ...DEFAULT_PYTHON_DIST_LIMITS, maxEntries: 10 };
  assert.match((await inspect(buildTarGz(many), 'sdist', limits)).problem ?? '', /more than 10 archive members/);
  assert.match((await inspect(buildZip(many), 'sdist', limits)).problem ?? '', /more than 10 archive members/);

  const small = { ...DEFAULT_PYTHON_DIST_LIMITS, maxMetadataBytes: 64, maxTextFileBytes: 16 };
  const r = await inspect(wheel(), 'wheel', small);
  assert.match(r.problem ?? '', /METADATA is larger than 64 bytes/);
  assert.equal(r.metadata, null);
  const hook = r.pthFiles.find((p) => p.path === 'demo-hook.pth');
  assert.deepEqual(hook, { path: 'demo-hook.pth', executes: true, lines: [] }, 'an unread .pth counts as executing');
  const s = await inspect(buildTarGz([{ name: 'p-1/PKG-INFO', data: PKG_INFO.repeat(4) }]), 'sdist', small);
  assert.match(s.problem ?? '', /PKG-INFO is larger than 64 bytes/);
  assert.equal(s.metadata, null);
});

test('non-archive bytes, a gzip that is not a tar, an empty file', async () => {
  const junk = Buffer.from('this is not an archive at all, just text\n'.repeat(20));
  assert.match((await inspect(junk, 'wheel')).problem ?? '', /not a zip archive/);
  assert.match((await inspect(junk, 'sdist')).problem ?? '', /not a gzip, tar or zip archive/);
  assert.match((await inspect(gzipSync(junk), 'sdist')).problem ?? '', /not a tar archive/);
  assert.match((await inspect(buildTarGz([]).subarray(0, 0), 'sdist')).problem ?? '', /empty file/);
  assert.match((await inspect(buildTarGz([{ name: 'p-1/x', data: 'x' }]), 'wheel')).problem ?? '', /not a zip archive/);
  assert.match((await inspect(Buffer.from('PK\x03\x04garbage'), 'wheel')).problem ?? '', /unreadable zip/);
  assert.match((await inspect(Buffer.from('BZh91AY&SY'), 'sdist')).problem ?? '', /bzip2-compressed sdists are not supported/);
});

test('an encrypted member is a problem', async () => {
  const r = await inspect(wheel([{ name: 'demo/secret.py', data: 'x', flags: 1, method: 'store' }]), 'wheel');
  assert.match(r.problem ?? '', /1 encrypted member \(demo\/secret\.py\)/);
  const m = await inspect(buildZip([{ name: 'd-1.dist-info/METADATA', data: 'Name: d\n', flags: 1 }]), 'wheel');
  assert.match(m.problem ?? '', /encrypted/);
  assert.equal(m.metadata, null);
});

test('a member failing its CRC or size check is a problem; METADATA is then not served', async () => {
  const r = await inspect(buildZip([{ name: 'd-1.dist-info/METADATA', data: 'Name: d\n', declaredCrc: 1234 }]), 'wheel');
  assert.match(r.problem ?? '', /fails its CRC check/);
  assert.equal(r.metadata, null);
  const s = await inspect(buildZip([{ name: 'd-1.dist-info/METADATA', data: 'Name: d\n', declaredSize: 4 }]), 'wheel');
  assert.match(s.problem ?? '', /declares 4/);
});

test('duplicate member names are a problem', async () => {
  const r = await inspect(wheel([{ name: 'demo/__init__.py', data: 'other' }]), 'wheel');
  assert.match(r.problem ?? '', /duplicate member name "demo\/__init__\.py"/);
});

test('pax and GNU long names', async () => {
  const top = `long-${'x'.repeat(120)}-1.0`;
  const r = await inspect(
    buildTarGz([
      { name: `${top}/PKG-INFO`, data: PKG_INFO, pax: { path: `${top}/PKG-INFO` } },
      { name: `${top}/${'d/'.repeat(60)}native.so`, data: 'ELF', gnuLongName: true },
      { name: `${top}/short-in-header`, data: 'x', pax: { path: `${top}/setup.py` } },
      { name: `${top}/link`, type: '2', linkname: 'ignored', pax: { path: `${top}/link`, linkpath: `../../${'y'.repeat(120)}` } },
      // Without a path record the 100-byte header name is all there is.
      { name: `${top}/truncated-name.so`, data: 'x' },
    ]),
    'sdist',
  );
  assert.equal(r.problem, null);
  assert.equal(r.metadataFields.name, 'legacy');
  assert.deepEqual(r.nativeLibraries, [`${top}/${'d/'.repeat(60)}native.so`]);
  assert.equal(r.fileCount, 4);
  assert.equal(r.hasSetupPy, true);
  assert.deepEqual(r.unsafePaths, [`${top}/link -> ../../${'y'.repeat(120)}`]);
});

test('a path prefix without the ustar magic is a problem: tarfile joins it to the name, tar and uv do not', async () => {
  const archive = realTar('gnu', [{ path: 'setup.py', content: 'x' }]);
  archive.set(Buffer.from('demo-1.0'), 345);
  resum(archive.subarray(0, 512));
  const r = await inspect(archive, 'sdist');
  assert.match(r.problem ?? '', /tar header at 0 has a path prefix without the ustar magic/);
});

test('a global pax path is a problem: tarfile names every member after it by it', async () => {
  const archive = realTar('ustar', [{ path: 'demo-1.0/PKG-INFO', content: PKG_INFO }]);
  const global = paxHeader({ path: 'demo-1.0/setup.py' });
  global[156] = 0x67;
  resum(global.subarray(0, 512));
  const r = await inspect(Buffer.concat([global, archive]), 'sdist');
  assert.match(r.problem ?? '', /tar header at 0 is a global pax header setting path: Python's tarfile applies it/);
  const comment = paxHeader({ comment: 'git archive' });
  comment[156] = 0x67;
  assert.equal((await inspect(Buffer.concat([resum(comment.subarray(0, 512)), comment.subarray(512), archive]), 'sdist')).problem, null);
});

test('errors reading the source are thrown, not reported', async () => {
  const failing = (bytes: Uint8Array): ByteSource => {
    const inner = new MemorySource(bytes);
    return {
      size: bytes.length,
      read: (offset, length) => (offset > 0 ? Promise.reject(new Error('disk on fire')) : inner.read(offset, length)),
    };
  };
  await assert.rejects(inspectPythonDist(failing(wheel()), 'wheel'), /disk on fire/);
  const big = buildTarGz([{ name: 'p/x.bin', data: randomBytes(300_000) }]);
  await assert.rejects(inspectPythonDist(failing(big), 'sdist'), /disk on fire/);
});

test('invalid limits are refused', async () => {
  await assert.rejects(inspect(wheel(), 'wheel', { ...DEFAULT_PYTHON_DIST_LIMITS, maxEntries: -1 }), RangeError);
});

test('text readers: metadata headers, entry points, .pth, pyproject', () => {
  const f = parseCoreMetadata(Buffer.from('Name: a\nbad line without colon\nVersion: 1\n'));
  assert.equal(f.name, 'a');
  assert.equal(f.version, null, 'a non-header line starts the body');
  assert.equal(parseCoreMetadata(Buffer.from('License: BSD\nAuthor-email: x@y\n')).license, 'BSD');
  assert.equal(parseCoreMetadata(Buffer.from('Author-email: x@y\n')).author, 'x@y');
  assert.equal(parseCoreMetadata(Buffer.from(`Summary: ${'s'.repeat(5000)}\n`)).summary?.length, 1024);
  assert.deepEqual(parseCommands('[console_scripts]\n# c\n; c\na = b:c\n =x\n[gui_scripts ]\ng=h\n', 64), ['a', 'g']);
  assert.deepEqual(parsePth(Buffer.from('\ufeffimport a\n')), { executes: true, lines: ['import a'] });
  assert.deepEqual(parsePth(Buffer.from(' import a\nimportlib\n#import b\n')), { executes: false, lines: [] });
  const long = parsePth(Buffer.from(`import ${'z'.repeat(600)}\n`.repeat(20)));
  assert.equal(long.lines.length, 16);
  assert.equal(long.lines[0]?.length, 512);
  assert.equal(parseBuildBackend('build-system.build-backend = "dotted.backend"\n'), 'dotted.backend');
  assert.equal(parseBuildBackend('build-system = { requires = [], build-backend = "inline.backend" }\n'), 'inline.backend');
  assert.equal(parseBuildBackend('[ "build-system" ]\n"build-backend" = \'quoted.backend\' # c\n'), 'quoted.backend');
  assert.equal(parseBuildBackend('[project]\nbuild-backend = "no"\n[[tool.x]]\nbuild-backend = "no"\n'), null);
  assert.equal(parseBuildBackend('[build-system]\nrequires = ["setuptools"]\n'), null);
});

function hasPython(): boolean {
  try {
    execFileSync('python3', ['-c', 'import zipfile, tarfile'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const PY_BUILD = String.raw`
import io, sys, tarfile, zipfile
out = sys.argv[1]
meta = b"Metadata-Version: 2.1\nName: pyreal\nVersion: 3.1.4\nRequires-Dist: numpy>=1.20\n\nbody\n"
with zipfile.ZipFile(out + "/pyreal-3.1.4-py3-none-any.whl", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("pyreal/__init__.py", "x = 1\n")
    z.writestr("pyreal/_ext.cpython-311-x86_64-linux-gnu.so", b"\x7fELF" + bytes(1000))
    z.writestr("pyreal-3.1.4.dist-info/METADATA", meta)
    z.writestr("pyreal-3.1.4.dist-info/entry_points.txt", "[console_scripts]\npyreal = pyreal:main\n")
    z.writestr("pyreal-3.1.4.data/scripts/pyreal-run", "#!python\n")
    z.writestr("pyreal_hook.pth", "import pyreal\n")
    z.writestr("pyreal-3.1.4.dist-info/RECORD", "")
def add(t, name, data=b"", **kw):
    info = tarfile.TarInfo(name)
    for k, v in kw.items(): setattr(info, k, v)
    info.size = len(data) if info.type == tarfile.REGTYPE else 0
    t.addfile(info, io.BytesIO(data) if data else None)
top = "pyreal-3.1.4"
deep = top + "/" + "/".join(["deep"] * 30) + "/mod.so"
for fmt, name in ((tarfile.PAX_FORMAT, "pax"), (tarfile.GNU_FORMAT, "gnu")):
    with tarfile.open(out + "/pyreal-" + name + ".tar.gz", "w:gz", format=fmt) as t:
        add(t, top, type=tarfile.DIRTYPE)
        add(t, top + "/PKG-INFO", meta)
        add(t, top + "/pyproject.toml", b"[build-system]\nrequires = ['setuptools']\nbuild-backend = 'setuptools.build_meta'\n")
        add(t, top + "/setup.py", b"from setuptools import setup\nsetup()\n")
        add(t, deep, b"\x7fELF")
        add(t, top + "/escape", type=tarfile.SYMTYPE, linkname="../../../etc/passwd")
`;

test('archives written by Python zipfile and tarfile', { skip: hasPython() ? false : 'python3 not on PATH' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'python-dist-'));
  try {
    execFileSync('python3', ['-c', PY_BUILD, dir]);
    const meta = 'Metadata-Version: 2.1\nName: pyreal\nVersion: 3.1.4\nRequires-Dist: numpy>=1.20\n\nbody\n';
    const w = await inspect(readFileSync(join(dir, 'pyreal-3.1.4-py3-none-any.whl')), 'wheel');
    assert.equal(w.problem, null);
    assert.ok(w.metadata?.equals(Buffer.from(meta)));
    assert.deepEqual(w.metadataFields.requiresDist, ['numpy>=1.20']);
    assert.deepEqual(w.commands, ['pyreal']);
    assert.deepEqual(w.dataScripts, ['pyreal-3.1.4.data/scripts/pyreal-run']);
    assert.deepEqual(w.pthFiles, [{ path: 'pyreal_hook.pth', executes: true, lines: ['import pyreal'] }]);
    assert.deepEqual(w.nativeLibraries, ['pyreal/_ext.cpython-311-x86_64-linux-gnu.so']);
    assert.equal(w.fileCount, 7);
    for (const flavour of ['pax', 'gnu']) {
      const s = await inspect(readFileSync(join(dir, `pyreal-${flavour}.tar.gz`)), 'sdist');
      assert.equal(s.problem, null, flavour);
      assert.ok(s.metadata?.equals(Buffer.from(meta)), flavour);
      assert.equal(s.metadataFields.version, '3.1.4');
      assert.equal(s.hasSetupPy, true);
      assert.equal(s.buildBackend, 'setuptools.build_meta');
      assert.deepEqual(s.nativeLibraries, [`pyreal-3.1.4/${Array(30).fill('deep').join('/')}/mod.so`], flavour);
      assert.deepEqual(s.unsafePaths, ['pyreal-3.1.4/escape -> ../../../etc/passwd'], flavour);
      assert.equal(s.fileCount, 4);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a pyproject.toml line built to make a table-header pattern backtrack is read at once', { timeout: 10_000 }, async () => {
  // `[` + spaces + `]x`: cubic for the regular expression this parser once used (9.8 s for 3,000 spaces).
  const hostile = `[${' '.repeat(200_000)}]x\n[build-system]\nbuild-backend = "setuptools.build_meta"\n`;
  assert.equal(parseBuildBackend(hostile), 'setuptools.build_meta');
  const r = await inspect(buildTarGz([{ name: 'p-1.0/PKG-INFO', data: PKG_INFO }, { name: 'p-1.0/pyproject.toml', data: hostile }]), 'sdist');
  assert.equal(r.buildBackend, 'setuptools.build_meta');
});

test('.pth files are read once per name and at most 128 of them: the rest count as executing, and say so', async () => {
  const many = Array.from({ length: 130 }, (_, i) => ({ name: `hook-${String(i).padStart(3, '0')}.pth`, data: 'extra/path\n' }));
  const r = await inspect(wheel(many), 'wheel');
  assert.match(r.problem ?? '', /more than 128 \.pth files/);
  // Two demo .pth files of the wheel itself and the late one come first; the unread ones execute (fail closed).
  assert.ok(r.pthFiles.some((p) => p.path === 'hook-129.pth' && p.executes && p.lines.length === 0), JSON.stringify(r.pthFiles.slice(0, 5)));
});

test('an inspection past its deadline stops, and what it left unread is a problem', async () => {
  const bytes = buildTarGz([{ name: 'p-1.0/PKG-INFO', data: PKG_INFO }, { name: 'p-1.0/setup.py', data: 'x = 1\n' }]);
  const r = await inspectPythonDist(new MemorySource(bytes), 'sdist', DEFAULT_PYTHON_DIST_LIMITS, AbortSignal.abort());
  assert.match(r.problem ?? '', /the inspection ran out of time/);
  assert.equal(r.setupPy, null);
});
