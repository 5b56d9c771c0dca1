import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startTestContainerEndpoint, startTestImds, startTestSts } from '../../../test/support/aws-credential-servers.ts';
import { startTestS3, type TestS3 } from '../../../test/support/s3-server.ts';
import { readAll } from '../conformance/helpers.ts';
import { storeStream } from '../ports/index.ts';
import { credentialSource, jsonCredentials, stsCredentials } from './credential-sources.ts';
import { RenewingCredentials, type ExpiringCredentials } from './credentials.ts';
import { openS3BlobStore, resolveS3Settings } from './index.ts';

let s3: TestS3;
let scratch: string;
before(async () => {
  s3 = await startTestS3({ bucket: 'airlock-creds' });
  scratch = await mkdtemp(join(tmpdir(), 'airlock-s3creds-'));
});
after(async () => {
  await s3.close();
  await rm(scratch, { recursive: true, force: true });
});

const MIN = 60_000;

function creds(n: number, expiresAt: number): ExpiringCredentials {
  return { accessKeyId: `ASIA${n}`, secretAccessKey: `secret-${n}`, sessionToken: `token-${n}`, expiresAt: new Date(expiresAt) };
}

test('renewing credentials: fetched once for concurrent users, renewed in the background ahead of expiry, at once when expired', async () => {
  let now = 1_000_000;
  let fetches = 0;
  let gate: Promise<void> = Promise.resolve();
  const source = new RenewingCredentials({
    description: 'test',
    clock: () => now,
    fetch: async () => {
      fetches++;
      await gate;
      return creds(fetches, now + 60 * MIN);
    },
  });
  const first = await Promise.all([source.get(), source.get(), source.get()]);
  assert.equal(fetches, 1);
  assert.ok(first.every((c) => c === first[0]));
  now += 50 * MIN;
  assert.equal(await source.get(), first[0], 'still 10 minutes left: no renewal');
  assert.equal(fetches, 1);
  now += 6 * MIN;
  let open!: () => void;
  gate = new Promise((r) => (open = r));
  assert.equal(await source.get(), first[0], 'within 5 minutes of expiry: the current ones, while new ones are fetched');
  assert.equal(fetches, 2);
  assert.equal(await source.get(), first[0], 'one renewal at a time');
  assert.equal(fetches, 2);
  open();
  await gate;
  await new Promise((r) => setImmediate(r));
  const renewed = await source.get();
  assert.equal(renewed.accessKeyId, 'ASIA2');
  source.expired(first[0] as ExpiringCredentials);
  assert.equal((await source.get()).accessKeyId, 'ASIA2', 'an expiry report about older credentials changes nothing');
  source.expired(renewed);
  const third = await source.get();
  assert.equal(third.accessKeyId, 'ASIA3', 'the endpoint said they expired: fetched at once');
  source.expired(third);
  assert.equal(await source.get(), third, 'a second report within 30 s is not acted on (the refusal was about something else)');
  now += MIN;
  source.expired(third);
  assert.equal((await source.get()).accessKeyId, 'ASIA4');
});

test('renewing credentials: a failed renewal keeps the current ones while they last, then requests fail with what the source said', async () => {
  let now = 0;
  let fail = false;
  let fetches = 0;
  const failures: unknown[] = [];
  const source = new RenewingCredentials({
    description: 'the test source',
    clock: () => now,
    retryAfterMs: MIN,
    fetch: async () => {
      fetches++;
      if (fail) throw new Error('STS answered 400 InvalidIdentityToken');
      return creds(fetches, now + 60 * MIN);
    },
  });
  source.reportRenewalFailuresTo((err) => failures.push(err));
  const first = await source.get();
  fail = true;
  now = 57 * MIN;
  assert.equal(await source.get(), first);
  await new Promise((r) => setImmediate(r));
  assert.equal(failures.length, 1);
  assert.equal(await source.get(), first, 'no new try for a minute after a failure');
  assert.equal(fetches, 2);
  now = 59 * MIN + 45_000;
  await assert.rejects(source.get(), /^AirlockError: S3 blob store: no credentials from the test source: STS answered 400 InvalidIdentityToken$/, 'not handed out within 30 s of expiry');
  fail = false;
  assert.equal((await source.get()).accessKeyId, `ASIA${fetches}`);
});

test('renewing credentials: credentials already expired when handed out are refused', async () => {
  const source = new RenewingCredentials({ description: 'a skewed source', clock: () => 10 * MIN, fetch: async () => creds(1, 10 * MIN + 1000) });
  await assert.rejects(source.get(), /a skewed source handed out credentials that expire at .*, already past or too soon to use/);
});

/** Writes and reads a blob through a store whose keys come from `source`. */
async function roundTrip(source: ReturnType<typeof credentialSource>, prefix: string): Promise<void> {
  const store = await openS3BlobStore({ endpoint: s3.endpoint, bucket: s3.bucket, credentials: source, prefix, stagingDir: join(scratch, prefix), retryBaseDelayMs: 1 });
  try {
    const bytes = Buffer.from(`blob of ${prefix}`);
    const { digest } = await storeStream(store, [bytes], { maxBytes: 1024 });
    const back = await store.open(digest);
    assert.ok(back !== null);
    assert.deepEqual(await readAll(back), bytes);
  } finally {
    await store.close();
  }
}

test('web identity: the token file is read at every renewal, STS answers are used, its refusals named', async () => {
  const tokenFile = join(scratch, 'web-identity-token');
  let token = 'eyJhbGciOiJSUzI1NiJ9.first.sig';
  await writeFile(tokenFile, `${token}\n`);
  const roleArn = 'arn:aws:iam::111122223333:role/airlock-gateway';
  const sts = await startTestSts({ s3, roleArn, validToken: () => token, validForMs: 3_600_000 });
  try {
    const env = { AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ROLE_ARN: roleArn, AWS_ROLE_SESSION_NAME: 'node-a', AWS_ENDPOINT_URL_STS: sts.url };
    const source = credentialSource('web-identity', { env, region: 'us-east-1' });
    assert.equal(source.description, `web identity (role ${roleArn} through ${sts.url})`);
    await roundTrip(source, 'wi');
    assert.deepEqual(sts.tokens, [token]);
    // S3 says the credentials expired: the store renews them (with the rotated token) and carries on.
    token = 'eyJhbGciOiJSUzI1NiJ9.rotated.sig';
    await writeFile(tokenFile, token);
    s3.expire((sts.issued[0] as { accessKeyId: string }).accessKeyId);
    await roundTrip(source, 'wi2');
    assert.deepEqual(sts.tokens.slice(-1), [token]);
    assert.equal(sts.issued.length, 2);

    // A 5xx passes: asked again.
    sts.failNext(503, 'ServiceUnavailable');
    await roundTrip(credentialSource('web-identity', { env, region: 'us-east-1' }), 'wi3');
    // Refusals are named, not retried.
    await assert.rejects(
      credentialSource('web-identity', { env: { ...env, AWS_ROLE_ARN: 'arn:aws:iam::111122223333:role/other' }, region: 'us-east-1' }).get(),
      new RegExp(`^AirlockError: S3 blob store: no credentials from web identity \\(role arn:aws:iam::111122223333:role/other through ${sts.url}\\): STS at ${sts.url} answered 403 AccessDenied: Not authorized`),
    );
    await writeFile(tokenFile, 'stale-token');
    await assert.rejects(credentialSource('web-identity', { env, region: 'us-east-1' }).get(), /answered 400 InvalidIdentityToken: Incorrect token audience or expired token$/);
    await assert.rejects(credentialSource('web-identity', { env: { ...env, AWS_WEB_IDENTITY_TOKEN_FILE: join(scratch, 'none') }, region: 'us-east-1' }).get(), /cannot read the web identity token file .*none: ENOENT/);
    // Settings are checked before anything is fetched.
    assert.throws(() => credentialSource('web-identity', { env: { AWS_ROLE_ARN: roleArn }, region: 'us-east-1' }), /web-identity needs AWS_WEB_IDENTITY_TOKEN_FILE/);
    assert.throws(() => credentialSource('web-identity', { env: { ...env, AWS_ROLE_ARN: 'airlock-gateway' }, region: 'us-east-1' }), /AWS_ROLE_ARN is not an IAM role ARN/);
    assert.throws(() => credentialSource('web-identity', { env: { ...env, AWS_ENDPOINT_URL_STS: 'ftp://x' }, region: 'us-east-1' }), /AWS_ENDPOINT_URL_STS must be an http/);
  } finally {
    await sts.close();
  }
});

test('container credentials: the authorization token file is read at every fetch; plain http only to the agent or this host', async () => {
  const tokenFile = join(scratch, 'container-token');
  let token = 'pod-identity-token-1';
  await writeFile(tokenFile, token);
  const endpoint = await startTestContainerEndpoint({ s3, path: '/v1/credentials', validToken: () => token });
  try {
    const env = { AWS_CONTAINER_CREDENTIALS_FULL_URI: `${endpoint.url}/v1/credentials`, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: tokenFile };
    const source = credentialSource('container', { env, region: 'us-east-1' });
    await roundTrip(source, 'ct');
    token = 'pod-identity-token-2';
    await writeFile(tokenFile, token);
    s3.expire((endpoint.issued[0] as { accessKeyId: string }).accessKeyId);
    await roundTrip(source, 'ct2');
    assert.equal(endpoint.issued.length, 2);
    await assert.rejects(
      credentialSource('container', { env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: env.AWS_CONTAINER_CREDENTIALS_FULL_URI, AWS_CONTAINER_AUTHORIZATION_TOKEN: 'wrong' }, region: 'us-east-1' }).get(),
      /answered 401: \{"code":"AccessDenied"/,
    );
    assert.throws(() => credentialSource('container', { env: { AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://metadata.example.test/creds' }, region: 'us-east-1' }), /over http must name this host or the container agent/);
    assert.throws(() => credentialSource('container', { env: {}, region: 'us-east-1' }), /container needs AWS_CONTAINER_CREDENTIALS_FULL_URI or AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/);
  } finally {
    await endpoint.close();
  }
});

test('instance profile: IMDSv2 only (a session token, then the role and its credentials); bad answers refused', async () => {
  const imds = await startTestImds({ s3, role: 'airlock-instance' });
  try {
    const env = { AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url };
    await roundTrip(credentialSource('instance', { env, region: 'us-east-1' }), 'im');
    assert.equal(imds.issued.length, 1);
    assert.equal(imds.sessions, 1);
    imds.failNext(500, 'Internal Server Error');
    await roundTrip(credentialSource('instance', { env, region: 'us-east-1' }), 'im2');
    imds.failNext(403, 'Forbidden');
    await assert.rejects(credentialSource('instance', { env, region: 'us-east-1' }).get(), /refused a session token \(403\); IMDSv2 must be reachable/);
    const none = await startTestImds({ s3, role: 'x' });
    await none.close();
    await assert.rejects(credentialSource('instance', { env: { AWS_EC2_METADATA_SERVICE_ENDPOINT: none.url }, region: 'us-east-1' }).get(), /no credentials from instance profile/);
    assert.throws(() => credentialSource('instance', { env: { AWS_EC2_METADATA_DISABLED: 'true' }, region: 'us-east-1' }), /AWS_EC2_METADATA_DISABLED is true/);
  } finally {
    await imds.close();
  }
});

/** An ECS container credentials answer, with `fields` in place of the usual ones. */
const ecsAnswer = (fields: Record<string, string>): string =>
  JSON.stringify({ AccessKeyId: 'ASIAIOSFODNN7EXAMPLE', SecretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', Token: 'IQoJb3JpZ2luX2VjEJv//wEaCXVz', Expiration: '2099-01-01T00:00:00Z', ...fields });

test('credential answers: keys that cannot sign a request are refused (a key id or token a header cannot carry, a blank secret), from a source or the configuration', () => {
  // The key id and the token travel in header values: a character Node will not send there failed
  // every request as it went out, reported as an endpoint that cannot be reached.
  const refusals: [Record<string, string>, string][] = [
    [{ AccessKeyId: 'ASIA\u20ac' }, 'accessKeyId: the access key id must be at most 128 visible ASCII characters without commas, slashes or ='],
    [{ AccessKeyId: 'ASIA\u007fX' }, 'accessKeyId: the access key id must be at most 128 visible ASCII characters without commas, slashes or ='],
    [{ Token: 'a\u0000b' }, 'sessionToken: the session token must be at most 16384 visible ASCII characters'],
    [{ Token: 'IQoJ\u00e9' }, 'sessionToken: the session token must be at most 16384 visible ASCII characters'],
    [{ Token: 'IQoJ b' }, 'sessionToken: the session token must be at most 16384 visible ASCII characters'],
    [{ SecretAccessKey: '   ' }, 'secretAccessKey: credentials need a secret access key'],
    [{ SecretAccessKey: 'wJalr\u0007' }, 'secretAccessKey: the secret access key must be at most 1024 characters without control characters'],
  ];
  for (const [fields, message] of refusals) {
    assert.throws(() => jsonCredentials(200, ecsAnswer(fields), 'the test endpoint'), { message: `the test endpoint handed out unusable credentials (${message})` }, JSON.stringify(fields));
  }
  assert.equal(jsonCredentials(200, ecsAnswer({}), 'the test endpoint').accessKeyId, 'ASIAIOSFODNN7EXAMPLE');
  assert.throws(() => resolveS3Settings({ endpoint: 'http://127.0.0.1:9000', bucket: 'airlock-test', credentials: { accessKeyId: 'AKIA\u20ac', secretAccessKey: 'secret' } }), /access key id must be at most 128 visible ASCII characters/);
});

test('credential answers: the expiry is read as written, and one that names no time (a day the month lacks, no zone) is refused, not rolled over', () => {
  assert.equal(jsonCredentials(200, ecsAnswer({ Expiration: '2099-01-01T02:00:00+02:00' }), 'the test endpoint').expiresAt.toISOString(), '2099-01-01T00:00:00.000Z');
  for (const expiration of ['2099-02-30T00:00:00Z', '2099-04-31T00:00:00Z', '2099-01-01T24:00:00Z', '2099-01-01T00:00:00']) {
    assert.throws(() => jsonCredentials(200, ecsAnswer({ Expiration: expiration }), 'the test endpoint'), { message: `the test endpoint gave no usable expiry time (${JSON.stringify(expiration)})` });
  }
  const sts = (expiration: string): string =>
    `<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials><SessionToken>IQoJ</SessionToken><SecretAccessKey>wJalr</SecretAccessKey><Expiration>${expiration}</Expiration><AccessKeyId>ASIA1</AccessKeyId></Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>`;
  assert.throws(() => stsCredentials(200, sts('2099-02-29T10:00:00Z'), 'https://sts.example'), { message: 'STS at https://sts.example gave no usable expiry time ("2099-02-29T10:00:00Z")' });
  assert.equal(stsCredentials(200, sts('2096-02-29T10:00:00Z'), 'https://sts.example').expiresAt.toISOString(), '2096-02-29T10:00:00.000Z');
});

test('credential answers: a Code or Expiration that is an array nested thousands deep is refused, not written out (a stack overflow)', () => {
  const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
  assert.throws(() => jsonCredentials(200, `{"Code":${deep}}`, 'the test endpoint'), { message: 'the test endpoint answered Code an array' });
  assert.throws(() => jsonCredentials(200, ecsAnswer({}).replace(/"Expiration":"[^"]*"/, `"Expiration":${deep}`), 'the test endpoint'), { message: 'the test endpoint gave no usable expiry time (an array)' });
});

test("credential answers: the endpoint's own text in a refusal is one printable line, capped", () => {
  assert.throws(() => jsonCredentials(200, '{"Code":"Fail\\u0007ure","Message":"line one\\nline two\\u001b[31m"}', 'the test endpoint'), { message: 'the test endpoint answered Code "Fail ure": line one line two [31m' });
  assert.throws(() => jsonCredentials(403, `denied\r\nX-Injected: 1\u0085${'x'.repeat(400)}`, 'the test endpoint'), { message: `the test endpoint answered 403: denied X-Injected: 1 ${'x'.repeat(279)}…` });
  const refusal = '<ErrorResponse><Error><Code>Access&#10;Denied</Code><Message>not&#13;&#10;authorized&#x9B;</Message></Error></ErrorResponse>';
  assert.throws(() => stsCredentials(403, refusal, 'https://sts.example'), { message: 'STS at https://sts.example answered 403 Access Denied: not authorized' });
});

test('web identity: an STS answer giving an element twice is a refusal naming STS, not asked again as if it were passing', async () => {
  let requests = 0;
  const answers = [
    ['400', '<ErrorResponse><Error><Code>InvalidIdentityToken</Code></Error><Error><Code>Throttling</Code></Error></ErrorResponse>', 'STS at {url} answered 400 with XML not of the shape STS writes (<ErrorResponse> has more than one <Error>)'],
    ['200', '<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>ASIA1</AccessKeyId><AccessKeyId>ASIA2</AccessKeyId></Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>', 'STS at {url} answered 200 with XML not of the shape STS writes (<Credentials> has more than one <AccessKeyId>)'],
  ] as const;
  let current: (typeof answers)[number] = answers[0];
  const server = createServer((req, res) => {
    requests++;
    req.resume();
    req.on('end', () => res.writeHead(Number(current[0]), { 'content-type': 'text/xml' }).end(current[1]));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const tokenFile = join(scratch, 'web-identity-token-twice');
    await writeFile(tokenFile, 'eyJhbGciOiJSUzI1NiJ9.x.sig');
    const env = { AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ROLE_ARN: 'arn:aws:iam::111122223333:role/airlock-gateway', AWS_ENDPOINT_URL_STS: url };
    for (const answer of answers) {
      current = answer;
      requests = 0;
      await assert.rejects(credentialSource('web-identity', { env, region: 'us-east-1' }).get(), (err: unknown) => err instanceof Error && err.message.endsWith(`: ${answer[2].replace('{url}', url)}`));
      assert.equal(requests, 1, 'a refusal is not asked again');
    }
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
});

test('instance profile: a session token a header cannot carry is refused as unusable, not sent (and asked again for as a failure in passing)', async () => {
  let tokenRequests = 0;
  let token = '';
  const server = createServer((req, res) => {
    req.resume();
    if (req.method === 'PUT') tokenRequests++;
    res.writeHead(req.method === 'PUT' ? 200 : 404, { 'content-type': 'text/plain' }).end(req.method === 'PUT' ? token : 'Not Found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    for (const bad of ['AQAEA\u0001Fv==', 'AQAEA\u2603Fv==', 'AQAEA\u00e9Fv==']) {
      token = bad;
      tokenRequests = 0;
      await assert.rejects(credentialSource('instance', { env: { AWS_EC2_METADATA_SERVICE_ENDPOINT: url }, region: 'us-east-1' }).get(), {
        message: `S3 blob store: no credentials from instance profile (${url}): the instance metadata service at ${url} answered the session token request with no usable token`,
      });
      assert.equal(tokenRequests, 1, JSON.stringify(bad));
    }
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
});

test('container credentials: an answer over the cap or not UTF-8, and a token a header cannot carry, are refusals: asked for once, never again', async () => {
  let requests = 0;
  let body: Buffer = Buffer.alloc(0);
  const server = createServer((req, res) => {
    req.resume();
    requests++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const env = { AWS_CONTAINER_CREDENTIALS_FULL_URI: `${url}/creds` };
    const answers: [Buffer, string][] = [
      [Buffer.alloc(64 * 1024 + 1, 0x20), `${url} answered with a body over 65536 bytes`],
      [Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), `${url} answered with a body that is not UTF-8`],
    ];
    for (const [answer, why] of answers) {
      body = answer;
      requests = 0;
      await assert.rejects(credentialSource('container', { env, region: 'us-east-1' }).get(), { message: `S3 blob store: no credentials from container credentials (${url}/creds): ${why}` });
      assert.equal(requests, 1, why);
    }
    requests = 0;
    for (const token of ['tok\u0001en', 'tok\ten', 'tok\u00e9en', 'tok\u2603en']) {
      await assert.rejects(credentialSource('container', { env: { ...env, AWS_CONTAINER_AUTHORIZATION_TOKEN: token }, region: 'us-east-1' }).get(), /the container authorization token must be one line of printable ASCII/);
    }
    assert.equal(requests, 0);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
});
