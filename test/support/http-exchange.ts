import type { ClientRequest, IncomingHttpHeaders, IncomingMessage } from 'node:http';

export interface Exchanged {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/**
 * One request sent with `body` and its whole answer read: `start` makes the request with node:http's
 * or node:https' `request`, handing it the callback, so a caller keeps every option those take
 * (a path sent as written, a CA, no agent).
 */
export function exchange(start: (onResponse: (res: IncomingMessage) => void) => ClientRequest, body: Uint8Array | string): Promise<Exchanged> {
  return new Promise((resolve, reject) => {
    const req = start((res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
