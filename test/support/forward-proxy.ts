/**
 * A small HTTP forward proxy for tests, as corporate egress proxies (squid) behave: plain-HTTP
 * requests arrive with an absolute URI and are forwarded; HTTPS arrives as a CONNECT tunnel.
 * Optionally requires basic `Proxy-Authorization` (407 otherwise). Records what it was asked for.
 */
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';

/**
 * An IPv4 address of this machine that is not loopback, for a server a proxy would be used for
 * (Airlock reaches a loopback host directly, whatever the proxy settings); undefined without one.
 */
export const EXTERNAL_ADDRESS: string | undefined = Object.values(networkInterfaces())
  .flat()
  .find((a) => a !== undefined && a.family === 'IPv4' && !a.internal)?.address;

export interface ForwardProxy {
  readonly url: string;
  /** `GET http://host/path` or `CONNECT host:port`, in arrival order (refused ones included). */
  readonly seen: string[];
  /** Requests refused for missing or wrong credentials. */
  refused: number;
  close(): Promise<void>;
}

export async function startForwardProxy(credentials?: { readonly username: string; readonly password: string }): Promise<ForwardProxy> {
  const expected = credentials === undefined ? null : `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
  const sockets = new Set<Socket>();
  const state = { refused: 0 };
  const seen: string[] = [];
  const allowed = (req: IncomingMessage): boolean => expected === null || req.headers['proxy-authorization'] === expected;
  const server: Server = createServer((req, res) => {
    seen.push(`${req.method ?? ''} ${req.url ?? ''}`);
    if (!allowed(req)) {
      state.refused++;
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"', 'content-type': 'text/plain' }).end('proxy authentication required');
      return;
    }
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end('absolute URI expected');
      return;
    }
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const up = request(target, { method: req.method, headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    seen.push(`CONNECT ${req.url ?? ''}`);
    if (!allowed(req)) {
      state.refused++;
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\n\r\n');
      return;
    }
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host ?? '', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    get refused() {
      return state.refused;
    },
    set refused(n: number) {
      state.refused = n;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
