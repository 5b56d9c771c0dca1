import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { paxRecord, tar, type TarFile } from '../../../test/support/npm-registry/index.ts';
import { inspectTarball } from './tarball-inspect.ts';

const plain: TarFile = { path: 'package/package.json', content: '{"name":"x","version":"1.0.0"}' };
const scripted = '{"name":"x","version":"1.0.0","scripts":{"postinstall":"node evil.js"}}';
const ustarEntry = (path: string, content: string): Buffer => tar([{ path, content }]).subarray(0, 512 + Math.ceil(Buffer.byteLength(content) / 512) * 512);
/** A header and data that a reader taking the bytes before them for one entry's data never sees. */
const smuggled = ustarEntry('package/package.json', scripted);
const pax = (...records: [string, string][]): string => records.map(([k, v]) => paxRecord(k, v)).join('');

async function inspect(files: readonly TarFile[]) {
  return inspectTarball(gzipSync(tar([plain, ...files])));
}

// Each archive below puts a package.json with an install script where at least one client
// installs it and a reader of the archive one way would not see it. Which client reads what was
// checked by hand against node-tar 7.5.22 (npm 11), tar-fs 1.16 with tar-stream 1.6 (yarn 1),
// pnpm 10.34's own parser and yarn 4.18's extractArchiveTo, with a script not kept in the
// repository.
const refused: ReadonlyArray<readonly [string, readonly TarFile[], RegExp]> = [
  // npm: node-tar lets the later of the two paths win, pnpm the long name, tar-stream the pax path.
  ['a pax path and then a GNU long name', [
    { path: 'PaxHeader/x', content: pax(['path', 'package/other']), raw: { typeflag: 'x' } },
    { path: '././@LongLink', content: 'package/package.json\0', raw: { typeflag: 'L' } },
    { path: 'package/zzz', content: scripted },
  ], /both a pax path and a GNU long name/],
  // npm: node-tar merges two pax headers, so the first one's path names the entry.
  ['two pax headers', [
    { path: 'PaxHeader/x', content: pax(['path', 'package/package.json']), raw: { typeflag: 'x' } },
    { path: 'PaxHeader/y', content: pax(['comment', 'hi']), raw: { typeflag: 'x' } },
    { path: 'package/zzz', content: scripted },
  ], /two pax headers for one entry/],
  // npm: node-tar reads `X` as a pax header and `N` as a long name (yarn 1 too); pnpm fails.
  ['an old-style pax header (X)', [
    { path: 'PaxHeader/x', content: pax(['path', 'package/package.json']), raw: { typeflag: 'X' } },
    { path: 'package/zzz', content: scripted },
  ], /unsupported entry type "X"/],
  ['an old GNU long name (N)', [
    { path: '././@LongLink', content: 'package/package.json\0', raw: { typeflag: 'N' } },
    { path: 'package/zzz', content: scripted },
  ], /unsupported entry type "N"/],
  // npm: node-tar cuts a pax value at a NUL and splits records on newlines, ignoring lengths.
  ['a pax path with a NUL', [
    { path: 'PaxHeader/x', content: pax(['path', 'package/package.json\0junk']), raw: { typeflag: 'x' } },
    { path: 'package/zzz', content: scripted },
  ], /newline or NUL/],
  ['a pax value with a newline', [
    { path: 'PaxHeader/x', content: paxRecord('comment', `a\n${paxRecord('path', 'package/package.json').trimEnd()}`), raw: { typeflag: 'x' } },
    { path: 'package/zzz', content: scripted },
  ], /newline or NUL/],
  // npm: node-tar reads a file whose path ends in / as a directory with no data.
  ['a file whose path ends in /', [{ path: 'package/d/', content: smuggled.toString('latin1'), raw: { typeflag: '0' } }], /a file whose path ends in \//],
  // npm: node-tar reads a signed checksum as a bad header, skips it and reads its data as headers.
  ['a signed checksum', [{ path: 'package/caf\u00e9', content: smuggled.toString('latin1'), raw: { signedChecksum: true } }], /checksum/],
  // npm: node-tar reads the checksum on into the type flag (12 bytes), finds it wrong, skips the header and reads its data as headers.
  ['a checksum of eight digits before the type flag', [{ path: 'package/pad', content: smuggled.toString('latin1'), raw: { checksumField: 'eight-digits' } }], /a checksum field node-tar reads on past/],
  ['a base-256 checksum', [{ path: 'package/pad', content: smuggled.toString('latin1'), raw: { checksumField: 'base-256' } }], /a checksum field node-tar reads on past/],
  // npm: node-tar skips as many bytes as the length's value has digits, so `030 path=` leaves it the key `0 path`.
  ['a pax length with a leading zero', [
    { path: 'PaxHeader/x', content: `0${paxRecord('path', 'package/zzz').replace(/^\d+/, (n) => String(Number(n) + 1))}`, raw: { typeflag: 'x' } },
    { path: 'package/package.json', content: scripted },
  ], /a pax record length with a leading zero/],
  // npm: node-tar reads a body for a link that claims one.
  ['a symlink that claims data', [{ path: 'package/lnk', type: 'symlink', linkTarget: 'x', content: smuggled.toString('latin1'), raw: { claimedSize: smuggled.length } }], /a symlink that claims 1024 bytes/],
  // pnpm reads a body for a directory that claims one.
  ['a directory that claims data', [{ path: 'package/d/', type: 'directory', content: smuggled.toString('latin1'), raw: { claimedSize: smuggled.length } }], /a directory that claims/],
  // npm and tar-stream apply a global pax size to every entry after it.
  ['a global pax size', [{ path: 'pax_global_header', content: pax(['size', '0']), raw: { typeflag: 'g' } }], /a global pax header setting size/],
  ['a global pax path', [{ path: 'pax_global_header', content: pax(['path', 'package/package.json']), raw: { typeflag: 'g' } }], /a global pax header setting path/],
  ['a pax entry type', [{ path: 'PaxHeader/x', content: pax(['type', '5']), raw: { typeflag: 'x' } }, { path: 'package/f', content: 'x' }], /a pax header setting type/],
  // pnpm skips leading NULs in a size field, node-tar reads an empty number.
  ['a size field with a leading NUL', [{ path: 'package/pad', content: smuggled.toString('latin1'), raw: { sizeField: Buffer.from(`\0${smuggled.length.toString(8).padStart(10, '0')}\0`) } }], /size field is not an octal/],
  // pnpm: a path without `/` is kept whole, so these become its package.json.
  ['a package.json outside the package folder', [{ path: 'package.json', content: scripted }], /a file outside the package folder/],
  ['a pax path without a folder', [
    { path: 'PaxHeader/x', content: pax(['path', 'package.json']), raw: { typeflag: 'x' } },
    { path: 'package/zzz', content: scripted },
  ], /a file outside the package folder/],
  ['a GNU long name without a folder', [
    { path: '././@LongLink', content: 'package.json\0', raw: { typeflag: 'L' } },
    { path: 'package/zzz', content: scripted },
  ], /a file outside the package folder/],
  // yarn 1 and pnpm resolve `..` (npm skips the entry): their package.json.
  ['.. inside the package', [{ path: 'package/a/../package.json', content: scripted }], /a path with \.\. inside the package/],
  // yarn 1 and pnpm read a prefix whatever the magic; node-tar only behind `ustar\0 00`.
  ['a prefix without the ustar magic', [{ path: 'package.json', content: scripted, raw: { magic: 'v7', prefix: 'package' } }], /a path prefix in a header that is not ustar/],
  ['a prefix behind GNU magic', [{ path: 'package.json', content: scripted, raw: { magic: 'gnu', prefix: 'package' } }], /a path prefix in a header that is not ustar/],
  // node-tar on Linux keeps `a\b` as one name and strips it, so `a\b/package.json` is its package.json.
  ['a backslash in a path', [{ path: 'a\\b/package.json', content: scripted }], /a path with a backslash/],
  // pnpm stops at a header whose name starts with NUL.
  ['an entry without a name', [
    { path: 'PaxHeader/x', content: pax(['path', 'package/zzz']), raw: { typeflag: 'x' } },
    { path: 'ignored', content: 'x', raw: { emptyName: true } },
  ], /an entry without a name/],
  // yarn 1 creates links: one named package.json replaces the manifest, a path under one writes through it.
  ['a link named package.json', [{ path: 'package/evil.json', content: scripted }, { path: 'package/package.json', type: 'symlink', linkTarget: 'evil.json', content: '' }], /a link named package.json/],
  ['a file written through a link', [{ path: 'package/sub', type: 'symlink', linkTarget: '.', content: '' }, { path: 'package/sub/package.json', content: scripted }], /a path inside a link/],
  // yarn 4 normalizes before it strips the first folder: `./package/package.json` is its package.json
  // (npm, yarn 1 and pnpm write package/package.json); the same for binding.gyp, for the files
  // install hooks run (the gate reads them where npm puts them), for any file and for a link.
  ['a path starting with ./', [{ path: './package/package.json', content: scripted }], /a path yarn 4 places elsewhere/],
  ['a binding.gyp under ./package/', [{ path: './package/binding.gyp', content: '{}' }], /a path yarn 4 places elsewhere/],
  ['an install hook\'s file under ./package/', [{ path: 'package/install.js', content: '' }, { path: './package/install.js', content: 'require("child_process")' }], /a path yarn 4 places elsewhere/],
  ['a file under ./lib/', [{ path: './lib/install.js', content: '' }], /a path yarn 4 places elsewhere/],
  // A case-insensitive disk (macOS, Windows) keeps one body (node-tar writes the later over the
  // earlier), other disks both: `node install.js` runs a different body depending on the disk.
  ['two files that differ only in case', [{ path: 'package/install.js', content: '' }, { path: 'package/INSTALL.JS', content: 'require("child_process")' }], /two files that are one on a case-insensitive disk \(install\.js\)/],
  ['two folders that differ only in case', [{ path: 'package/lib/install.js', content: '' }, { path: 'package/Lib/install.js', content: 'require("child_process")' }], /one on a case-insensitive disk/],
  ['two files that differ only in Unicode form', [{ path: 'package/caf\u00e9.js', content: '' }, { path: 'package/cafe\u0301.js', content: 'x' }], /one on a case-insensitive disk/],
  ['a link starting with ./', [{ path: 'package/evil.json', content: scripted }, { path: './package/lib', type: 'symlink', linkTarget: '..', content: '' }], /a path yarn 4 places elsewhere/],
];

for (const [name, files, error] of refused) {
  test(`an archive the clients read differently is not inspectable: ${name}`, async () => {
    const r = await inspect(files);
    assert.match(r.error ?? '', error);
  });
}

test('forms real package tarballs use still read: pax and global comments, GNU and v7 headers, links, directories', async () => {
  const r = await inspect([
    { path: 'pax_global_header', content: pax(['comment', 'abc123']), raw: { typeflag: 'g' } },
    { path: 'PaxHeader/a', content: pax(['path', `package/${'long/'.repeat(30)}a.js`], ['mtime', '1.5'], ['NODETAR.type', 'File'], ['SCHILY.dev', '1']), raw: { typeflag: 'x' } },
    { path: 'package/long-a.js', content: 'a' },
    { path: 'package/gnu.js', content: 'b', raw: { magic: 'gnu' } },
    { path: 'package/v7.js', content: 'c', raw: { magic: 'v7' } },
    { path: 'package/prefixed.js', content: 'd', raw: { prefix: 'package/lib' } },
    { path: 'package/lib/', type: 'directory', content: '' },
    { path: 'package/link', type: 'symlink', linkTarget: 'index.js', content: '' },
    { path: 'package/hard', type: 'hardlink', linkTarget: 'package/gnu.js', content: '' },
    { path: 'package/./dot.js', content: 'e' },
    { path: '../outside-first.js', content: 'f' },
    { path: 'package/size', content: 'gh', raw: { sizeField: Buffer.from('  2\0 \0      ') } },
    // An archive rooted at `.`: npm strips the `.`, yarn 4 skips a file with nothing after it.
    { path: './rooted.js', content: 'i' },
    // The same path twice: the later wins everywhere.
    { path: 'package/twice.js', content: 'j' },
    { path: 'package/twice.js', content: 'k' },
  ]);
  assert.equal(r.error, null);
  assert.equal(r.facts['file_count'], 11);
  assert.deepEqual(r.facts['install_scripts'], {});
});

test('a traversal path is on record even though the archive is refused', async () => {
  const r = await inspect([{ path: 'package/../../etc/passwd', content: 'x' }]);
  assert.match(r.error ?? '', /a path with \.\. inside the package/);
  assert.deepEqual(r.facts['unsafe_paths'], ['package/../../etc/passwd']);
});
