import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { assertReadsReleased, bodyServer } from '../../../test/support/response-reads.ts';
import { discard, HttpClient } from './http.ts';

test("S3 client: a response's read buffers are freed once the parser is through them, the body intact, and the connection's next exchange untouched", async (t) => {
  const s = await bodyServer();
  t.after(() => s.close());
  const client = new HttpClient({ secure: false, timeoutMs: 5000, maxSockets: 1, ca: null });
  t.after(() => client.close());
  await assertReadsReleased((path) => client.request({ hostname: '127.0.0.1', port: s.port, method: 'GET', path, headers: {}, body: null, signal: undefined }));
});

test('S3 client: an answer discarded once complete (a PUT or DELETE with an empty body) hands its connection back for the next request', async (t) => {
  const connections: number[] = [];
  const server = createServer((req, res) => {
    connections.push(req.socket.remotePort ?? 0);
    req.resume();
    req.on('end', () => res.writeHead(req.method === 'DELETE' ? 204 : 200, { 'content-length': '0' }).end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));
  // One connection: the next request gets it only once the answer before has been read to its end
  // (unread, it would be taken until the time-out closed it, and the next request would open another).
  const client = new HttpClient({ secure: false, timeoutMs: 2000, maxSockets: 1, ca: null });
  t.after(() => client.close());
  const port = (server.address() as AddressInfo).port;
  for (const method of ['PUT', 'DELETE', 'PUT']) {
    const res = await client.request({ hostname: '127.0.0.1', port, method, path: '/k', headers: { 'content-length': '0' }, body: Buffer.alloc(0), signal: undefined });
    assert.ok(res.complete, `the ${method} answer was complete before it was discarded`);
    discard(res);
  }
  assert.equal(connections.length, 3);
  assert.equal(new Set(connections).size, 1, `requests came on ${new Set(connections).size} connections`);
});
