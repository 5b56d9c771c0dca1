/** One request to the fixture Hub or its CDN and the ways to answer it as the Hub does. */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { sendBytes } from './http-bits.ts';

export interface HubRequest {
  readonly origin: 'hub' | 'cdn';
  readonly method: string;
  /** As sent: undecoded, with the query. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The status answered (0 until answered, or when the connection was dropped). */
  status: number;
}

/** The Hub's error codes (`X-Error-Code`). */
export type HubErrorCode = 'RepoNotFound' | 'RevisionNotFound' | 'EntryNotFound' | 'GatedRepo';

export class Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly entry: HubRequest;
  readonly pathname: string;
  readonly query: URLSearchParams;
  readonly requestId: string;

  constructor(req: IncomingMessage, res: ServerResponse, entry: HubRequest, requestId: string) {
    this.req = req;
    this.res = res;
    this.entry = entry;
    this.requestId = requestId;
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    this.pathname = q < 0 ? raw : raw.slice(0, q);
    this.query = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
  }

  get method(): string {
    return this.req.method ?? 'GET';
  }

  header(name: string): string | undefined {
    const v = this.req.headers[name.toLowerCase()];
    return Array.isArray(v) ? v.join(', ') : v;
  }

  send(status: number, headers: Record<string, string>, body?: string | Buffer): void {
    this.entry.status = status;
    const bytes = body === undefined ? undefined : Buffer.from(body);
    const h: Record<string, string> = { 'x-request-id': this.requestId, ...headers };
    if (bytes !== undefined) h['content-length'] = String(bytes.length);
    this.res.writeHead(status, h).end(this.method === 'HEAD' ? undefined : bytes);
  }

  json(status: number, value: unknown, headers: Record<string, string> = {}): void {
    this.send(status, { 'content-type': 'application/json; charset=utf-8', ...headers }, JSON.stringify(value));
  }

  /** An error as the Hub sends it: `X-Error-Code` (when it has one), `X-Error-Message`, and a JSON `{"error": …}` body. */
  error(status: number, code: HubErrorCode | undefined, message: string, headers: Record<string, string> = {}): void {
    // Messages can echo a client's revision or path: the header gets a printable-ASCII copy.
    this.json(status, { error: message }, { ...(code === undefined ? {} : { 'x-error-code': code }), 'x-error-message': message.replace(/[^\x20-\x7e]/g, '?'), ...headers });
  }

  bytes(headers: Record<string, string>, bytes: Buffer): void {
    sendBytes(this.req, this.res, { 'x-request-id': this.requestId, ...headers }, bytes, (s) => (this.entry.status = s));
  }
}
