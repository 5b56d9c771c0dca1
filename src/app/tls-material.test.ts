/**
 * The certificate and key `server.tls` names, read and checked as at start and at each rotation:
 * real certificates from a private authority made with openssl, and each way a pair can be wrong.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAirlockError } from '../core/index.ts';
import { Secret } from './config/secret.ts';
import type { TlsConfig } from './config/types.ts';
import { describeCertificate, readTlsMaterial } from './tls-material.ts';
import { hasOpenssl, privateCa, type TestCa } from '../../test/support/tls-cert.ts';

const needsOpenssl = { skip: hasOpenssl() ? false : 'openssl is not installed' };
const HOUR = 3_600_000;

function withCa(t: { after(f: () => void): void }): { dir: string; ca: TestCa } {
  const dir = mkdtempSync(join(tmpdir(), 'airlock-tls-material-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return { dir, ca: privateCa(dir) };
}

function config(cert: string, key: string, more: Partial<TlsConfig> = {}): TlsConfig {
  return { cert, key: { kind: 'file', path: key }, ca: null, minVersion: 'TLSv1.2', clientCa: null, requireClientCert: false, watch: false, ...more };
}

function refused(f: () => unknown, message: RegExp): void {
  assert.throws(f, (err: unknown) => {
    assert.ok(isAirlockError(err, 'CONFIG_INVALID'), `expected CONFIG_INVALID, got ${String(err)}`);
    assert.match(err.message, message);
    return true;
  });
}

test('a certificate from a private authority and its key: served with what it is; a chain in cert or in ca; the key from the environment', needsOpenssl, (t) => {
  const { dir, ca } = withCa(t);
  const server = ca.issue('server');
  const now = new Date();
  const m = readTlsMaterial(config(server.cert, server.key), now);
  assert.match(m.certificate.subject, /^CN=airlock-test-server$/);
  assert.equal(m.certificate.altNames, 'IP Address:127.0.0.1, DNS:localhost');
  assert.equal(m.certificate.issuer, 'CN=Airlock test ca');
  assert.equal(m.certificate.intermediates, 0);
  assert.match(describeCertificate(m.certificate), /^CN=airlock-test-server \(IP Address:127\.0\.0\.1, DNS:localhost; issued by CN=Airlock test ca; serial [0-9A-F]+; valid until \d{4}-.*Z\)$/);
  // A day's certificate expires within the fortnight of warnings.
  assert.deepEqual(m.warnings.map((w) => w.replace(/\d{4}-\S+Z/, 'DATE')), [`server.tls.cert: the certificate (CN=airlock-test-server, serial ${m.certificate.serial}) expires on DATE, in 24 hours`]);
  assert.equal(m.context.ca, undefined, 'no client certificates asked for');

  // The authority served after the leaf: folded into the certificate file, or named as ca. The same chain either way.
  const full = join(dir, 'fullchain.pem');
  writeFileSync(full, readFileSync(server.cert, 'utf8') + readFileSync(ca.cert, 'utf8'));
  const folded = readTlsMaterial(config(full, server.key), now);
  const named = readTlsMaterial(config(server.cert, server.key, { ca: ca.cert }), now);
  assert.equal(folded.certificate.intermediates, 1);
  assert.equal(folded.context.cert, named.context.cert);
  assert.equal(folded.digest, named.digest);
  assert.notEqual(folded.digest, m.digest);

  const fromEnv = readTlsMaterial({ ...config(server.cert, server.key), key: { kind: 'env', secret: new Secret(readFileSync(server.key, 'utf8').trim().replace(/\n/g, '\\n'), 'env AIRLOCK_TLS_KEY') } }, now);
  assert.equal(fromEnv.digest, m.digest, 'a key with its line breaks written \\n, as an environment variable often holds it');

  const mtls = readTlsMaterial(config(server.cert, server.key, { clientCa: ca.cert, requireClientCert: true }), now);
  assert.deepEqual(mtls.clientCas, ['CN=Airlock test ca']);
  assert.equal(mtls.context.ca?.length, 1);
});

test('files missing, unreadable or holding something else, and a key that is not the certificate’s, are refused with what to do', needsOpenssl, (t) => {
  const { dir, ca } = withCa(t);
  const server = ca.issue('server');
  const other = ca.issue('other');
  const now = new Date();
  refused(() => readTlsMaterial(config(join(dir, 'nope.pem'), server.key), now), /^server\.tls\.cert: .*nope\.pem does not exist or is not a file$/);
  refused(() => readTlsMaterial(config(server.cert, dir), now), /^server\.tls\.key: .* does not exist or is not a file$/);
  refused(() => readTlsMaterial(config(server.key, server.key), now), /^server\.tls\.cert \(.*server-key\.pem\): no PEM certificate/);
  refused(() => readTlsMaterial(config(server.cert, server.cert), now), /^server\.tls\.key: no private key Airlock can read in .*server-cert\.pem \(a PEM "PRIVATE KEY" block\)$/);
  refused(() => readTlsMaterial(config(server.cert, other.key), now), /^server\.tls\.key: the key in .*other-key\.pem is not the key of the certificate in .*server-cert\.pem \(CN=airlock-test-server, serial [0-9A-F]+\); give the pair that belongs together$/);

  const encrypted = join(dir, 'encrypted-key.pem');
  execFileSync('openssl', ['pkcs8', '-topk8', '-in', server.key, '-out', encrypted, '-passout', 'pass:secret'], { stdio: 'ignore' });
  refused(() => readTlsMaterial(config(server.cert, encrypted), now), /^server\.tls\.key: the key in .*encrypted-key\.pem is encrypted with a passphrase; give Airlock the key unencrypted and protect its file instead$/);
  refused(() => readTlsMaterial(config(server.cert, server.key, { clientCa: server.key, requireClientCert: true }), now), /^server\.tls\.clientCa \(.*server-key\.pem\): no PEM certificate/);
  refused(() => readTlsMaterial(config(server.cert, server.key, { ca: join(dir, 'chain.pem') }), now), /^server\.tls\.ca: .*chain\.pem does not exist or is not a file$/);
});

test('a chain out of order, or whose next certificate did not issue the one before, is refused', needsOpenssl, (t) => {
  const { dir, ca } = withCa(t);
  const server = ca.issue('server');
  const stranger = privateCa(dir, 'stranger');
  refused(() => readTlsMaterial(config(server.cert, server.key, { ca: stranger.cert }), new Date()), /^server\.tls\.cert: certificate 2 of the chain \(CN=Airlock test stranger\) did not issue certificate 1 \(CN=airlock-test-server\); list the server's certificate first, then the authority that issued it, and so on$/);
});

test('an expired certificate is refused; one not valid yet is refused unless by up to an hour (clock skew), which is a warning', needsOpenssl, (t) => {
  const { ca } = withCa(t);
  const server = ca.issue('server');
  const c = config(server.cert, server.key);
  const issued = readTlsMaterial(c, new Date()).certificate;
  refused(() => readTlsMaterial(c, new Date(issued.validTo.getTime() + 1000)), /^server\.tls\.cert: the certificate \(CN=airlock-test-server, serial [0-9A-F]+\) expired on \d{4}-\S+Z; renew it \(every client would refuse it\)$/);
  refused(() => readTlsMaterial(c, new Date(issued.validFrom.getTime() - 2 * HOUR)), /^server\.tls\.cert: the certificate \(.*\) is not valid until \S+Z, 2 hours from now by this machine's clock; check the clock, or wait$/);
  const early = readTlsMaterial(c, new Date(issued.validFrom.getTime() - 20 * 60_000));
  assert.ok(early.warnings.some((w) => /is valid only from \S+Z, 20 minutes from now by this machine's clock \(clock skew\?\); clients whose clocks agree refuse it until then$/.test(w)), early.warnings.join('\n'));

  // openssl's -days 0: expired as soon as it is made.
  const expired = ca.issue('expired', { days: 0 });
  refused(() => readTlsMaterial(config(expired.cert, expired.key), new Date(Date.now() + 1000)), /the certificate \(CN=airlock-test-expired, serial [0-9A-F]+\) expired on/);
});
