/**
 * Bytes Node cannot read as an HTTP/1.1 request are answered by the server before any route: in
 * Airlock's `{error, code}`, saying what was wrong, with `Connection: close`, and the connection
 * ended (Fastify's default answer was in no API's format and had no `Connection: close`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { startAirlock } from '../support/start-airlock.ts';

/** Everything the server writes back to `bytes` until it closes the connection. */
function rawExchange(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(bytes));
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('error', reject);
  });
}

function parsed(answer: string): { readonly status: number; readonly headers: Map<string, string>; readonly body: unknown } {
  const [head = '', body = ''] = answer.split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers = new Map(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()] as const));
  assert.equal(Number(headers.get('content-length')), Buffer.byteLength(body, 'latin1'), answer);
  return { status: Number(statusLine.split(' ')[1]), headers, body: JSON.parse(body) };
}

test('a request Node cannot read is a 400 or 431 in Airlock\'s format, naming what was wrong, and the connection is closed', async (t) => {
  const a = await startAirlock({ config: { repositories: [{ name: 'npm-internal', format: 'npm', kind: 'hosted' }] } });
  t.after(() => a.close());
  const cases: [string, number, RegExp][] = [
    ['GET /-/ping HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n', 400, /^not a valid HTTP\/1\.1 request \(HPE_INVALID_HEADER_TOKEN: /],
    ['G\u0001T / HTTP/1.1\r\nHost: x\r\n\r\n', 400, /^not a valid HTTP\/1\.1 request \(HPE_INVALID_METHOD: Invalid method encountered\)$/],
    [`GET /-/ping HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`, 431, /^the request headers are larger than Airlock reads$/],
  ];
  for (const [bytes, status, message] of cases) {
    const r = parsed(await rawExchange(a.url, bytes));
    assert.equal(r.status, status, JSON.stringify(bytes.slice(0, 60)));
    assert.equal(r.headers.get('connection'), 'close');
    assert.equal(r.headers.get('content-type'), 'application/json; charset=utf-8');
    const body = r.body as { error: string; code: string };
    assert.match(body.error, message);
    assert.equal(body.code, status === 431 ? 'LIMIT_EXCEEDED' : 'BAD_REQUEST');
  }
  // The server still answers a well-formed request afterwards.
  const ping = await fetch(`${a.url}/-/health`);
  assert.equal(ping.status, 200);
});
