import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TAR_BLOCK, TarHeaderError, isUstar, isZeroBlock, tarChecksum, tarLinkName, tarName, tarPadding, tarSize } from './header.ts';
import { block, realTar, resum } from '../../../test/support/gnu-tar.ts';

const deep = `${'d'.repeat(60)}/${'e'.repeat(60)}/file.txt`;

test('a ustar header: name, prefix, size, link, checksum, as GNU tar wrote them', () => {
  const archive = realTar('ustar', [{ path: deep, content: 'hello' }, { path: 'lnk', link: 'target/x' }]);
  const h = block(archive, 0);
  assert.equal(isUstar(h), true);
  assert.equal(tarChecksum(h), 'unsigned');
  assert.equal(tarName(h), deep); // over 100 bytes: split into prefix and name
  assert.equal(tarSize(h, 0), 5);
  assert.equal(h[156], 0x30);
  const link = block(archive, 2 * TAR_BLOCK);
  assert.equal(tarName(link), 'lnk');
  assert.equal(link[156], 0x32);
  assert.equal(tarLinkName(link), 'target/x');
  assert.equal(tarSize(link, 1024), 0);
  assert.equal(isZeroBlock(block(archive, 3 * TAR_BLOCK)), true);
  assert.equal(isZeroBlock(h), false);
});

test('GNU and v7 headers have no prefix: bytes 345 on are not joined to the name', () => {
  for (const format of ['gnu', 'v7'] as const) {
    const h = block(realTar(format, [{ path: 'a.txt', content: 'x' }]), 0);
    assert.equal(isUstar(h), false, format);
    h.set(Buffer.from('atime-or-junk'), 345);
    assert.equal(tarName(resum(h)), 'a.txt', format);
    assert.equal(tarChecksum(h), 'unsigned', format);
  }
});

test('the signed checksum of old archivers is told apart; any other sum is a mismatch', () => {
  const h = block(realTar('ustar', [{ path: 'caf\u00e9', content: '' }]), 0);
  let signed = 0;
  h.fill(0x20, 148, 156);
  for (const b of h) signed += b >= 0x80 ? b - 256 : b;
  h.set(Buffer.from(`${signed.toString(8).padStart(6, '0')}\0 `, 'latin1'), 148);
  assert.equal(tarChecksum(h), 'signed');
  assert.equal(tarChecksum(resum(h)), 'unsigned');
  h[0] = (h[0] as number) + 1;
  assert.equal(tarChecksum(h), 'mismatch');
  h.fill(0x78, 148, 156); // not a number: a mismatch, not a throw
  assert.equal(tarChecksum(h), 'mismatch');
});

test('octal fields: leading spaces, then digits, then only NULs and spaces', () => {
  const field = (text: string): Uint8Array => {
    const h = new Uint8Array(TAR_BLOCK);
    h.set(Buffer.from(text, 'latin1'), 124);
    return h;
  };
  assert.equal(tarSize(field('00000000017\0'), 0), 15);
  assert.equal(tarSize(field('   17 \0 \0'), 0), 15);
  assert.equal(tarSize(field(''), 0), 0);
  assert.equal(tarSize(field('77777777777\0'), 0), 8 ** 11 - 1);
  for (const bad of ['17\0junk', '\x0017', '1 7', '18', '-1', '0x10']) {
    assert.throws(() => tarSize(field(bad), 4608), (e: unknown) => e instanceof TarHeaderError && e.offset === 4608 && /tar header at byte 4608: the size field is not an octal/.test(e.message), JSON.stringify(bad));
  }
});

test('GNU base-256: 0x80 then big-endian bytes; negative or unsafe numbers are out of range', () => {
  const h = block(realTar('gnu', [{ path: 'big', content: 'x' }]), 0);
  h.fill(0, 124, 136);
  h[124] = 0x80;
  h.set([0x02, 0x00, 0x00, 0x00, 0x01], 131); // 8 GiB + 1, past what 11 octal digits hold
  assert.equal(tarSize(resum(h), 0), 2 ** 33 + 1);
  h.fill(0xff, 124, 136);
  assert.throws(() => tarSize(h, 512), /tar header at byte 512: the size field is out of range/);
  h.fill(0, 124, 136);
  h[124] = 0x80;
  h.fill(0xff, 128, 136); // 2^64 - 1
  assert.throws(() => tarSize(h, 0), /out of range/);
  h[124] = 0x81; // neither base-256 sign (tarfile and node-tar read only 0x80 and 0xff)
  assert.throws(() => tarSize(h, 0), /not an octal or base-256 number/);
});

test('padding to the next block', () => {
  assert.deepEqual([0, 1, 511, 512, 513].map(tarPadding), [0, 511, 1, 0, 511]);
});
