import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Blake2b } from './blake2b.ts';

/**
 * Deterministic bytes that Python reproduces, for digests computed there:
 *
 *   def xorshift(n, x):
 *       out = bytearray(n)
 *       for i in range(n):
 *           x ^= (x << 13) & 0xffffffff; x ^= x >> 17; x ^= (x << 5) & 0xffffffff
 *           out[i] = x & 0xff
 *       return bytes(out)
 *   hashlib.blake2b(xorshift(n, 0x9e3779b9), digest_size=32).hexdigest()
 */
function xorshift(n: number, seed: number): Buffer {
  const out = Buffer.alloc(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (x ^ (x << 13)) >>> 0;
    x = (x ^ (x >>> 17)) >>> 0;
    x = (x ^ (x << 5)) >>> 0;
    out[i] = x & 0xff;
  }
  return out;
}

const SEED = 0x9e3779b9;
/** hashlib.blake2b(xorshift(size, SEED), digest_size=32), Python 3. */
const PYTHON_256: ReadonlyArray<readonly [number, string]> = [
  [0, '0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8'],
  [1, '2d4b508a5a5fa8a81aa69ed8c08e1229b108a1d72d6ffdd5981f4ad81de47033'],
  [127, 'd6de754ed385e286ccf1cf0730b30e37b7b338d3f999f82049e98dea28b2cabb'],
  [128, '8cfe910687f27d1a56cb8c0b54c904fc16a19720b0b48a5330316ad66484e115'],
  [129, '8cfe53948c75c9076f102adf5372044c82844dd2f3181235906c3ca6e7c431fc'],
  [255, 'f4dfd692f7c18d7e7c0ed3440f4a49e9a31250c23baefe6fd5d8f95b03c40dd8'],
  [256, '8fede7b12a3f4ec04f168b4ab37c019ec9efb2ea3cd31409bb3578af929574a3'],
  [257, '32729c5435a6a6721a5727503ebb77bf738a4e770f82a334dceae3fc34b3a289'],
  [1000, '33716751f5c19b4a4dce07e566129f88963d7186bfa8d4f29b0e75abeb8a6b01'],
  [1 << 20, '78999045d1f25052ed25eb9893ff889d28567d21826ae2c4dba867ca4c29174b'],
  [(1 << 20) + 77, '355aafd6ac5559db9a26804fb49836b81e8c261753843f8e8a2c84681480a852'],
];

const hex = (h: Blake2b): string => h.digest().toString('hex');

/** Feeds `data` in chunks of the given sizes, cycling through them. */
function chunked(outLength: number, data: Uint8Array, sizes: readonly number[]): Blake2b {
  const h = new Blake2b(outLength);
  for (let i = 0, k = 0; i < data.length; k++) {
    const n = sizes[k % sizes.length] as number;
    h.update(data.subarray(i, i + n));
    i += n;
  }
  return h;
}

/** `data` copied to start one byte into its buffer: whole blocks cannot be read in place. */
function misaligned(data: Uint8Array): Uint8Array {
  const backing = new Uint8Array(data.length + 1);
  backing.set(data, 1);
  return backing.subarray(1);
}

test('RFC 7693 Appendix A: BLAKE2b-512("abc"); BLAKE2b-256("abc") and of the empty string as Python gives them', () => {
  assert.equal(
    hex(new Blake2b(64).update(Buffer.from('abc'))),
    'ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923',
  );
  assert.equal(hex(new Blake2b(32).update(Buffer.from('abc'))), 'bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319');
  assert.equal(hex(new Blake2b(32)), '0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8');
});

test('BLAKE2b-256 is not BLAKE2b-512 truncated, and Node offers no other length', () => {
  const truncated = createHash('blake2b512').update('abc').digest().subarray(0, 32);
  assert.notDeepEqual(new Blake2b(32).update(Buffer.from('abc')).digest(), truncated);
  assert.throws(() => createHash('blake2b512', { outputLength: 32 }).update('abc').digest());
});

test('BLAKE2b-256 matches Python across block boundaries and a MiB, whole, in odd chunks and misaligned', () => {
  for (const [size, expected] of PYTHON_256) {
    const data = xorshift(size, SEED);
    assert.equal(hex(new Blake2b(32).update(data)), expected, `${size} bytes whole`);
    assert.equal(hex(new Blake2b(32).update(misaligned(data))), expected, `${size} bytes misaligned`);
    assert.equal(hex(chunked(32, data, [1, 3, 127, 128, 129, 1000, 65537])), expected, `${size} bytes in odd chunks`);
    assert.equal(hex(chunked(32, misaligned(data), [7, 8191, 128 * 64 + 5])), expected, `${size} bytes misaligned in chunks`);
    assert.equal(hex(chunked(32, data, [128])), expected, `${size} bytes block by block`);
  }
});

test('other digest lengths match Python; BLAKE2b-512 of random data matches node:crypto however it is split', () => {
  const data = xorshift(300, SEED);
  assert.equal(hex(new Blake2b(20).update(data)), '41d994c9a8278bc07f8e26de8c712b78bbb2d2a9');
  assert.equal(hex(new Blake2b(1).update(data)), '58');
  const random = randomBytes((1 << 20) + 333);
  const expected = createHash('blake2b512').update(random).digest('hex');
  assert.equal(hex(new Blake2b(64).update(random)), expected);
  assert.equal(hex(chunked(64, random, [37, 4096, 1, 200_003])), expected);
  assert.equal(hex(chunked(64, misaligned(random), [65_536 + 3, 129])), expected);
  for (const size of [0, 1, 127, 128, 129, 256, 1000]) {
    const small = random.subarray(0, size);
    assert.equal(hex(chunked(64, small, [37])), createHash('blake2b512').update(small).digest('hex'), `${size} bytes`);
  }
});

test('lengths outside 1 to 64 are refused; a finished hash refuses more', () => {
  assert.throws(() => new Blake2b(65), RangeError);
  assert.throws(() => new Blake2b(0), RangeError);
  assert.throws(() => new Blake2b(32.5), RangeError);
  const h = new Blake2b(32);
  h.digest();
  assert.throws(() => h.update(Buffer.from('x')), /update after digest/);
  assert.throws(() => h.digest(), /digest twice/);
});
