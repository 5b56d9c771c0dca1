/**
 * CI workload identity, end to end: a local OIDC issuer as GitHub Actions runs one (discovery,
 * JWKS, real signed ID tokens with GitHub's claims, the runner's token request URL), an Airlock
 * that trusts it and requires a token to read, and a job that does what the docs show — curl for
 * an ID token, curl to exchange it, the minted token in npm's config — then the real npm: a
 * branch build installs with a reader token, the release job publishes its own package with a
 * publisher token limited to @acme/* and is refused another, a refused exchange says why, and once
 * the token's ttl has passed (the server's clock moved) npm is refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FixtureRegistry } from '../../support/npm-registry/index.ts';
import { startAirlock } from '../../support/start-airlock.ts';
import { TestOidcIssuer } from '../../support/oidc-issuer.ts';
import { adminGet, airlockCli, cleanEnv, project, publishPackage, run } from './support.ts';

const AUDIENCE = 'https://airlock.example';

/** The job's steps as docs/configuration.md shows them, in the shell GitHub Actions runs them with (bash -eo pipefail). */
const CI_JOB = `set -euo pipefail
ID_TOKEN=$(curl -sS --fail-with-body -H "Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" \\
  "$ACTIONS_ID_TOKEN_REQUEST_URL&audience=$AIRLOCK_AUDIENCE" | jq -r .value)
ANSWER=$(curl -sS --fail-with-body -X POST "$AIRLOCK_URL/-/api/oidc/token" \\
  -H 'content-type: application/json' -d "{\\"token\\": \\"$ID_TOKEN\\"}") || { echo "$ANSWER" >&2; exit 1; }
AIRLOCK_TOKEN=$(echo "$ANSWER" | jq -r .token)
echo "\${AIRLOCK_URL#http:}/$REPO/:_authToken=$AIRLOCK_TOKEN" >> .npmrc
echo "$AIRLOCK_TOKEN"
`;

test('a CI job exchanges its OIDC ID token for a short-lived, scoped token and npm installs and publishes with it', async (t) => {
  const issuer = await TestOidcIssuer.start();
  t.after(() => issuer.close());
  const upstream = await FixtureRegistry.start([{ name: 'left-pad', versions: [{ version: '1.3.0' }] }]);
  t.after(() => upstream.close());
  const tmp = await mkdtemp(join(tmpdir(), 'airlock-oidc-'));
  t.after(() => rm(tmp, { recursive: true, force: true }));
  let offset = 0;
  const airlock = await startAirlock({
    clock: () => new Date(Date.now() + offset),
    dataDir: join(tmp, 'data'),
    config: {
      repositories: [
        { name: 'npm', format: 'npm', upstream: upstream.url },
        { name: 'internal', format: 'npm', kind: 'hosted' },
      ],
      access: {
        anonymousRead: false,
        oidc: {
          issuers: [
            {
              issuer: issuer.url,
              audience: AUDIENCE,
              trust: [
                { name: 'release', claims: { repository: 'acme/app', ref: 'refs/heads/main', workflow_ref: 'acme/app/.github/workflows/release.yml@*' }, role: 'publisher', repos: ['internal'], packages: ['@acme/*'], ttl: '10m' },
                { name: 'branches', claims: { repository_owner: 'acme', ref: 'refs/heads/*' }, role: 'reader', repos: ['npm'], ttl: '5m' },
              ],
            },
          ],
        },
      },
    },
  });
  t.after(() => airlock.close());
  const hosted = `${airlock.url}/internal/`;
  const job = async (dir: string, repo: string) => {
    const r = await run('bash', ['-c', CI_JOB], {
      cwd: dir,
      env: cleanEnv({ ACTIONS_ID_TOKEN_REQUEST_URL: issuer.requestUrl, ACTIONS_ID_TOKEN_REQUEST_TOKEN: issuer.requestToken, AIRLOCK_URL: airlock.url, AIRLOCK_AUDIENCE: AUDIENCE, REPO: repo }),
    });
    return { ...r, token: r.stdout.trim().split('\n').pop() ?? '' };
  };

  // A branch build: the reader rule. Without the token npm is refused; with it, it installs.
  const build = await project(`${airlock.url}/npm/`, tmp);
  const anonymous = await build.npm(['install', 'left-pad']);
  assert.notEqual(anonymous.code, 0);
  assert.match(anonymous.output, /E401/);
  issuer.runnerClaims = { ref: 'refs/heads/feature/x' };
  const branch = await job(build.dir, 'npm');
  assert.equal(branch.code, 0, branch.output);
  assert.match(branch.token, /^airlock_/);
  assert.match(await readFile(join(build.dir, '.npmrc'), 'utf8'), /^\/\/127\.0\.0\.1:\d+\/npm\/:_authToken=airlock_/);
  const installed = await build.npm(['install', 'left-pad']);
  assert.equal(installed.code, 0, installed.output);
  assert.equal((await build.readJson('node_modules/left-pad/package.json'))['version'], '1.3.0');
  const readerPublish = await publishPackage(tmp, hosted, branch.token, { name: '@acme/lib', version: '0.0.1' });
  assert.notEqual(readerPublish.code, 0, 'a reader token publishes nothing');
  assert.match(readerPublish.output, /E403/);

  // The release job on main: the publisher rule, limited to @acme/* in internal.
  issuer.runnerClaims = {};
  const release = await job(await mkdtemp(join(tmp, 'release-')), 'internal');
  assert.equal(release.code, 0, release.output);
  const published = await publishPackage(tmp, hosted, release.token, { name: '@acme/lib', version: '1.0.0' });
  assert.equal(published.code, 0, published.output);
  const outside = await publishPackage(tmp, hosted, release.token, { name: 'billing', version: '1.0.0' });
  assert.notEqual(outside.code, 0);
  assert.match(outside.output, /E403/);
  assert.match(outside.output, /this token may write only @acme\/\*; not billing/);
  assert.equal(await airlock.app.airlock.storage.metadata.getHostedPackage('internal', 'billing'), null);
  const consumer = await project(hosted, tmp);
  await writeFile(join(consumer.dir, '.npmrc'), `${hosted.replace(/^http:/, '')}:_authToken=${release.token}\n`);
  const fromHosted = await consumer.npm(['install', '@acme/lib']);
  assert.equal(fromHosted.code, 0, fromHosted.output);

  // The same with the CLI, the ID token in a file or on stdin; a refusal is its exit status and the reason.
  const idFile = join(tmp, 'id-token');
  await writeFile(idFile, `${issuer.idToken({ aud: AUDIENCE, ref: 'refs/heads/fix' })}\n`);
  const cli = await airlockCli(['token', 'exchange', '--issuer-token', idFile, '--server', airlock.url], {});
  assert.equal(cli.code, 0, cli.output);
  assert.match(cli.stdout.trim(), /^airlock_\S+$/);
  assert.match(cli.stderr, new RegExp(`exchanged an ID token of ${issuer.url} \\(repo:acme/app:ref:refs/heads/fix\\) by rule branches for reader token \\S+ \\(oidc:acme/app@refs/heads/fix\\), limited to repositories npm, until 20`));
  const piped = await run('bash', ['-c', `"${process.execPath}" bin/airlock.js token exchange --issuer-token - --server ${airlock.url} < "${idFile}"`], { cwd: join(import.meta.dirname, '..', '..', '..') });
  assert.equal(piped.code, 0, piped.output);
  await writeFile(idFile, issuer.idToken({ aud: 'elsewhere' }));
  const cliRefused = await airlockCli(['token', 'exchange', '--issuer-token', idFile, '--server', airlock.url], {});
  assert.notEqual(cliRefused.code, 0);
  assert.match(cliRefused.stderr, /airlock token exchange: the token's audience is "elsewhere", not "https:\/\/airlock.example"/);

  // The tokens are ordinary token records: listed with their issuer, their creation audited with the issuer, subject and rule.
  const tokens = (await adminGet(airlock, 'tokens')) as { items: { label: string; role: string; exchangedFrom: string | null; scope: unknown }[] };
  const exchanged = tokens.items.filter((x) => x.exchangedFrom === issuer.url);
  // Newest first, as GET /-/api/tokens pages them.
  assert.deepEqual(exchanged.map((x) => [x.label, x.role]), [
    ['oidc:acme/app@refs/heads/fix', 'reader'],
    ['oidc:acme/app@refs/heads/fix', 'reader'],
    ['oidc:acme/app@refs/heads/main', 'publisher'],
    ['oidc:acme/app@refs/heads/feature/x', 'reader'],
  ]);
  const audit = (await adminGet(airlock, 'audit?limit=100')) as { items: { action: string; actor: string; details: Record<string, unknown> }[] };
  const creations = audit.items.filter((e) => e.action === 'token.create' && e.details['oidc'] !== undefined);
  assert.deepEqual(creations.map((e) => e.details['oidc']).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))), [
    { issuer: issuer.url, subject: 'repo:acme/app:ref:refs/heads/feature/x', rule: 'branches' },
    { issuer: issuer.url, subject: 'repo:acme/app:ref:refs/heads/fix', rule: 'branches' },
    { issuer: issuer.url, subject: 'repo:acme/app:ref:refs/heads/fix', rule: 'branches' },
    { issuer: issuer.url, subject: 'repo:acme/app:ref:refs/heads/main', rule: 'release' },
  ]);

  // Refusals say what failed, over HTTP as curl shows them.
  const exchange = (token: string) => fetch(`${airlock.url}/-/api/oidc/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
  const wrongAudience = await exchange(issuer.idToken({ aud: 'sigstore' }));
  assert.equal(wrongAudience.status, 401);
  assert.deepEqual(await wrongAudience.json(), { error: `the token's audience is "sigstore", not "${AUDIENCE}"`, code: 'UNAUTHORIZED', reason: 'audience', issuer: issuer.url });
  const stranger = await exchange(issuer.idToken({ aud: AUDIENCE, repository: 'evil/app', ref: 'refs/heads/main' }));
  assert.equal(stranger.status, 403);
  const strangerBody = (await stranger.json()) as Record<string, unknown>;
  assert.equal(strangerBody['reason'], 'no-rule');
  assert.deepEqual(strangerBody['checked'], { repository: 'evil/app', ref: 'refs/heads/main', workflow_ref: 'evil/app/.github/workflows/release.yml@refs/heads/main', repository_owner: 'evil' });
  const curlRefused = await run('bash', ['-c', CI_JOB], {
    cwd: tmp,
    env: cleanEnv({ ACTIONS_ID_TOKEN_REQUEST_URL: issuer.requestUrl, ACTIONS_ID_TOKEN_REQUEST_TOKEN: issuer.requestToken, AIRLOCK_URL: airlock.url, AIRLOCK_AUDIENCE: 'wrong', REPO: 'npm' }),
  });
  assert.notEqual(curlRefused.code, 0, 'the job stops at the refused exchange');
  assert.match(curlRefused.output, /"reason":"audience"/);

  // Past the ttl (10 minutes; the server's clock moves 11), npm is refused with the same token.
  offset = 11 * 60_000;
  const expired = await consumer.npm(['install', '@acme/lib', '--prefer-online'], { cache: join(consumer.dir, '.npm-cache-2') });
  assert.notEqual(expired.code, 0);
  assert.match(expired.output, /E401/);
  assert.match(expired.output, /invalid, expired or revoked token/);

  // The next exchange (clock ahead too) deletes the expired exchanged tokens.
  const again = await exchange(issuer.idToken({ aud: AUDIENCE }, { now: Date.now() + offset }));
  assert.equal(again.status, 201, await again.clone().text());
  const after = (await adminGet(airlock, 'tokens')) as { items: { exchangedFrom: string | null; label: string }[] };
  assert.deepEqual(after.items.filter((x) => x.exchangedFrom !== null).map((x) => x.label), ['oidc:acme/app@refs/heads/main'], 'only the new one is left');
});
