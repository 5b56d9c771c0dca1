import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { digestHex, isAirlockError, sha256Of } from '../../core/index.ts';
import { packageTarball, tar } from '../../../test/support/npm-registry/index.ts';
import { listTarballFiles, MAX_LISTED_FILES, MAX_LISTED_PATH } from './tarball-listing.ts';

const sha256 = (s: string): string => digestHex(sha256Of(s));

test('lists every file and link as npm extracts it: package-relative path, size, content digest; the last entry of a path wins', async () => {
  const t = packageTarball({ name: 'x', version: '1.0.0' }, [
    { path: 'lib/a.js', content: 'first' },
    { path: 'lib/a.js', content: 'second, extracted' },
    { path: 'link.js', type: 'symlink', content: '', linkTarget: 'lib/a.js' },
    { path: 'lib', type: 'directory', content: '' },
  ]);
  for (const source of [t.bytes, Readable.from([t.bytes])]) {
    const files = await listTarballFiles(source);
    assert.deepEqual([...files.keys()].sort(), ['index.js', 'lib/a.js', 'link.js', 'package.json'], 'packageTarball adds an index.js');
    assert.deepEqual(files.get('lib/a.js'), { kind: 'file', size: 17, sha256: sha256('second, extracted') });
    assert.deepEqual(files.get('link.js'), { kind: 'symlink', size: 0, sha256: sha256('lib/a.js') });
  }
});

test('a tarball that cannot be read, or holds too many files to compare, is an error that says so', async () => {
  await assert.rejects(listTarballFiles(Buffer.from('not gzip at all')), (err) => isAirlockError(err, 'SCAN_ERROR') && /the tarball cannot be read/.test(err.message));
  const many = gzipSync(tar(Array.from({ length: MAX_LISTED_FILES + 1 }, (_, i) => ({ path: `package/f${i}.js`, content: '' }))));
  await assert.rejects(listTarballFiles(many), (err) => isAirlockError(err, 'LIMIT_EXCEEDED') && /more than 20000 files; too many to compare/.test(err.message));
});

test('a path longer than MAX_LISTED_PATH is listed cut, with a digest of the whole: two such paths stay apart', async () => {
  const long = 'd/'.repeat(MAX_LISTED_PATH);
  const t = packageTarball({ name: 'x', version: '1.0.0' }, [
    { path: `${long}a.js`, content: 'a' },
    { path: `${long}b.js`, content: 'b' },
  ]);
  const paths = [...(await listTarballFiles(t.bytes)).keys()].filter((p) => p.startsWith('d/'));
  assert.equal(paths.length, 2);
  for (const p of paths) assert.match(p, new RegExp(`^(d/){${MAX_LISTED_PATH / 2}}…#[0-9a-f]{16}$`));
});
