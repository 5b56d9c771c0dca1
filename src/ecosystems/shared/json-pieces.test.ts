import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonPieces } from './json-pieces.ts';

const text = (pieces: Iterable<Buffer>): string => Buffer.concat([...pieces]).toString('utf8');

test('jsonPieces writes what JSON.stringify writes: members in order, nested values, what it leaves out', () => {
  const docs: Record<string, unknown>[] = [
    {},
    { a: 1 },
    { id: 'acme/x', sha: 'f'.repeat(40), siblings: [{ rfilename: 'a' }, { rfilename: 'é "quoted"\n' }], tags: [], private: false, card: { nested: [1, [2, { three: null }]] } },
    { skipped: undefined, fn: () => 1, list: [undefined, () => 1, 2], when: new Date(0), last: 'x' },
    { first: undefined, second: [1] },
  ];
  for (const doc of docs) assert.equal(text(jsonPieces(doc)), JSON.stringify(doc));
});

test('jsonPieces writes a list in its member place, or after the others, making its items as it goes', () => {
  let made = 0;
  const items = function* (): Generator<{ n: number }> {
    for (let n = 0; n < 3; n++) {
      made++;
      yield { n };
    }
  };
  assert.equal(text(jsonPieces({ id: 'x', siblings: ['upstream'], sha: 'y' }, { siblings: items })), '{"id":"x","siblings":[{"n":0},{"n":1},{"n":2}],"sha":"y"}');
  assert.equal(text(jsonPieces({ id: 'x' }, { siblings: items })), '{"id":"x","siblings":[{"n":0},{"n":1},{"n":2}]}');
  assert.equal(made, 6);
});

test('jsonPieces goes out in pieces of about 64 KiB, a long list never whole', () => {
  const long = Array.from({ length: 50_000 }, (_, i) => ({ rfilename: `data/row-${i}.json`, size: i }));
  const pieces = [...jsonPieces({ id: 'x', siblings: long })];
  assert.ok(pieces.length > 20);
  for (const p of pieces) assert.ok(p.length < 80 * 1024, `a piece of ${p.length} bytes`);
  assert.equal(text(pieces), JSON.stringify({ id: 'x', siblings: long }));
});
