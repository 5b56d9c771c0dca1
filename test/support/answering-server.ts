/**
 * A local server at an Airlock's address that answers every request with one JSON body, set by
 * the test: what a broken or hostile server (or whatever answers at the configured address) might
 * send, for the admin client's and the CLI's tests. Each request's method and path are noted.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AnsweringServer {
  readonly url: string;
  /** `METHOD /path` of each request so far, in order (the test may empty it). */
  readonly asked: string[];
  /** What every request is answered, as JSON. */
  answer: unknown;
  close(): void;
}

export async function answeringServer(): Promise<AnsweringServer> {
  const asked: string[] = [];
  const server = createServer((req, res) => {
    req.resume();
    asked.push(`${req.method} ${new URL(req.url ?? '/', 'http://x').pathname}`);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(self.answer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const self: AnsweringServer = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    asked,
    answer: {},
    close: () => server.close(),
  };
  return self;
}

const at = '2026-03-10T12:00:00.000Z';

/** A quarantine record as GET /-/api/quarantine/ID sends it. */
export const quarantineAnswer = {
  id: 'q1', repo: 'npm', purl: 'pkg:npm/held-pkg@1.0.0', ecosystem: 'npm', name: 'held-pkg', version: '1.0.0', state: 'quarantined',
  reasons: [{ message: 'held-pkg is held for review', rule: 'held' }], facts: {},
  createdAt: at, updatedAt: at, decidedBy: null, decidedAt: null, decisionReason: null, expiresAt: null, contentDigest: null,
};

/** GET /-/api/vulnerabilities's answer: one held version with a high advisory. */
export const exposureAnswer = {
  packages: 1, total: 1, bySeverity: { critical: 0, high: 1, moderate: 0, low: 0, unknown: 0 },
  items: [{ ecosystem: 'npm', name: 'lodash', version: '4.17.20', purl: 'pkg:npm/lodash@4.17.20', repos: ['npm'], fileCount: 1, files: ['lodash-4.17.20.tgz'], storedAt: at, usedAt: at,
    vulnerabilities: { count: 1, max_severity: 'high', max_score: 7.2, fix_available: true, uncertain: false, records: [{ id: 'GHSA-1', severity: 'high', score: 7.2, fixed: '4.17.21' }] } }],
};
