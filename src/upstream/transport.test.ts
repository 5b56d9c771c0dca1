import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Transport } from './transport.ts';

const BODY = randomBytes(8 * 1024 * 1024);
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

async function bodyServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    // Both framings: a known length, and chunked.
    if (req.url === '/chunked') {
      res.writeHead(200);
      for (let i = 0; i < BODY.length; i += 100_000) res.write(BODY.subarray(i, i + 100_000));
      res.end();
    } else {
      res.writeHead(200, { 'content-length': BODY.length }).end(BODY);
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))) };
}

test("a response's read buffers are freed once the parser is through them, the body intact, and the connection's next exchange untouched", async (t) => {
  const s = await bodyServer();
  t.after(() => s.close());
  const transport = new Transport({ connections: 1, connectTimeoutMs: 5000, headersTimeoutMs: 5000, bodyTimeoutMs: 5000, keepAliveTimeoutMs: 5000 });
  t.after(() => transport.close());
  const sockets = new Set<Socket>();
  for (const path of ['/length', '/chunked', '/length']) {
    const res = await transport.request(new URL(path, s.url), { method: 'GET', headers: {}, body: null, signal: undefined });
    const socket = res.body.socket as Socket;
    sockets.add(socket);
    // A listener added after the transport's sees each read as that listener left it.
    let reads = 0;
    let freed = 0;
    const watch = (chunk: Buffer): void => {
      reads++;
      if (chunk.buffer.detached) freed++;
    };
    socket.on('data', watch);
    const chunks: Buffer[] = [];
    for await (const c of res.body) chunks.push(Buffer.from(c as Buffer));
    socket.off('data', watch);
    assert.equal(sha256(Buffer.concat(chunks)), sha256(BODY), path);
    assert.ok(reads > 10, `${path}: ${reads} reads`);
    // The last read (the one that completes the response) is left to the collector.
    assert.ok(freed >= reads - 1, `${path}: ${freed} of ${reads} reads freed`);
    assert.deepEqual(socket.listeners('data').map((f) => f.name), [], `${path}: no listener of this exchange is left on the kept-alive connection`);
  }
  assert.equal(sockets.size, 1, 'one kept-alive connection carried all three');
});
