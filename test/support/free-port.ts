/**
 * A port for a server that must be named before it listens (a daemon's configuration file, a
 * public URL registered with an identity provider, npm's registry setting).
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** The first port of the kernel's ephemeral range (Linux; 32768, its default, elsewhere). */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 11_000 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * The ports in this range that the Fetch standard's "bad port" list names: `fetch` refuses them
 * before it connects ("bad port"), so a daemon on one never answers a test's readiness probe.
 * 10080 was drawn once, and a CI run waited 15 s for a docker-registry that was up all along.
 */
export const FETCH_BAD_PORTS: ReadonlySet<number> = new Set([10_080]);

/**
 * A TCP port on 127.0.0.1 nothing listens on now, drawn from below the ephemeral range. A port
 * `listen(0)` handed out and this function freed again lies in that range, where every server
 * another test file starts meanwhile (`listen(0)`) could be given it before the caller binds it:
 * about one such bind in 7,000 was. Below the range only a port chosen by number can collide.
 */
export async function freePort(): Promise<number> {
  const low = ephemeralLow();
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 10_000 + Math.floor(Math.random() * (low - 10_000));
    if (FETCH_BAD_PORTS.has(port)) continue;
    if (await bindable(port)) return port;
  }
  throw new Error(`freePort: no port between 10000 and ${low} could be bound in 50 tries`);
}
