/** JSON-RPC framing: what a message may be, and the specific error for each thing it may not. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { INVALID_REQUEST, PARSE_ERROR, parseJson, readMessage, RpcError } from './jsonrpc.ts';
import { allowedOrigin } from './origin.ts';
import { negotiate } from './protocol.ts';

function refusal(fn: () => unknown): { code: number; id: string | number | null; message: string } {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof RpcError, String(err));
    return { code: err.code, id: err.id, message: err.message };
  }
  assert.fail('expected a refusal');
}

test('requests, notifications and responses are told apart; params default to {}', () => {
  assert.deepEqual(readMessage({ jsonrpc: '2.0', id: 7, method: 'tools/list' }), { kind: 'request', id: 7, method: 'tools/list', params: {} });
  assert.deepEqual(readMessage({ jsonrpc: '2.0', id: 'a', method: 'ping', params: { x: 1 } }), { kind: 'request', id: 'a', method: 'ping', params: { x: 1 } });
  assert.deepEqual(readMessage({ jsonrpc: '2.0', method: 'notifications/initialized' }), { kind: 'notification', method: 'notifications/initialized', params: {} });
  assert.deepEqual(readMessage({ jsonrpc: '2.0', id: 3, result: {} }), { kind: 'response', id: 3 });
  assert.deepEqual(readMessage({ jsonrpc: '2.0', id: 3, error: { code: 1, message: 'x' } }), { kind: 'response', id: 3 });
});

test('malformed JSON is a parse error that does not echo the body', () => {
  for (const text of ['', '   ', '{"jsonrpc": "2.0",', 'nul', '{"a":1}}', '\u0000']) {
    const r = refusal(() => parseJson(text));
    assert.equal(r.code, PARSE_ERROR, text);
    assert.match(r.message, /^parse error: /);
  }
  for (const text of ['{"secret-in-body": ', '{"secret-in-body": x}', 'secret-in-body']) assert.doesNotMatch(refusal(() => parseJson(text)).message, /secret/);
  assert.equal(refusal(() => parseJson('{"a":1}}')).message, 'parse error: the request body is not JSON (at character 7)');
});

test('each wrong shape is refused with what is wrong, and the id when it is usable', () => {
  const cases: [unknown, RegExp, string | number | null][] = [
    [[], /a JSON-RPC message is an object, not an array/, null],
    [null, /not null/, null],
    ['ping', /not string/, null],
    [42, /not number/, null],
    [{ id: 1, method: 'ping' }, /"jsonrpc" must be "2\.0"/, 1],
    [{ jsonrpc: '1.0', id: 1, method: 'ping' }, /"jsonrpc" must be "2\.0"/, 1],
    [{ jsonrpc: '2.0', id: null, method: 'ping' }, /MCP allows no null id/, null],
    [{ jsonrpc: '2.0', id: 1.5, method: 'ping' }, /"id" must be a string .* or an integer/, null],
    [{ jsonrpc: '2.0', id: {}, method: 'ping' }, /"id" must be/, null],
    [{ jsonrpc: '2.0', id: 'x'.repeat(257), method: 'ping' }, /at most 256 characters/, null],
    [{ jsonrpc: '2.0', id: 2 }, /no "method"/, 2],
    [{ jsonrpc: '2.0', id: 2, method: 5 }, /"method" must be a non-empty string/, 2],
    [{ jsonrpc: '2.0', id: 2, method: '' }, /"method" must be a non-empty string/, 2],
    [{ jsonrpc: '2.0', id: 2, method: 'm'.repeat(129) }, /at most 128 characters/, 2],
    [{ jsonrpc: '2.0', id: 2, method: 'tools/call', params: [1, 2] }, /"params" of tools\/call must be an object/, 2],
    [{ jsonrpc: '2.0', id: 2, method: 'tools/call', params: 'x' }, /"params" of tools\/call must be an object/, 2],
    [{ jsonrpc: '2.0', result: {} }, /no "method"/, null],
  ];
  for (const [value, message, id] of cases) {
    const r = refusal(() => readMessage(value));
    assert.equal(r.code, INVALID_REQUEST, JSON.stringify(value));
    assert.match(r.message, message);
    assert.equal(r.id, id, JSON.stringify(value));
  }
});

test('a protocol revision the server does not speak is answered with the newest it does', () => {
  assert.equal(negotiate('2025-06-18'), '2025-06-18');
  assert.equal(negotiate('2025-03-26'), '2025-03-26');
  assert.equal(negotiate('2024-11-05'), '2025-11-25');
  assert.equal(negotiate('1999-01-01'), '2025-11-25');
});

test('browser origins: loopback and the public URL only (DNS rebinding)', () => {
  for (const o of ['http://localhost:6274', 'http://127.0.0.1:8080', 'http://[::1]:3000', 'https://app.localhost']) assert.equal(allowedOrigin(o, null), true, o);
  for (const o of ['http://evil.example:8080', 'null', 'file://', 'http://127.0.0.1.evil.example', 'ftp://localhost', 'not a url']) assert.equal(allowedOrigin(o, null), false, o);
  assert.equal(allowedOrigin('https://airlock.corp.example', 'https://airlock.corp.example/'), true);
  assert.equal(allowedOrigin('https://airlock.corp.example:8443', 'https://airlock.corp.example/'), false);
  assert.equal(allowedOrigin('http://airlock.corp.example', 'https://airlock.corp.example/'), false);
});
