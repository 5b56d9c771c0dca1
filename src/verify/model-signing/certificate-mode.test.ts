/**
 * Certificate mode against a private PKI made here with openssl (root → intermediate → leaf, with
 * the dates and extensions each case needs): the chain is judged at the leaf's notBefore, issuers
 * must be CAs valid then, and the leaf must be for signing.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createPrivateKey, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { preAuthEncoding } from '../sigstore/dsse.ts';
import { IN_TOTO_PAYLOAD_TYPE } from '../sigstore/index.ts';
import { modelSigningKeyHint, verifyModelSignature } from './index.ts';
import { NOW, refused, trust, verified } from './fixture-support.ts';
import { modelStatement } from './test-support.ts';

const hasOpenssl = ((): boolean => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const skip = hasOpenssl ? false : 'openssl is not installed';

const dir = mkdtempSync(join(tmpdir(), 'airlock-model-signing-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const CA_CONFIG = `[ca]
default_ca = ca_default
[ca_default]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = any
unique_subject = no
email_in_dn = no
[any]
commonName = supplied
`;

interface Issued {
  readonly name: string;
  readonly cert: X509Certificate;
  readonly key: KeyObject;
}

/** A P-256 certificate for `cn` with `ext` (openssl extension lines), valid between the dates (YYYYMMDDhhmmssZ), issued by `issuer` (self-signed without). */
function issue(name: string, cn: string, ext: readonly string[], from: string, to: string, issuer?: Issued): Issued {
  const run = (args: readonly string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  };
  writeFileSync(join(dir, 'ca.cnf'), CA_CONFIG);
  writeFileSync(join(dir, 'index.txt'), '', { flag: 'a' });
  writeFileSync(join(dir, 'serial'), `${Date.now().toString(16).padStart(16, '0')}${Math.floor(Math.random() * 1e6).toString(16).padStart(6, '0')}\n`);
  writeFileSync(join(dir, `${name}.ext`), `[v3]\n${ext.join('\n')}\n`);
  run(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`]);
  const signer = issuer === undefined ? ['-selfsign', '-keyfile', `${name}.key`] : ['-cert', `${issuer.name}.crt`, '-keyfile', `${issuer.name}.key`];
  run(['ca', '-batch', '-notext', '-config', 'ca.cnf', ...signer, '-in', `${name}.csr`, '-out', `${name}.crt`, '-startdate', from, '-enddate', to, '-extfile', `${name}.ext`, '-extensions', 'v3']);
  return { name, cert: new X509Certificate(readFileSync(join(dir, `${name}.crt`))), key: createPrivateKey(readFileSync(join(dir, `${name}.key`))) };
}

const CA_EXT = ['basicConstraints = critical, CA:TRUE', 'keyUsage = critical, keyCertSign, cRLSign'];
const LEAF_EXT = ['basicConstraints = critical, CA:FALSE', 'keyUsage = critical, digitalSignature', 'subjectAltName = email:ml-release@acme.example'];
const pki = hasOpenssl
  ? (() => {
      const root = issue('root', 'Acme Model Root', CA_EXT, '20200101000000Z', '20400101000000Z');
      const int = issue('int', 'Acme Model Signing CA', CA_EXT, '20200101000000Z', '20400101000000Z', root);
      return { root, int };
    })()
  : null;

/** model.sig in certificate mode: the statement signed with `leaf`'s key, the chain leaf first. */
function certificateSignature(leaf: Issued, chain: readonly Issued[]): Buffer {
  const payload = Buffer.from(JSON.stringify(modelStatement([{ path: 'model.safetensors', bytes: Buffer.from('weights') }])));
  const sig = sign('sha256', preAuthEncoding(IN_TOTO_PAYLOAD_TYPE, payload), leaf.key);
  return Buffer.from(
    JSON.stringify({
      mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      verificationMaterial: { x509CertificateChain: { certificates: [leaf, ...chain].map((c) => ({ rawBytes: Buffer.from(c.cert.raw).toString('base64') })) } },
      dsseEnvelope: { payload: payload.toString('base64'), payloadType: IN_TOTO_PAYLOAD_TYPE, signatures: [{ sig: sig.toString('base64'), keyid: '' }] },
    }),
  );
}

const rootTrust = () => trust({ keys: [], certificateAuthorities: [pki?.root.cert.toString() ?? ''] });

test('a leaf that expired long ago still verifies: the chain is judged at its notBefore; the signer is its SAN, DNs and key hint', { skip }, () => {
  if (pki === null) return;
  const leaf = issue('leaf-ok', 'release signer', LEAF_EXT, '20210101000000Z', '20220101000000Z', pki.int);
  const r = verified(verifyModelSignature(certificateSignature(leaf, [pki.int]), rootTrust(), NOW));
  assert.equal(r.mode, 'certificate');
  assert.deepEqual(r.signer, { identity: 'ml-release@acme.example', issuer: 'CN=Acme Model Signing CA', keyHint: modelSigningKeyHint(leaf.cert.publicKey), subject: 'CN=release signer' });
  // Intermediates the signer adds in any order, or extra ones, do not matter; the root may be included.
  verified(verifyModelSignature(certificateSignature(leaf, [pki.root, pki.int]), rootTrust(), NOW));
});

test('a leaf for code signing only (ExtendedKeyUsage, no KeyUsage) verifies; one for neither is invalid', { skip }, () => {
  if (pki === null) return;
  const codeSigning = issue('leaf-eku', 'eku signer', ['basicConstraints = CA:FALSE', 'extendedKeyUsage = codeSigning'], '20210101000000Z', '20300101000000Z', pki.int);
  verified(verifyModelSignature(certificateSignature(codeSigning, [pki.int]), rootTrust(), NOW));
  const tls = issue('leaf-tls', 'tls server', ['basicConstraints = CA:FALSE', 'keyUsage = critical, keyAgreement', 'extendedKeyUsage = serverAuth'], '20210101000000Z', '20300101000000Z', pki.int);
  refused(verifyModelSignature(certificateSignature(tls, [pki.int]), rootTrust(), NOW), 'invalid', /not for signing \(neither KeyUsage digitalSignature nor ExtendedKeyUsage codeSigning\)/, 'certificate');
});

test('an intermediate that had expired when the leaf was issued makes the chain invalid', { skip }, () => {
  if (pki === null) return;
  const old = issue('int-old', 'Old Signing CA', CA_EXT, '20200101000000Z', '20200601000000Z', pki.root);
  const leaf = issue('leaf-old', 'late signer', LEAF_EXT, '20210101000000Z', '20300101000000Z', old);
  refused(verifyModelSignature(certificateSignature(leaf, [old]), rootTrust(), NOW), 'invalid', /chain is not valid at its notBefore \(2021-01-01T00:00:00\.000Z\): CN=Old Signing CA was not valid at 2021-01-01/, 'certificate');
});

test('an intermediate that is not a CA, or may not sign certificates, makes the chain invalid', { skip }, () => {
  if (pki === null) return;
  const notCa = issue('int-not-ca', 'Not A CA', ['basicConstraints = critical, CA:FALSE', 'keyUsage = critical, digitalSignature, keyCertSign'], '20200101000000Z', '20400101000000Z', pki.root);
  const leaf = issue('leaf-not-ca', 'signer', LEAF_EXT, '20210101000000Z', '20300101000000Z', notCa);
  refused(verifyModelSignature(certificateSignature(leaf, [notCa]), rootTrust(), NOW), 'invalid', /CN=Not A CA is not a CA certificate/, 'certificate');
  const noCertSign = issue('int-no-certsign', 'No CertSign CA', ['basicConstraints = critical, CA:TRUE', 'keyUsage = critical, digitalSignature'], '20200101000000Z', '20400101000000Z', pki.root);
  const leaf2 = issue('leaf-no-certsign', 'signer', LEAF_EXT, '20210101000000Z', '20300101000000Z', noCertSign);
  refused(verifyModelSignature(certificateSignature(leaf2, [noCertSign]), rootTrust(), NOW), 'invalid', /CN=No CertSign CA (is not a CA certificate|may not sign certificates)/, 'certificate');
});

test('a chain to another root is unverifiable; the intermediate configured alone is an anchor', { skip }, () => {
  if (pki === null) return;
  const leaf = issue('leaf-anchor', 'signer', LEAF_EXT, '20210101000000Z', '20300101000000Z', pki.int);
  const otherRoot = issue('other-root', 'Other Root', CA_EXT, '20200101000000Z', '20400101000000Z');
  refused(verifyModelSignature(certificateSignature(leaf, [pki.int]), trust({ certificateAuthorities: [otherRoot.cert.toString()] }), NOW), 'unverifiable', /does not chain to a configured certificate authority/, 'certificate');
  verified(verifyModelSignature(certificateSignature(leaf, []), trust({ certificateAuthorities: [pki.int.cert.toString()] }), NOW));
});
