import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalDistFilename } from './dist-filename.ts';

test('file names in their canonical spelling (as pypi-attestations rebuilds them)', () => {
  const cases: [string, string][] = [
    ['pypi_attestations-0.0.19.tar.gz', 'pypi_attestations-0.0.19.tar.gz'],
    ['Pypi-Attestations-0.0.19.tar.gz', 'pypi_attestations-0.0.19.tar.gz'],
    ['zope.interface-6.0.zip', 'zope_interface-6.0.zip'],
    ['foo-1.0RC01.tar.gz', 'foo-1.0rc1.tar.gz'],
    // packaging takes the version after the last dash: `1.0-1` is a project `foo-1.0` at version 1.
    ['foo-1.0-1.tar.gz', 'foo_1_0-1.tar.gz'],
    ['foo-1!2.0.post3.dev4+Ubuntu.01.tar.gz', 'foo-1!2.0.post3.dev4+ubuntu.1.tar.gz'],
    ['rfc8785-0.1.2-py3-none-any.whl', 'rfc8785-0.1.2-py3-none-any.whl'],
    ['Foo.Bar-1.0-py3.py2-none-any.whl', 'foo_bar-1.0-py2.py3-none-any.whl'],
    ['foo-1.0-007abc-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl', 'foo-1.0-7abc-cp312-cp312-manylinux2014_x86_64.manylinux_2_17_x86_64.whl'],
    ['foo-1.0-PY3-NONE-ANY.whl', 'foo-1.0-py3-none-any.whl'],
  ];
  for (const [name, canonical] of cases) assert.equal(canonicalDistFilename(name), canonical, name);
});

test('names that are not a wheel or sdist PEP 740 covers say why', () => {
  const cases: [string, RegExp][] = [
    ['foo-1.0.egg', /neither a wheel/],
    ['foo-1.0.tar.bz2', /neither a wheel/],
    ['foo.tar.gz', /not an sdist name/],
    ['foo-one.tar.gz', /not a PEP 440 version/],
    ['foo- 1.0.tar.gz', /not a PEP 440 version/],
    ['foo-1.0-py3-none.whl', /not a wheel name/],
    ['foo__bar-1.0-py3-none-any.whl', /not a wheel's/],
    ['foo-1.0-x1-py3-none-any.whl', /build tag/],
    ['foo-1.0-py3..-none-any.whl', /tags are malformed/],
    ['', /1 to 255 characters/],
    [`${'a'.repeat(250)}-1.0.tar.gz`, /1 to 255 characters/],
  ];
  for (const [name, why] of cases) {
    const r = canonicalDistFilename(name);
    assert.ok(r instanceof Error, name);
    assert.match(r.message, why, name);
  }
});
