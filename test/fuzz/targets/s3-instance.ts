/**
 * Fuzz target of the instance profile source (`credentialSource('instance')`) against a local
 * instance metadata service answering the input: IMDSv2's session token, the role name the
 * instance profile lists, and the role's credentials document, each `<status>\n` first or a 200,
 * separated by `\n--\n`. The source must hand out credentials that can sign a request (as the
 * parsers' targets in `s3.ts` judge them), fetched with the session token and for the role the
 * answers gave, or fail with a STORAGE_ERROR over a refusal of its own, in one printable line.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isAirlockError } from '../../../src/core/errors.ts';
import { credentialSource } from '../../../src/storage/s3-blob/credential-sources.ts';
import type { ExpiringCredentials } from '../../../src/storage/s3-blob/credentials.ts';
import type { SigV4Credentials } from '../../../src/storage/s3-blob/sigv4.ts';
import { asText, isGenericJsFailure, text, type FuzzTarget } from '../../support/fuzz/target.ts';
import { answer, PASSING, REFUSED, unusable } from './s3.ts';
import { IMDS_CREDENTIALS, IMDS_FAILURE, SEED_NOW } from './s3-seeds.ts';

const BASE = '/latest/meta-data/iam/security-credentials/';
const TOKEN = 'AQAEAFUmvqZ7c1ZcN0pJ0Nw0Yb1cVZ2rW5T9XU3YEXAMPLEjb3JpZ2lu==';

let parts: readonly string[] = [];
/** What the source sent: the session token it presented, the role path it asked for. */
let seen: { token: string | null; rolePath: string | null } = { token: null, rolePath: null };
let server: { readonly server: Server; readonly url: string } | null = null;

async function imds(): Promise<string> {
  if (server !== null) return server.url;
  const s = createServer((req, res) => {
    req.resume();
    const part = req.method === 'PUT' && req.url === '/latest/api/token' ? 0 : req.url === BASE ? 1 : req.url?.startsWith(BASE) === true ? 2 : -1;
    if (part > 0) seen.token = String(req.headers['x-aws-ec2-metadata-token'] ?? '');
    if (part === 2) seen.rolePath = (req.url as string).slice(BASE.length);
    const { status, body } = part === -1 ? { status: 404, body: 'Not Found' } : answer(parts[part] ?? '');
    res.writeHead(status, { 'content-type': part === 2 ? 'application/json' : 'text/plain' }).end(body);
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  server = { server: s, url: `http://127.0.0.1:${(s.address() as AddressInfo).port}` };
  return server.url;
}

const input = (...answers: string[]): Uint8Array => text(answers.join('\n--\n'));

const instance: FuzzTarget = {
  seeds: () => [input(TOKEN, 'airlock-instance', IMDS_CREDENTIALS), input(TOKEN, 'airlock-instance\n', IMDS_FAILURE), input(TOKEN, '404\n<?xml version="1.0"?><Error>Not Found</Error>', '')],
  text: true,
  extra: () => [input(' \n', 'r', IMDS_CREDENTIALS), input(TOKEN, 'a/../../../../latest/api/token', IMDS_CREDENTIALS), input('a'.repeat(70_000), 'r', IMDS_CREDENTIALS), input(TOKEN, `${'r'.repeat(129)}`, IMDS_CREDENTIALS), input(TOKEN, 'r\u0000', IMDS_CREDENTIALS)],
  run: async (bytes) => {
    // An answer of status 5xx is asked again after a back-off: kept to the seeds' statuses.
    parts = asText(bytes).split('\n--\n').map((p) => p.replace(/^5(\d\d)\n/, '4$1\n'));
    seen = { token: null, rolePath: null };
    const source = credentialSource('instance', { env: { AWS_EC2_METADATA_SERVICE_ENDPOINT: await imds() }, region: 'us-east-1', clock: () => SEED_NOW });
    try {
      const creds = await source.get();
      const token = answer(parts[0] ?? '').body.trim();
      if (seen.token !== token) return `credentials fetched with the session token ${JSON.stringify(seen.token?.slice(0, 40))}, not the one answered`;
      const role = answer(parts[1] ?? '').body.split('\n')[0]?.trim();
      if (seen.rolePath === null || decodeURIComponent(seen.rolePath) !== role || seen.rolePath.includes('/')) return `credentials fetched at ${JSON.stringify(seen.rolePath)} for the role ${JSON.stringify(role)}`;
      // A renewing source hands out what it fetched, expiry and all.
      const fetched: Partial<ExpiringCredentials> & SigV4Credentials = creds;
      if (!(fetched.expiresAt instanceof Date)) return 'credentials handed out without their expiry';
      return unusable({ ...fetched, expiresAt: fetched.expiresAt }, (JSON.parse(answer(parts[2] ?? '').body) as { Expiration?: unknown }).Expiration);
    } finally {
      source.close();
    }
  },
  accepts: (err) =>
    isAirlockError(err, 'STORAGE_ERROR') &&
    !isGenericJsFailure(err) &&
    !/[\u0000-\u001f\u007f-\u009f]/.test(err.message) &&
    // A refusal of the source's, the body it could not read, or (no cause) credentials that run out too soon to use.
    (err.cause === undefined || err.cause instanceof REFUSED || err.cause instanceof PASSING || (err.cause instanceof Error && /^http:\/\/127\.0\.0\.1:\d+ answered with a body (over|that is not)/.test(err.cause.message))),
  done: async () => {
    if (server === null) return;
    server.server.closeAllConnections();
    await new Promise<void>((r) => server?.server.close(() => r()));
  },
};

export const targets: Record<string, FuzzTarget> = { 's3-instance-metadata': instance };
