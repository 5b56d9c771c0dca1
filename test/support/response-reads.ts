/**
 * Checks `releaseResponseReads` (core/release-bytes.ts) through an HTTP client of Airlock's: an
 * 8 MiB body, with a length and chunked, three exchanges on one kept-alive connection. Each body
 * must arrive intact, every read worth freeing but the last of a response must be freed once the
 * parser is through it, and no listener of an exchange may be left on the connection for the
 * next one.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { SMALLEST_CHUNK } from '../../src/core/release-bytes.ts';

const BODY = randomBytes(8 * 1024 * 1024);
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** A server of BODY at `/length` (Content-Length) and `/chunked`. */
export async function bodyServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
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
  return { port, close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))) };
}

/**
 * `get(path)` sends a GET for `path` through the client under test and resolves with its
 * response.
 */
export async function assertReadsReleased(get: (path: string) => Promise<IncomingMessage>): Promise<void> {
  const sockets = new Set<Socket>();
  for (const path of ['/length', '/chunked', '/length']) {
    const res = await get(path);
    const socket = res.socket as Socket;
    sockets.add(socket);
    // A listener added after the client's sees each read as that listener left it.
    // A read smaller than SMALLEST_CHUNK is left alone by design; how the connection splits
    // the bytes into reads is up to the machine's timing (a loaded one reads a chunked body's
    // few framing bytes on their own now and then), so such reads are not counted.
    let reads = 0;
    let freed = 0;
    const watch = (chunk: Buffer): void => {
      if ((chunk.buffer as ArrayBuffer).detached) freed++;
      else if (chunk.byteLength < SMALLEST_CHUNK) return;
      reads++;
    };
    socket.on('data', watch);
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(Buffer.from(c as Buffer));
    socket.off('data', watch);
    assert.equal(sha256(Buffer.concat(chunks)), sha256(BODY), path);
    assert.ok(reads > 10, `${path}: ${reads} reads`);
    // The read that completes the response is left to the collector.
    assert.ok(freed >= reads - 1, `${path}: ${freed} of ${reads} reads freed`);
    assert.deepEqual(socket.listeners('data').map((f) => f.name), [], `${path}: no listener of this exchange is left on the kept-alive connection`);
  }
  assert.equal(sockets.size, 1, 'one kept-alive connection carried all three');
}
