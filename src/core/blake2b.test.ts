import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Blake2b } from './blake2b.ts';

test('BLAKE2b-256 matches Python hashlib.blake2b(digest_size=32); BLAKE2b-512 matches node:crypto, however the input is split', () => {
  // python3 -c "import hashlib; print(hashlib.blake2b(b'abc', digest_size=32).hexdigest())"
  assert.equal(new Blake2b(32).digest().toString('hex'), '0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8');
  assert.equal(new Blake2b(32).update(Buffer.from('abc')).digest().toString('hex'), 'bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319');
  assert.equal(new Blake2b(32).update(Buffer.alloc(129, 9)).digest().toString('hex'), '40174cc16a6195f41e460c3f1e6e6086dfbb08d5a14f75b5e2d7b3bf51d03063');
  for (const size of [0, 1, 127, 128, 129, 256, 1000]) {
    const data = Buffer.alloc(size, size & 0xff);
    const split = new Blake2b(64);
    for (let i = 0; i < size; i += 37) split.update(data.subarray(i, i + 37));
    assert.deepEqual(split.digest(), createHash('blake2b512').update(data).digest(), `${size} bytes`);
  }
  assert.throws(() => new Blake2b(65), RangeError);
});
