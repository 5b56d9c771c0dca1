/**
 * Container clients reaching Airlock over HTTPS (`server.tls`) with its certificate checked, from
 * a private authority made with openssl, and no `--tls-verify=false` or insecure registry:
 *
 * - skopeo with the authority in `--src-cert-dir`/`--dest-cert-dir` (containers/image's
 *   per-registry folder of `*.crt` files): pulls through the proxy, pushes to a hosted
 *   repository with a publisher token (the token realm Airlock names is https://), pulls it
 *   back; without the folder, refused with x509's reason.
 * - the Docker engine (a private dockerd trusting the authority through its SSL_CERT_FILE, not
 *   the machine-wide /etc/docker/certs.d): pull, login and push, then refused once Airlock
 *   serves a certificate from another authority. Docker takes every loopback registry for an
 *   insecure one (it would check nothing), so Airlock listens on this machine's other address
 *   there; without one, the Docker suite is skipped.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { buildImage, hasRegistryTools, skopeo, SKIP_NO_REGISTRY_TOOLS, writeLayout } from '../../support/oci/index.ts';
import { assertDockerOk, dockerClient, dockerDaemonOrSkip } from '../../support/docker/index.ts';
import { hasOpenssl, peerCertificate, privateCa } from '../../support/tls-cert.ts';
import { airlockCli } from '../npm/support.ts';
import { ociE2e, REPO, type OciE2e } from './support.ts';

/** This machine's first IPv4 address that is not a loopback one, or null. */
function otherAddress(): string | null {
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return null;
}

const tools = !hasOpenssl() ? 'openssl is not installed' : hasRegistryTools() ? false : SKIP_NO_REGISTRY_TOOLS;
const dir = mkdtempSync(join(tmpdir(), 'airlock-oci-https-'));
const address = otherAddress();
const ca = tools === false ? privateCa(dir) : null;
/** The authority as containers/image reads it: a folder of `*.crt` files. */
const certDir = join(dir, 'certs.d');
mkdirSync(certDir);
if (ca !== null) copyFileSync(ca.cert, join(certDir, 'ca.crt'));
const served = ca?.issue('airlock', { altNames: ['IP:127.0.0.1', 'DNS:localhost', ...(address === null ? [] : [`IP:${address}`])].join(',') });
const tls = served === undefined ? null : { cert: join(dir, 'tls.crt'), key: join(dir, 'tls.key') };

/** Serve `pair`: copied over the files Airlock watches, key first. */
function serve(pair: { readonly cert: string; readonly key: string }): void {
  if (tls === null) return;
  for (const [from, to] of [[pair.key, tls.key], [pair.cert, tls.cert]] as const) {
    copyFileSync(from, `${to}.new`);
    renameSync(`${to}.new`, to);
  }
}
if (served !== undefined) serve(served);

// Before any test or hook is declared: the file's tests must not end while the daemon starts.
const docker =
  tools !== false ? { daemon: null, skip: tools } : address === null ? { daemon: null, skip: 'no address but loopback, where Docker checks no certificate; Docker over HTTPS skipped' } : await dockerDaemonOrSkip({ trustedCa: (ca as NonNullable<typeof ca>).cert });
after(async () => {
  await docker.daemon?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const hello = buildImage({ files: { 'etc/motd': 'hello over https\n' } });

/** A publisher token, made with the real CLI over HTTPS: it trusts the authority through NODE_EXTRA_CA_CERTS. */
async function publisherToken(e: OciE2e): Promise<string> {
  const env = { AIRLOCK_SERVER: e.airlock.url, AIRLOCK_TOKEN: e.airlock.adminToken, NODE_EXTRA_CA_CERTS: (ca as NonNullable<typeof ca>).cert };
  const r = await airlockCli(['token', 'create', '--role', 'publisher', '--label', 'ci'], env);
  assert.equal(r.code, 0, r.output);
  return r.stdout.trim();
}

describe('skopeo over HTTPS with the authority in its cert dir', { skip: tools }, () => {
  let e: OciE2e;
  let publisher: string;
  before(async () => {
    e = await ociE2e({ top: { server: { tls } }, repositories: [{ name: 'images', format: 'oci', kind: 'hosted' }] });
    await e.seed('library/hello', [{ ...hello, ref: 'v1' }]);
    publisher = await publisherToken(e);
  });
  after(async () => {
    await e?.close();
  });

  const digestIn = (layout: string): string | undefined => (JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string }[] }).manifests[0]?.digest;

  test('skopeo pulls through the proxy, pushes to the hosted repository with a publisher token, and pulls that back, checking the certificate', async () => {
    assert.match(e.airlock.url, /^https:/);
    const pulled = join(e.tmp, 'pulled');
    const pull = await skopeo(['copy', '--src-cert-dir', certDir, `docker://${e.host}/${REPO}/library/hello:v1`, `oci:${pulled}:out`]);
    assert.equal(pull.code, 0, pull.stderr);
    assert.equal(digestIn(pulled), hello.manifestDigest);

    const layout = join(e.tmp, 'to-push');
    await writeLayout(layout, [{ ...hello, ref: 'v1' }]);
    const push = await skopeo(['copy', '--preserve-digests', '--dest-cert-dir', certDir, '--dest-creds', `ci:${publisher}`, `oci:${layout}:v1`, `docker://${e.host}/images/team/app:v1`]);
    assert.equal(push.code, 0, push.stderr);
    const back = join(e.tmp, 'back');
    const again = await skopeo(['copy', '--src-cert-dir', certDir, `docker://${e.host}/images/team/app:v1`, `oci:${back}:out`]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(digestIn(back), hello.manifestDigest);
  });

  test('skopeo without the authority is refused with x509’s reason', async () => {
    const r = await skopeo(['inspect', '--raw', `docker://${e.host}/${REPO}/library/hello:v1`]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /x509: certificate signed by unknown authority/);
  });
});


describe('docker over HTTPS, the daemon trusting the authority', { skip: docker.skip }, () => {
  let e: OciE2e;
  before(async () => {
    e = await ociE2e({ top: { server: { host: address, tls } }, repositories: [{ name: 'images', format: 'oci', kind: 'hosted' }] });
    await e.seed('library/hello', [{ ...hello, ref: 'v1' }]);
  });
  after(async () => {
    await e?.close();
  });

  test('docker pulls, logs in and pushes with the certificate checked; once Airlock serves one from another authority, docker refuses it', async () => {
    assert.equal(new URL(e.airlock.url).hostname, address);
    const client = dockerClient(docker.daemon as NonNullable<typeof docker.daemon>);
    const ref = `${e.host}/${REPO}/library/hello:v1`;
    const pull = await client.run(['pull', ref]);
    assert.equal(pull.code, 0, pull.stderr);
    assert.match(pull.stdout, new RegExp(`Digest: ${hello.manifestDigest}`));

    const login = await client.login(e.host, 'ci', await publisherToken(e));
    assert.equal(login.code, 0, login.stderr);
    assertDockerOk(await client.run(['tag', ref, `${e.host}/images/team/app:v1`]));
    const push = await client.run(['push', `${e.host}/images/team/app:v1`]);
    assert.equal(push.code, 0, push.stderr);

    // A certificate the daemon has no authority for: rotated in, and refused.
    const stranger = privateCa(dir, 'stranger');
    serve(stranger.issue('elsewhere', { altNames: `IP:${address}` }));
    for (let i = 0; i < 100 && (await peerCertificate(e.airlock.url, { ca: stranger.cert }).catch(() => null)) === null; i++) await sleep(100);
    assertDockerOk(await client.run(['rmi', '--force', ref]));
    const refused = await client.run(['pull', ref]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /x509: certificate signed by unknown authority/);
  });
});
