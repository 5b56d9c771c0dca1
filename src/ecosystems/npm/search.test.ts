import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AirlockError, isAirlockError } from '../../core/index.ts';
import { parseNpmPath } from './routes.ts';
import { gateHits, MAX_SEARCH_SIZE, MAX_SEARCH_TEXT, parseSearchAnswer, parseSearchQuery, upstreamSearchPath, type SearchHit } from './search.ts';

const badRequest = (fn: () => unknown, re: RegExp): void => {
  assert.throws(fn, (e: unknown) => isAirlockError(e, 'BAD_REQUEST') && re.test(e.message));
};

test('the search route: GET and HEAD of /-/v1/search only', () => {
  assert.deepEqual(parseNpmPath('/-/v1/search', 'GET'), { kind: 'search' });
  assert.deepEqual(parseNpmPath('/-/v1/search', 'HEAD'), { kind: 'search' });
  assert.deepEqual(parseNpmPath('/-/v1/search', 'PUT'), { kind: 'unknown' });
  assert.deepEqual(parseNpmPath('/-/v1/search/x', 'GET'), { kind: 'unknown' });
});

test('the query npm sends is checked and passed on with only the parameters the registry knows', () => {
  const q = parseSearchQuery('text=left%20pad&size=20&from=0&quality=0.65&popularity=0.98&maintenance=0.5&extra=1');
  assert.deepEqual(q, { text: 'left pad', size: 20, from: 0, weights: { quality: 0.65, popularity: 0.98, maintenance: 0.5 } });
  assert.equal(upstreamSearchPath(q), '-/v1/search?text=left+pad&size=20&from=0&quality=0.65&popularity=0.98&maintenance=0.5');
  assert.deepEqual(parseSearchQuery('text=x'), { text: 'x', size: 20, from: 0, weights: {} });
  assert.equal(parseSearchQuery(`text=x&size=250`).size, MAX_SEARCH_SIZE, 'a larger size is served the most Airlock judges');
  assert.equal(parseSearchQuery('text=x&from=999999999').from, 10_000);
  badRequest(() => parseSearchQuery('size=1'), /needs a text/);
  badRequest(() => parseSearchQuery('text=%20%20'), /needs a text/);
  badRequest(() => parseSearchQuery(`text=${'a'.repeat(MAX_SEARCH_TEXT + 1)}`), /longer than 256/);
  badRequest(() => parseSearchQuery('text=x&size=-1'), /size must be a whole number/);
  badRequest(() => parseSearchQuery('text=x&size=1e3'), /size must be a whole number/);
  badRequest(() => parseSearchQuery('text=x&size=0'), /at least 1/);
  badRequest(() => parseSearchQuery('text=x&quality=2'), /quality must be a number from 0 to 1/);
  badRequest(() => parseSearchQuery('text=x&popularity=NaN'), /popularity must be a number/);
  badRequest(() => parseSearchQuery('text=x&maintenance=Infinity'), /maintenance must be a number/);
});

const answer = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));

test('an upstream answer that is not a search answer is refused, naming what is wrong', () => {
  for (const [body, re] of [
    [Buffer.from('<html>'), /not JSON/],
    [answer([]), /without an objects list/],
    [answer({ objects: {} }), /without an objects list/],
  ] as const) {
    assert.throws(() => parseSearchAnswer(body, 20), (e: unknown) => isAirlockError(e, 'UPSTREAM_BAD_RESPONSE') && re.test(e.message));
  }
});

test('results are rebuilt from checked fields: bad entries and duplicates left out, strings cleaned and cut, counts bounded', () => {
  const a = parseSearchAnswer(
    answer({
      objects: [
        {
          package: {
            name: 'ok',
            version: '1.0.0',
            date: '2020-01-01T00:00:00.000Z',
            description: 'a\u001b[31mred\u009b2J\nline',
            keywords: ['k', 1, 'x'.repeat(200), ...Array.from({ length: 40 }, (_, i) => `w${i}`)],
            maintainers: [{ username: 'm', email: 'm@example.invalid', extra: 'dropped' }, { email: 'no-username' }, 'str', ...Array.from({ length: 40 }, (_, i) => ({ username: `u${i}` }))],
            publisher: { username: 42 },
            author: { name: 'A', url: 'javascript:alert(1)' },
            links: { npm: 'https://packages.example/ok', repository: 'git+https://git.example/ok.git', bugs: 'file:///etc/passwd', homepage: 7 },
            license: 'MIT',
            sneaky: { __proto__: { polluted: true } },
          },
          score: { final: 0.5, detail: { quality: 1, popularity: 'high', maintenance: 0.2 } },
          searchScore: 1e400,
          flags: { insecure: 1, other: 'x' },
          downloads: { monthly: 10, weekly: 2 },
          dependents: '12',
          updated: 'yesterday',
        },
        { package: { name: 'ok' } },
        { package: { name: 'has space' } },
        { package: { name: '@scope/pkg', maintainers: 'nobody' } },
        null,
        { nopackage: true },
      ],
      total: 1234.7,
      time: 'Mon Nov 23 2026 00:44:26 GMT+0000 (Coordinated Universal Time)',
    }),
    20,
  );
  assert.equal(a.malformed, 3, 'a duplicate is dropped, not counted');
  assert.equal(a.total, 1234);
  assert.equal(a.time, '2026-11-23T00:44:26.000Z');
  assert.deepEqual(a.hits.map((h) => h.name), ['ok', '@scope/pkg']);
  const ok = a.hits[0]?.result as { [k: string]: unknown; package: { [k: string]: unknown } };
  assert.deepEqual(Object.keys(ok.package).sort(), ['author', 'description', 'keywords', 'license', 'links', 'maintainers', 'name', 'scope']);
  assert.equal(ok.package['description'], 'a [31mred 2J line');
  const kw = ok.package['keywords'] as string[];
  assert.equal(kw.length, 31, 'at most 32 keywords read, the number dropped');
  assert.equal(kw[1]?.length, 128);
  const people = ok.package['maintainers'] as { username: string }[];
  assert.equal(people.length, 30, 'at most 32 people read; entries without a username dropped');
  assert.deepEqual(people[0], { username: 'm', email: 'm@example.invalid' });
  assert.deepEqual(ok.package['author'], { name: 'A' });
  assert.deepEqual(ok.package['links'], { npm: 'https://packages.example/ok', repository: 'git+https://git.example/ok.git' });
  assert.deepEqual(ok['score'], { final: 0.5, detail: { quality: 1, maintenance: 0.2 } });
  assert.equal('searchScore' in ok, false);
  assert.deepEqual(ok['flags'], { insecure: 1 });
  assert.equal(ok['dependents'], '12');
  assert.equal('updated' in ok, false);
  assert.equal('version' in ok.package || 'date' in ok.package, false, 'the version and date come from the gate');
  const scoped = a.hits[1]?.result as { package: { [k: string]: unknown } };
  assert.deepEqual(scoped.package, { name: '@scope/pkg', scope: 'scope', maintainers: [] });

  assert.equal(parseSearchAnswer(answer({ objects: Array.from({ length: 50 }, (_, i) => ({ package: { name: `p${i}` } })) }), 5).hits.length, 5, 'no more than asked for');
});

test('a link with a control character is left out, not passed on raw (found by fuzzing: the URL parser read it, and the text with ESC and CSI was kept)', () => {
  const links = { npm: 'https://packages.example/ok', homepage: 'https://ok.example/\u001b]8;;https://evil.example\u0007here', repository: 'git+https://git.example/o\u009b2Jk.git', bugs: 'https://git.example/ok\t/issues' };
  const a = parseSearchAnswer(answer({ objects: [{ package: { name: 'ok', links, author: { name: 'A', url: 'https://a.example/\u001b[31m' } } }] }), 20);
  const pkg = (a.hits[0]?.result as { package: { [k: string]: unknown } }).package;
  assert.deepEqual(pkg['links'], { npm: 'https://packages.example/ok' });
  assert.deepEqual(pkg['author'], { name: 'A' });
});

test('gated hits keep the upstream order, show the installable version, and leave out what cannot be installed or read', async () => {
  const hits: SearchHit[] = ['a', 'b', 'c', 'd', 'e'].map((name) => ({ name: name as SearchHit['name'], result: { package: { name, maintainers: [] } } }));
  const { objects, withheld } = await gateHits(hits, async (name) => {
    await new Promise((r) => setTimeout(r, name === 'a' ? 20 : 1));
    if (name === 'b') return null;
    if (name === 'c') throw new AirlockError('UPSTREAM_NOT_FOUND', 'gone');
    if (name === 'd') throw new AirlockError('UPSTREAM_BAD_RESPONSE', 'broken');
    return { version: '1.0.0', date: name === 'a' ? '2020-01-01T00:00:00.000Z' : null };
  });
  assert.equal(withheld, 3);
  assert.deepEqual(objects, [
    { package: { name: 'a', maintainers: [], version: '1.0.0', date: '2020-01-01T00:00:00.000Z' } },
    { package: { name: 'e', maintainers: [], version: '1.0.0' } },
  ]);
  await assert.rejects(
    gateHits(hits, async () => {
      throw new AirlockError('STORAGE_ERROR', 'disk');
    }),
    (e: unknown) => isAirlockError(e, 'STORAGE_ERROR'),
    'a failure that is not about one package fails the search',
  );
});
