/**
 * A client that asks and then stops reading: the answer's first bytes come, and the rest waits
 * in the gateway (and the sockets' buffers) until the socket is destroyed. For tests of what a
 * gateway holds per request whose client does not read its answer.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';

/** Sends a GET for `path` to `url`'s host, with `headers` (lines without their CRLF) and no Accept-Encoding; the answer must be a 200. */
export async function stalledGet(url: URL, path: string, headers: readonly string[] = []): Promise<Socket> {
  const socket = connect(Number(url.port), url.hostname);
  socket.write(`GET ${path} HTTP/1.1\r\nHost: ${url.host}\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n`);
  const [first] = (await once(socket, 'data')) as [Buffer];
  socket.pause();
  assert.match(first.toString('latin1'), /^HTTP\/1\.1 200 /);
  return socket;
}
