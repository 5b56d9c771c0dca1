/** MCP sessions carried by their id: read back as opened, by the token that opened them only, and nothing this server could not have issued. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSession, readSession, SESSION_ID_RE } from './sessions.ts';

const encode = (body: unknown): string => `s1.${Buffer.from(JSON.stringify(body), 'utf8').toString('base64url')}`;

test('a session reads back as opened, for the token that opened it and no other', () => {
  const a = openSession('2025-06-18', { name: 'claude-code', version: '2.1.0' }, 'tok-a');
  assert.match(a.id, SESSION_ID_RE);
  assert.match(a.id, /^s1\.[A-Za-z0-9_-]+$/);
  assert.deepEqual(readSession(a.id, 'tok-a'), a);
  assert.equal(readSession(a.id, 'tok-b'), null);
  assert.equal(readSession(a.id, null), null);
  const anonymous = openSession('2025-03-26', null, null);
  assert.deepEqual(readSession(anonymous.id, null), anonymous);
  assert.equal(readSession(anonymous.id, 'tok-a'), null);
});

test('the longest client fields still make an id the header check accepts', () => {
  const s = openSession('2025-11-25', { name: '~'.repeat(128), version: '"'.repeat(128) }, 't'.repeat(64));
  assert.match(s.id, SESSION_ID_RE);
  assert.deepEqual(readSession(s.id, 't'.repeat(64)), s);
});

test('ids this server could not have issued are unknown', () => {
  for (const id of [
    'no-such-session',
    's1.',
    's1.!!!',
    's2.' + encode({ p: '2025-11-25', c: null, t: 't' }).slice(3),
    's1.' + Buffer.from('not json').toString('base64url'),
    encode([1, 2]),
    encode(null),
    encode({ p: '2099-01-01', c: null, t: 't' }),
    encode({ p: '2025-11-25', c: ['only a name'], t: 't' }),
    encode({ p: '2025-11-25', c: [1, 2], t: 't' }),
    encode({ p: '2025-11-25', c: ['x'.repeat(129), '1'], t: 't' }),
    encode({ p: '2025-11-25', c: null, t: 7 }),
    encode({ p: '2025-11-25', c: null, t: 't', pad: 'x'.repeat(2000) }),
  ]) {
    assert.equal(readSession(id, 't'), null, id.slice(0, 80));
  }
});
