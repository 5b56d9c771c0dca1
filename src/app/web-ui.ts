/**
 * Serves the review UI (`src/web/`: static HTML, CSS and JS that use the admin API over HTTP)
 * at `/-/ui/`, with a strict Content-Security-Policy: only its own script and style, API calls to
 * this origin, no framing.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';

const FILES = [
  ['', 'index.html', 'text/html; charset=utf-8'],
  ['ui.js', 'ui.js', 'text/javascript; charset=utf-8'],
  ['ui.css', 'ui.css', 'text/css; charset=utf-8'],
] as const;

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
} as const;

export function webRoot(): string {
  return join(import.meta.dirname, '..', 'web');
}

export async function registerWebUi(app: FastifyInstance): Promise<void> {
  const root = webRoot();
  for (const [path, file, type] of FILES) {
    const body = await readFile(join(root, file));
    app.get(`/-/ui/${path}`, async (_request, reply) => reply.headers(SECURITY_HEADERS).type(type).send(body));
  }
  app.get('/-/ui', async (_request, reply) => reply.redirect('/-/ui/', 308));
}
