/** MCP sessions: bound to the token that opened them, ended by idleness or DELETE, capped with the least recently used dropped first. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { McpSessions, SESSION_ID_RE } from './sessions.ts';

function clock(start = 0) {
  let now = start;
  return { now: () => new Date(now), advance: (ms: number) => (now += ms) };
}

test('a session is found by the token that opened it, and by no other', () => {
  const c = clock();
  const s = new McpSessions({ clock: c.now });
  const a = s.create('2025-11-25', { name: 'agent', version: '1' }, 'tok-a');
  assert.match(a.id, SESSION_ID_RE);
  assert.match(a.id, /^[A-Za-z0-9_-]{32}$/);
  assert.equal(s.get(a.id, 'tok-a'), a);
  assert.equal(s.get(a.id, 'tok-b'), null);
  assert.equal(s.get(a.id, null), null);
  assert.equal(s.end(a.id, 'tok-b'), false, 'another token cannot end it');
  assert.equal(s.end(a.id, 'tok-a'), true);
  assert.equal(s.get(a.id, 'tok-a'), null);
  assert.equal(s.end(a.id, 'tok-a'), false);
});

test('idle sessions expire; a request keeps one alive', () => {
  const c = clock();
  const s = new McpSessions({ clock: c.now }, { idleMs: 1000 });
  const a = s.create('2025-11-25', null, 't');
  const b = s.create('2025-11-25', null, 't');
  c.advance(900);
  assert.ok(s.get(a.id, 't'));
  c.advance(900);
  assert.ok(s.get(a.id, 't'), 'touched 900 ms ago');
  assert.equal(s.get(b.id, 't'), null, 'idle 1800 ms');
  c.advance(1001);
  s.create('2025-11-25', null, 't');
  assert.equal(s.size, 1, 'creating sweeps the idle ones');
});

test('at the cap the least recently used session goes first', () => {
  const c = clock();
  const s = new McpSessions({ clock: c.now }, { maxSessions: 3 });
  const [a, b, d] = [s.create('2025-11-25', null, 't'), s.create('2025-11-25', null, 't'), s.create('2025-11-25', null, 't')];
  assert.ok(s.get(a.id, 't'));
  const e = s.create('2025-11-25', null, 't');
  assert.equal(s.size, 3);
  assert.equal(s.get(b.id, 't'), null, 'b was least recently used');
  for (const x of [a, d, e]) assert.ok(s.get(x.id, 't'));
});
