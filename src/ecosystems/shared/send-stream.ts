/**
 * Sending a stored file as a response body while giving each chunk's memory back as soon as the
 * socket has taken it. Fastify's own stream path pipes the file into the response, and piped
 * chunks are garbage V8 frees only at its next full collection: serving a 200 MB tarball held
 * ~50 MB of spent chunks at a time (bench:npm's 200 MB phase, measured by hand), the same again
 * for every large file served at once.
 */
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { releaseChunk } from '../../core/index.ts';

/** Resolves true once the response can take more, false when it closed first (the client left). */
async function drained(res: ServerResponse): Promise<boolean> {
  if (res.destroyed) return false;
  const ac = new AbortController();
  try {
    return await Promise.race([once(res, 'drain', { signal: ac.signal }).then(() => true), once(res, 'close', { signal: ac.signal }).then(() => false)]);
  } finally {
    ac.abort();
  }
}

/**
 * Send `source` as the body with the reply's status and headers. Its chunks must be this
 * caller's own (`BlobReader.open` promises that): each is freed once its write has completed.
 * The first chunk is read before anything is sent, so a file that cannot be read still gets
 * the usual error response; a read failing later cuts the connection (the client sees a
 * truncated transfer, never a short body it could take for whole).
 */
export async function sendOwnedStream(reply: FastifyReply, source: Readable): Promise<FastifyReply> {
  const chunks = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let next = await chunks.next();
  reply.hijack();
  const res = reply.raw;
  res.statusCode = reply.statusCode;
  for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) res.setHeader(name, value);
  try {
    while (next.done !== true) {
      const chunk = next.value;
      const more = res.write(chunk, (err) => {
        if (err === null || err === undefined) releaseChunk(chunk);
      });
      if (!more && !(await drained(res))) return reply;
      next = await chunks.next();
    }
    res.end();
  } catch (err) {
    reply.log.error({ err }, 'a stored file could not be read to the end; the response was cut');
    res.destroy();
  } finally {
    // Stops and closes the file when the loop ended early (the client left, a read failed).
    await chunks.return?.();
  }
  return reply;
}
