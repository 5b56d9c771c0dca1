/**
 * A gateway whose bucket is reached with a platform's temporary credentials, as on Kubernetes
 * (EKS service accounts): `airlock serve --config` with `credentials: web-identity` and the
 * variables the platform sets, a local STS that hands out credentials for the token in the file,
 * and an S3 endpoint that accepts them until they expire. The real npm installs through it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { npmTestEnv } from '../../npm/helpers.ts';
import { startTestSts } from '../../support/aws-credential-servers.ts';
import { serveForTest } from '../../support/serve-process.ts';
import { startTestS3 } from '../../support/s3-server.ts';
import { cleanEnv, project } from './support.ts';

test('npm installs through a gateway whose S3 keys come from a web identity: assumed at start, renewed when S3 says they expired, with the rotated token', async (t) => {
  const env = await npmTestEnv();
  t.after(() => env.close());
  const tmp = await mkdtemp(join(tmpdir(), 'airlock-e2e-s3-creds-'));
  t.after(() => rm(tmp, { recursive: true, force: true }));
  const s3 = await startTestS3({ bucket: 'airlock-irsa' });
  t.after(() => s3.close());
  const roleArn = 'arn:aws:iam::111122223333:role/airlock-gateway';
  const tokenFile = join(tmp, 'token');
  let token = 'eyJhbGciOiJSUzI1NiJ9.service-account.first';
  await writeFile(tokenFile, token);
  const sts = await startTestSts({ s3, roleArn, validToken: () => token });
  t.after(() => sts.close());

  const config = join(tmp, 'airlock.yaml');
  const storage = { dataDir: join(tmp, 'data'), blobs: { driver: 's3', endpoint: s3.endpoint, bucket: s3.bucket, prefix: 'gw' } };
  await writeFile(config, `${JSON.stringify({ repositories: [{ name: 'npm', format: 'npm', upstream: env.registry.url }], policy: { paths: [env.policyDir], watch: false }, server: { port: 0 }, storage })}\n`);
  // What EKS puts in a pod's environment for its service account (and no keys at all).
  const platform = { AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ROLE_ARN: roleArn, AWS_ENDPOINT_URL_STS: sts.url, AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined };
  const node = await serveForTest(t, tmp, ['--config', config], { env: cleanEnv(platform) });
  assert.match(node.stderr(), /blobs: S3 bucket airlock-irsa at http:\/\/127\.0\.0\.1:\d+ under gw\/ \(credentials from a web identity\)/);
  assert.equal(sts.issued.length, 1, 'assumed once at start-up');
  const first = sts.issued[0] as { accessKeyId: string };
  const signedWith = (key: string): number => s3.requests.filter((r) => String(r.headers.authorization ?? '').includes(`Credential=${key}/`)).length;

  const app = await project(`${node.url}/npm/`, tmp);
  const one = await app.npm(['install', 'left-pad@1.3.0']);
  assert.equal(one.code, 0, one.output);
  assert.equal(s3.count('PUT', (r) => /\/gw\/sha256\//.test(r.path)) > 0, true, 'the tarball went to the bucket');
  assert.ok(signedWith(first.accessKeyId) > 0);

  // The platform rotates the token; S3 then refuses the first credentials as expired.
  token = 'eyJhbGciOiJSUzI1NiJ9.service-account.rotated';
  await writeFile(tokenFile, token);
  s3.expire(first.accessKeyId);
  const two = await app.npm(['install', '@acme/widget@2.0.0']);
  assert.equal(two.code, 0, two.output);
  assert.equal((await app.readJson('node_modules/@acme/widget/package.json'))['version'], '2.0.0');
  assert.equal(sts.issued.length, 2, 'renewed once');
  assert.deepEqual(sts.tokens, ['eyJhbGciOiJSUzI1NiJ9.service-account.first', token], 'with the token the file holds now');
  assert.ok(signedWith((sts.issued[1] as { accessKeyId: string }).accessKeyId) > 0);
  assert.doesNotMatch(node.stderr(), new RegExp((sts.issued[1] as { secretAccessKey: string }).secretAccessKey.replace(/[+/]/g, '.')));
});

test('a gateway whose web identity is refused does not start, and says what STS answered', async (t) => {
  const tmp = await mkdtemp(join(tmpdir(), 'airlock-e2e-s3-creds-'));
  t.after(() => rm(tmp, { recursive: true, force: true }));
  const s3 = await startTestS3({ bucket: 'airlock-irsa' });
  t.after(() => s3.close());
  const roleArn = 'arn:aws:iam::111122223333:role/airlock-gateway';
  const sts = await startTestSts({ s3, roleArn, validToken: () => 'the-right-token' });
  t.after(() => sts.close());
  const tokenFile = join(tmp, 'token');
  await writeFile(tokenFile, 'an-expired-token');
  const config = join(tmp, 'airlock.yaml');
  await writeFile(config, `${JSON.stringify({ repositories: [{ name: 'npm', format: 'npm', upstream: 'http://127.0.0.1:9/' }], server: { port: 0 }, storage: { dataDir: join(tmp, 'data'), blobs: { driver: 's3', endpoint: s3.endpoint, bucket: s3.bucket, credentials: 'web-identity' } } })}\n`);
  const { serve } = await import('../../support/serve-process.ts');
  const server = serve(tmp, ['--config', config], { env: cleanEnv({ AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ROLE_ARN: roleArn, AWS_ENDPOINT_URL_STS: sts.url }) });
  const code = await server.exited;
  assert.notEqual(code, 0);
  assert.match(server.stderr(), /no credentials from web identity \(role arn:aws:iam::111122223333:role\/airlock-gateway through http:\/\/127\.0\.0\.1:\d+\): STS at http:\/\/127\.0\.0\.1:\d+ answered 400 InvalidIdentityToken: Incorrect token audience or expired token/);
  assert.equal(s3.requests.length, 0, 'nothing was sent to the bucket unsigned or with other keys');
});
