import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDistFilename } from './filenames.ts';

test('wheel names: normalized project, version as written, build tags, the tag triple', () => {
  for (const [filename, project, want] of [
    ['Django_REST-3.1-py3-none-any.whl', 'django-rest', { kind: 'wheel', version: '3.1', tags: 'py3-none-any' }],
    ['foo_bar-1.0-1-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl', 'foo-bar', { kind: 'wheel', version: '1.0', tags: 'cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64' }],
    ['foo-2.0.post1-123abc-py2.py3-none-any.whl', 'foo', { kind: 'wheel', version: '2.0.post1', tags: 'py2.py3-none-any' }],
    ['zope.interface-5.0.0-cp39-cp39-win_amd64.whl', 'zope-interface', { kind: 'wheel', version: '5.0.0', tags: 'cp39-cp39-win_amd64' }],
    ['foo-1!2.0rc1+local.7-py3-none-any.whl', 'foo', { kind: 'wheel', version: '1!2.0rc1+local.7', tags: 'py3-none-any' }],
    ['foo-1.0-abc-py3-none-any.whl', 'foo', null], // a build tag starts with a digit
    ['foo-1.0-py3-none.whl', 'foo', null],
    ['foo-1.0-1-2-py3-none-any.whl', 'foo', null],
    ['foo-notaversion-py3-none-any.whl', 'foo', null],
    ['foobar-1.0-py3-none-any.whl', 'foo', null],
    ['foo-1.0-py3-none-.whl', 'foo', null],
    ['foo-1.0-py3-none-any.WHL', 'foo', null],
  ] as const) {
    assert.deepEqual(parseDistFilename(filename, project), want, filename);
  }
});

test('sdist names: the split where the prefix is the project and the rest a version', () => {
  for (const [filename, project, want] of [
    ['foo-bar-1.0.tar.gz', 'foo-bar', '1.0'],
    ['foo-1.0.tar.gz', 'foo-bar', null],
    ['foo-bar-1.0.tar.gz', 'foo', null],
    ['foo-1.0rc1.zip', 'foo', '1.0rc1'],
    ['Foo.Bar-2.0.post1.tar.gz', 'foo-bar', '2.0.post1'],
    ['foo_bar-2.0.tar.gz', 'foo-bar', '2.0'],
    ['foo-1.0-1.tar.gz', 'foo', '1.0-1'], // an old spelling of 1.0.post1
    ['foo-1-2.tar.gz', 'foo-1', '2'],
    ['foo-1.0.tar.bz2', 'foo', '1.0'],
    ['foo-1.0.tgz', 'foo', '1.0'],
    ['foo-1.0.tar.xz', 'foo', '1.0'],
    ['foo-v1.0.tar.gz', 'foo', 'v1.0'],
    ['foo- 1.0.tar.gz', 'foo', null],
    ['foo-.tar.gz', 'foo', null],
    ['-1.0.tar.gz', 'foo', null],
    ['foo-1.0.tar', 'foo', null],
    ['foo-1.0.gz', 'foo', null],
    ['foo-1.0-py3.8.egg', 'foo', null],
    ['foo-1.0.win-amd64.exe', 'foo', null],
    ['foo-1.0.msi', 'foo', null],
    ['foo-1.0-1.noarch.rpm', 'foo', null],
    ['foo-1.0.dmg', 'foo', null],
    ['../foo-1.0.tar.gz', 'foo', null],
    [`foo-${'1.'.repeat(200)}0.tar.gz`, 'foo', null],
  ] as const) {
    const got = parseDistFilename(filename, project);
    assert.deepEqual(got, want === null ? null : { kind: 'sdist', version: want, tags: null }, filename);
  }
});
