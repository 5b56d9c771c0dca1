import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isAirlockError } from '../../core/index.ts';
import { ANONYMOUS, type Identity } from '../../gate/identity.ts';
import { catalogPage, catalogQuery, DEFAULT_CATALOG_PAGE, listCatalog, MAX_CATALOG_PAGE } from './registry-catalog.ts';

const lists = [{ repo: 'images', names: ['team/app', 'acme/tool', 'team/api'] }];

test('a page holds the first n names after last, across repositories, in code-unit order, with the next page linked', () => {
  const both = [...lists, { repo: 'b', names: ['z', 'a'] }];
  const first = catalogPage(both, 2, null, '/v2/_catalog');
  assert.deepEqual(first.repositories, ['b/a', 'b/z']);
  assert.equal(first.next, '</v2/_catalog?n=2&last=b%2Fz>; rel="next"');
  const second = catalogPage(both, 2, 'b/z', '/v2/_catalog');
  assert.deepEqual(second.repositories, ['images/acme/tool', 'images/team/api']);
  const third = catalogPage(both, 2, 'images/team/api', '/v2/_catalog');
  assert.deepEqual(third, { repositories: ['images/team/app'], next: null });
  // Exactly n left: no link to an empty page.
  assert.equal(catalogPage(both, 5, null, '/v2/_catalog').next, null);
  assert.deepEqual(catalogPage(both, 0, null, '/v2/_catalog'), { repositories: [], next: null });
  // Upper case sorts before lower case (code units), as distribution sorts.
  assert.deepEqual(catalogPage([{ repo: 'r', names: ['b', 'B-x'] }], 10, null, '/v2/_catalog').repositories, ['r/B-x', 'r/b']);
});

test('n and last are read bounded: n at most the page cap, a count or refused', () => {
  assert.deepEqual(catalogQuery(new URLSearchParams('')), { n: DEFAULT_CATALOG_PAGE, last: null });
  assert.deepEqual(catalogQuery(new URLSearchParams('n=999999&last=images/x')), { n: MAX_CATALOG_PAGE, last: 'images/x' });
  assert.equal(catalogQuery(new URLSearchParams(`last=${'x'.repeat(10_000)}`)).last?.length, 64 + 1 + 255);
  for (const n of ['-1', 'ten', '1e3', '']) {
    assert.throws(() => catalogQuery(new URLSearchParams({ n })), (err: unknown) => isAirlockError(err, 'BAD_REQUEST'));
  }
});

test('a proxy lists nothing, and a scoped token sees only the repositories it may reach', async () => {
  const sources = [
    { repo: 'images', names: async () => ['team/app'] },
    { repo: 'hub', names: () => null },
    { repo: 'other', names: async () => ['x'] },
  ];
  assert.deepEqual((await listCatalog(sources, ANONYMOUS, new URLSearchParams(''), '/v2/_catalog')).repositories, ['images/team/app', 'other/x']);
  const scoped: Identity = { kind: 'token', tokenId: 't', role: 'reader', label: 'ci', scope: { repos: ['other'], packages: null } };
  assert.deepEqual((await listCatalog(sources, scoped, new URLSearchParams(''), '/v2/_catalog')).repositories, ['other/x']);
});
