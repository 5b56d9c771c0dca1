/**
 * The TUF repository a Sigstore trusted root is kept current through is reached the way the
 * repository reaches its upstream: through its proxy, trusting its certificate authorities.
 * Inside a network where only an egress proxy reaches the internet (often one that inspects TLS
 * and re-signs with a private authority), a TUF client that connects directly never updates.
 * The TUF repository here is served over HTTPS with a self-signed certificate on this machine's
 * network address (a loopback host is always reached directly), and npm packs through Airlock.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXTERNAL_ADDRESS, startForwardProxy, type ForwardProxy } from '../../support/forward-proxy.ts';
import { createTestSigstore, type TestSigstore } from '../../support/sigstore-pki.ts';
import { hasOpenssl, selfSignedCert } from '../../support/tls-cert.ts';
import { TestTufRepo } from '../../support/tuf-repo.ts';
import { attest, attestationFacts, captureLog, widgetWithProvenance, type CapturedLog } from './provenance.ts';
import { eventually, signalsE2e, type SignalsE2e } from './support.ts';

const EXTERNAL = EXTERNAL_ADDRESS;
const needs = {
  skip: !hasOpenssl() ? 'openssl is not installed' : EXTERNAL === undefined ? 'this machine has no network address besides loopback' : false,
} as const;

interface Setup {
  readonly sigstore: TestSigstore;
  readonly proxy: ForwardProxy;
  readonly tufHost: string;
  readonly cert: string;
  readonly s: SignalsE2e;
  readonly log: CapturedLog;
}

/** A TUF repository over HTTPS publishing a test Sigstore's root, a proxy, and Airlock with `repository` settings (given the certificate's file). */
async function setUp(t: TestContext, repository: (tuf: { url: string; initialRoot: string; cert: string; proxy: string }) => Record<string, unknown>): Promise<Setup> {
  const sigstore = createTestSigstore();
  const tuf = new TestTufRepo();
  const proxy = await startForwardProxy();
  const dir = mkdtempSync(join(tmpdir(), 'airlock-tuf-route-'));
  t.after(async () => {
    sigstore.close();
    await tuf.close();
    await proxy.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const { key, cert } = selfSignedCert(dir, 'tuf', `IP:${EXTERNAL as string}`);
  tuf.publish('trusted_root.json', Buffer.from(JSON.stringify(sigstore.trustedRoot)));
  const url = await tuf.serve({ host: EXTERNAL as string, tls: { key, cert } });
  const initialRoot = join(dir, 'root.json');
  writeFileSync(initialRoot, tuf.initialRoot);
  const log = captureLog();
  const s = await signalsE2e({
    packages: widgetWithProvenance(['1.0.0']),
    config: { repository: repository({ url, initialRoot, cert, proxy: proxy.url }) },
    logger: log.logger,
  });
  t.after(() => s.close());
  return { sigstore, proxy, tufHost: new URL(url).host, cert, s, log };
}

test('TUF through the repository’s proxy, trusting its ca: the trusted root is taken through a CONNECT tunnel and npm’s provenance verifies against it', needs, async (t) => {
  const { sigstore, proxy, tufHost, s, log } = await setUp(t, ({ url, initialRoot, cert, proxy: via }) => ({
    sigstoreTrustedRoot: { tuf: url, initialRoot, refresh: '1h' },
    proxy: { url: via },
    ca: cert,
  }));
  await eventually('the trusted root from TUF', async () => (log.rootUpdates() >= 1 ? true : undefined));
  assert.ok(proxy.seen.includes(`CONNECT ${tufHost}`), `the proxy saw: ${proxy.seen.join(', ')}`);
  assert.ok(proxy.seen.every((l) => l === `CONNECT ${tufHost}`), 'the upstream on loopback is reached directly, not through the proxy');

  await attest(s, sigstore, '1.0.0');
  const p = await s.project();
  const r = await p.npm(['pack', 'widget@1.0.0']);
  assert.equal(r.code, 0, r.output);
  assert.equal((await attestationFacts(s, '1.0.0')).status, 'verified');
});

test('TUF through a proxy that re-signs TLS, without the ca: the update fails saying which authority is missing, and provenance is not taken as verified', needs, async (t) => {
  const { sigstore, proxy, tufHost, s, log } = await setUp(t, ({ url, initialRoot, proxy: via }) => ({
    sigstoreTrustedRoot: { tuf: url, initialRoot, refresh: '1h' },
    proxy: { url: via },
  }));
  const failure = await eventually('the failed update', async () => log.lines.find((l) => l.msg?.startsWith('could not update the Sigstore trusted root')));
  assert.match(failure.err ?? '', /presented a TLS certificate from an authority Airlock does not trust \(\w+\) for \/2\.root\.json; .*\(ca: FILE\)/);
  assert.ok(proxy.seen.includes(`CONNECT ${tufHost}`), `the proxy saw: ${proxy.seen.join(', ')}`);
  assert.equal(log.rootUpdates(), 0);

  await attest(s, sigstore, '1.0.0');
  const p = await s.project();
  await p.npm(['pack', 'widget@1.0.0']);
  assert.notEqual((await attestationFacts(s, '1.0.0')).status, 'verified', 'no root was taken, so nothing verifies against one');
});
