/**
 * A webhook receiver for tests: a real HTTP server that takes POSTs, checks each one with the
 * Standard Webhooks reference library (not Airlock's own code) when it has the secret, and
 * answers as the test says (a status, a `Retry-After`), or drops the connection.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface Delivery {
  readonly id: string;
  readonly timestamp: number;
  readonly headers: IncomingHttpHeaders;
  readonly raw: string;
  readonly body: { readonly type: string; readonly timestamp: string; readonly data: Record<string, unknown> };
  /** Whether the reference library accepted the signature (null: no secret to check with). */
  readonly verified: boolean | null;
  /** What the receiver answered (0: dropped the connection). */
  readonly answered: number;
}

export interface Answer {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

export class WebhookReceiver {
  readonly #server: Server;
  readonly #verifier: Webhook | null;
  readonly url: string;
  /** Every request received, in arrival order (failed attempts included). */
  readonly requests: Delivery[] = [];
  /** How to answer the next request: a status, or 'drop' to destroy the connection. */
  answer: (n: number, body: Delivery['body']) => Answer | 'drop' = () => ({ status: 204 });
  #waiters: (() => void)[] = [];

  private constructor(server: Server, url: string, secret: string | null) {
    this.#server = server;
    this.url = url;
    this.#verifier = secret === null ? null : new Webhook(secret);
  }

  static async start(secret: string | null, path = '/hooks/airlock'): Promise<WebhookReceiver> {
    let self: WebhookReceiver | null = null;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => (self as WebhookReceiver).#take(req.method ?? '', req.headers, Buffer.concat(chunks).toString('utf8'), res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    self = new WebhookReceiver(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`, secret);
    return self;
  }

  /** The requests the receiver answered 2xx: what it took. */
  get delivered(): Delivery[] {
    return this.requests.filter((r) => r.answered >= 200 && r.answered < 300);
  }

  /** Resolves once `done` holds over the requests so far (checked on every request), or fails after `timeoutMs`. */
  async waitFor(done: (r: WebhookReceiver) => boolean, timeoutMs = 15_000, what = 'webhook deliveries'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done(this)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; received: ${JSON.stringify(this.requests.map((r) => [r.answered, r.body.type, r.body.data['seq']]))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 250));
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  #take(method: string, headers: IncomingHttpHeaders, raw: string, res: import('node:http').ServerResponse): void {
    const body = JSON.parse(raw) as Delivery['body'];
    let verified: boolean | null = null;
    if (this.#verifier !== null) {
      try {
        this.#verifier.verify(raw, headers as Record<string, string>);
        verified = true;
      } catch {
        verified = false;
      }
    }
    const answer = method === 'POST' ? this.answer(this.requests.length, body) : { status: 405 };
    this.requests.push({
      id: String(headers['webhook-id']),
      timestamp: Number(headers['webhook-timestamp']),
      headers,
      raw,
      body,
      verified,
      answered: answer === 'drop' ? 0 : answer.status,
    });
    if (answer === 'drop') res.socket?.destroy();
    else res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers }).end(answer.body ?? '');
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}
