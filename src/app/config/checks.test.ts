import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAirlockError } from '../../core/index.ts';
import { httpUrl } from './checks.ts';

test('httpUrl: an empty query or fragment marker is dropped, not kept before the / a base URL ends with (found by fuzzing)', () => {
  // The upstream became https://r.example/npm?/, which every request path was appended to as a query; with # as a fragment, never sent.
  assert.equal(httpUrl('https://r.example/npm?', 'repositories[0].upstream'), 'https://r.example/npm/');
  assert.equal(httpUrl('http://x/#', 'server.publicUrl'), 'http://x/');
  assert.equal(httpUrl('http://x/a?#', 'p'), 'http://x/a/');
  assert.throws(() => httpUrl('http://x/a?b', 'p'), (err: unknown) => isAirlockError(err, 'CONFIG_INVALID') && err.message === 'p: must not have a query or fragment');
});

test('httpUrl: what it returns reads the same given again, its length limit included (found by fuzzing)', () => {
  for (const text of ['https://r.example/npm?', 'https://r.example/a b/ü', 'HTTP://R.EXAMPLE:80/./x/../y', `https://r.example/${'a'.repeat(4070)}`]) {
    const kept = httpUrl(text, 'p');
    assert.equal(httpUrl(kept, 'p'), kept);
  }
  // Within 4096 characters as written, past them percent-encoded: refused rather than kept at a length it would be refused at.
  assert.throws(
    () => httpUrl(`https://r.example/${' '.repeat(2000)}x`, 'repositories[0].upstream'),
    (err: unknown) => isAirlockError(err, 'CONFIG_INVALID') && err.message === 'repositories[0].upstream: longer than 4096 characters as kept (percent-encoded, ending in /)',
  );
});
