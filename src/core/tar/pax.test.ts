import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TAR_BLOCK, tarLinkName, tarName, tarPadding, tarSize } from './header.ts';
import { TarExtensions, paxNumber, parsePax, tarExtensionKind } from './pax.ts';
import { block, realTar } from '../../../test/support/gnu-tar.ts';

const long = `${'a'.repeat(120)}/caf\u00e9-${'b'.repeat(40)}.txt`;
const target = `${'t'.repeat(150)}/x`;

/** Walks an archive with the shared decoding: each entry's resolved path, link and size. */
function entries(archive: Buffer): { path: string; link: string; size: number; kinds: string[] }[] {
  const out: { path: string; link: string; size: number; kinds: string[] }[] = [];
  const ext = new TarExtensions(64 * 1024);
  let kinds: string[] = [];
  for (let at = 0; at + TAR_BLOCK <= archive.length; ) {
    const h = block(archive, at);
    if (h.every((b) => b === 0)) break;
    const size = tarSize(h, at);
    const data = archive.subarray(at + TAR_BLOCK, at + TAR_BLOCK + size);
    const kind = tarExtensionKind(h[156] as number);
    if (kind === 'pax' || kind === 'gnu-longname' || kind === 'gnu-longlink') {
      ext.reserve(size, at);
      ext.add(kind, data, at);
      kinds.push(kind);
    } else if (kind === null) {
      out.push({ path: ext.path(tarName(h)), link: ext.linkPath(tarLinkName(h)), size: ext.size(size, at), kinds });
      ext.clear();
      kinds = [];
    }
    at += TAR_BLOCK + size + tarPadding(size);
  }
  return out;
}

test('GNU long names (L) and long link targets (K), as GNU tar writes them', () => {
  const got = entries(realTar('gnu', [{ path: long, content: 'hi' }, { path: 'lnk', link: target }]));
  assert.deepEqual(got, [
    { path: long, link: '', size: 2, kinds: ['gnu-longname'] },
    { path: 'lnk', link: target, size: 0, kinds: ['gnu-longlink'] },
  ]);
});

test('pax path and linkpath records (x), as GNU tar writes them', () => {
  const archive = realTar('pax', [{ path: long, content: 'hi' }, { path: 'lnk', link: target }]);
  assert.deepEqual(entries(archive), [
    { path: long, link: '', size: 2, kinds: ['pax'] },
    { path: 'lnk', link: target, size: 0, kinds: ['pax'] },
  ]);
  const records = parsePax(archive.subarray(TAR_BLOCK, TAR_BLOCK + tarSize(block(archive, 0), 0)), 0);
  assert.equal(records.get('path'), long);
});

test('a pax size replaces the header size; a global header is not a local one', () => {
  const ext = new TarExtensions(1024);
  ext.add('pax', Buffer.from('16 size=1234567\n'), 0);
  assert.equal(ext.size(0, 512), 1234567);
  ext.clear();
  assert.equal(ext.size(9, 512), 9);
  const globals = parsePax(Buffer.from('20 comment=a commit\n'), 0);
  ext.add('pax', Buffer.from('10 path=x\n'), 0, globals);
  assert.deepEqual([...ext.pax!], [['comment', 'a commit'], ['path', 'x']]);
  assert.equal(tarExtensionKind(0x58), 'pax'); // Solaris' X
  assert.equal(tarExtensionKind(0x67), 'pax-global');
  assert.equal(tarExtensionKind(0x30), null);
});

test('pax records: lengths count the whole record, keys are not empty, NUL padding only at the end', () => {
  assert.deepEqual([...parsePax(Buffer.from('11 a=b=c\nd\n6 k=\xe9\n\0\0', 'latin1'), 0)], [['a', 'b=c\nd'], ['k', '\ufffd']]);
  assert.deepEqual([...parsePax(Buffer.from('0008 k=\n'), 0)], [['k', '']]);
  assert.deepEqual([...parsePax(Buffer.alloc(0), 0)], []);
  const refused: [string, RegExp][] = [
    ['13 path=abc\n', /runs past/], // one byte too many
    ['11 path=abc\n', /does not end with a newline/],
    ['11 pathabc\n', /no key=value/],
    ['7 =abc\n', /no key=value/],
    ['path=abc\n', /malformed/],
    [' 9 path=a\n', /malformed/],
    ['2 =\n', /malformed/], // the length no longer than its own digits and space
    ['00000000012 path=x\n', /malformed/], // more than 10 digits
    ['8 k=abc\n\0 8 k=def\n', /after NUL padding/],
  ];
  for (const [text, error] of refused) {
    assert.throws(() => parsePax(Buffer.from(text), 1536), (e: Error) => e.message.startsWith('tar header at byte 1536: ') && error.test(e.message), JSON.stringify(text));
  }
});

test('bounds: extended bytes per entry, pax numbers', () => {
  const ext = new TarExtensions(1000);
  ext.reserve(600, 0);
  assert.throws(() => ext.reserve(401, 1024), /tar header at byte 1024: extended headers of more than 1000 bytes for one entry/);
  ext.clear();
  ext.reserve(1000, 2048);
  assert.equal(paxNumber('9007199254740991', 'size', 0), Number.MAX_SAFE_INTEGER);
  for (const bad of ['9007199254740992', '', '-1', '1e3', ' 1', '12345678901234567']) assert.throws(() => paxNumber(bad, 'size', 0), /not a decimal number in range/, bad);
});
