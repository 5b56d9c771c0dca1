/**
 * One delivery attempt: a POST of the body with the Standard Webhooks headers, answered in time
 * with a 2xx or failed. Redirects are not followed (a moved receiver is configured again), and
 * the receiver's answer is read only as far as a short excerpt for the failure's description.
 */
import type { Readable } from 'node:stream';
import { retryAfterMs, TransportTimeout, type Transport } from '../upstream/index.ts';
import { signDelivery } from './signing.ts';

export interface Delivered {
  readonly ok: true;
  readonly status: number;
}

export interface Failed {
  readonly ok: false;
  /** The receiver's status, or null when it gave none (refused, timed out, reset). */
  readonly status: number | null;
  readonly error: string;
  /** What the receiver's `Retry-After` asked for. */
  readonly retryAfterMs: number | null;
}

export type Attempt = Delivered | Failed;

export interface Receiver {
  readonly url: URL;
  /** The HMAC key, or null to send unsigned. */
  readonly key: Buffer | null;
}

/** Bytes of a failed answer quoted in its description. */
const EXCERPT_BYTES = 200;
/** Bytes of an answer read at most (the rest closes the connection). */
const READ_LIMIT = 64 * 1024;

async function excerpt(body: Readable): Promise<string> {
  let seen = 0;
  const parts: Buffer[] = [];
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      if (seen < EXCERPT_BYTES) parts.push(chunk.subarray(0, EXCERPT_BYTES - seen));
      seen += chunk.length;
      if (seen > READ_LIMIT) break;
    }
  } catch {
    // The excerpt is a courtesy: a broken body leaves it short.
  } finally {
    body.destroy();
  }
  return Buffer.concat(parts).toString('utf8').replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}

function describe(err: unknown): string {
  if (err instanceof TransportTimeout) return err.message;
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? `${e.code}: ` : '';
  return `${code}${typeof e.message === 'string' ? e.message : String(err)}`.slice(0, 300);
}

export class WebhookSender {
  readonly #transport: Transport;
  readonly #userAgent: string;

  constructor(transport: Transport, userAgent: string) {
    this.#transport = transport;
    this.#userAgent = userAgent;
  }

  async send(receiver: Receiver, id: string, body: Buffer, now: Date): Promise<Attempt> {
    const timestamp = Math.floor(now.getTime() / 1000);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'content-length': String(body.length),
      'user-agent': this.#userAgent,
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
    };
    if (receiver.key !== null) headers['webhook-signature'] = signDelivery(receiver.key, id, timestamp, body);
    let res;
    try {
      res = await this.#transport.request(receiver.url, { method: 'POST', headers, body, signal: undefined });
    } catch (err) {
      return { ok: false, status: null, error: `could not deliver: ${describe(err)}`, retryAfterMs: null };
    }
    const status = res.statusCode;
    if (status >= 200 && status < 300) {
      res.body.resume();
      return { ok: true, status };
    }
    const text = await excerpt(res.body);
    const redirect = status >= 300 && status < 400 ? ' (redirects are not followed: configure the URL it points to)' : '';
    return {
      ok: false,
      status,
      error: `the receiver answered ${status}${redirect}${text === '' ? '' : `: ${text}`}`,
      retryAfterMs: retryAfterMs(res.headers['retry-after'], now.getTime()),
    };
  }

  close(): void {
    this.#transport.close();
  }
}
