import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import test from 'node:test';
import { parseBundle } from './bundle.ts';
import { issuersOf } from './chain.ts';
import { extensionsOf, type Extension } from './certificate.ts';
import { readOne } from './der.ts';
import { SigstoreError } from './fields.ts';
import { checkCertificateTransparency, embeddedScts, parseSctList, SCT_LIST_OID } from './sct.ts';
import { conformanceCase, readJson, SIGSTORE_JS, sigstoreJsBundles } from './test-support.ts';
import { publicGoodTrustedRoot, type TrustedRoot } from './trusted-root.ts';
import { verifyBundle } from './verify-bundle.ts';

interface Signed {
  readonly name: string;
  readonly bundle: unknown;
  readonly leaf: X509Certificate;
  readonly issuer: X509Certificate;
  readonly root: TrustedRoot;
}

function signed(name: string, bundle: unknown, root: TrustedRoot): Signed {
  const m = parseBundle(bundle).material;
  if (m.kind !== 'certificate') throw new Error(`${name} is not signed with a certificate`);
  const first = issuersOf(m.leaf, root)[0];
  if (first === undefined) throw new Error(`${name}: no CA of its root issued it`);
  return { name, bundle, leaf: m.leaf, issuer: first.certificate, root };
}

/** Every real keyless bundle of the fixtures, with the root it verifies against. */
function realBundles(): Signed[] {
  const out = sigstoreJsBundles().map((f) => signed(f, readJson(join(SIGSTORE_JS, f)), publicGoodTrustedRoot()));
  for (const name of ['happy-path-v0.3', 'happy-path-intoto-in-dsse-v3', 'rekor2-happy-path', 'rekor2-dsse-happy-path', 'intoto-with-custom-trust-root']) {
    const c = conformanceCase(name);
    out.push(signed(name, c.bundle, c.options.trustedRoot));
  }
  return out;
}

/** The leaf with the `n`th byte of `part` (found in its DER) XORed with 1: same lengths, so it still parses. */
function alteredLeaf(leaf: X509Certificate, part: Buffer, n = 0): X509Certificate {
  const der = Buffer.from(leaf.raw);
  const at = der.indexOf(part);
  assert.ok(at >= 0);
  der[at + n] = (der[at + n] ?? 0) ^ 1;
  return new X509Certificate(der);
}

/** A leaf as the verifier reads it: its DER and its extensions. */
function leafOf(cert: X509Certificate): { der: Buffer; extensions: Extension[] } {
  const der = Buffer.from(cert.raw);
  return { der, extensions: extensionsOf(der) };
}

test('every real Fulcio certificate of the fixtures carries an SCT that verifies with a CT log of its trusted root', () => {
  const bundles = realBundles();
  assert.ok(bundles.length >= 12);
  for (const b of bundles) {
    const scts = embeddedScts(extensionsOf(Buffer.from(b.leaf.raw)));
    assert.ok(scts !== null && scts.length > 0, b.name);
    assert.ok(scts.some((s) => b.root.ctlogs.some((l) => l.logId.equals(s.logId))), `${b.name}: its SCT's log is in its root`);
    assert.equal(checkCertificateTransparency(leafOf(b.leaf), b.issuer, b.root), null, b.name);
  }
});

test('an SCT whose signature, time or certificate was altered does not verify, and the bundle is invalid', () => {
  const b = signed('bundleV03-dsse.sigstore', readJson(join(SIGSTORE_JS, 'bundleV03-dsse.sigstore')), publicGoodTrustedRoot());
  const [sct] = embeddedScts(extensionsOf(Buffer.from(b.leaf.raw))) ?? [];
  assert.ok(sct !== undefined);
  const lastSigByte = alteredLeaf(b.leaf, sct.signature, sct.signature.length - 1);
  assert.match(checkCertificateTransparency(leafOf(lastSigByte), b.issuer, b.root)?.error ?? '', /SCT 0 \(https:\/\/ctfe\.sigstore\.dev\/.*\)'s signature does not verify over the certificate with its log's key/);
  const time = Buffer.alloc(8);
  time.writeBigUInt64BE(BigInt(sct.timestamp));
  assert.equal(checkCertificateTransparency(leafOf(alteredLeaf(b.leaf, Buffer.concat([sct.logId, time]), 39)), b.issuer, b.root)?.status, 'invalid');
  // The subject's key is what the log vouched for: another key under the same SCT fails.
  const spki = b.leaf.publicKey.export({ format: 'der', type: 'spki' });
  assert.equal(checkCertificateTransparency(leafOf(alteredLeaf(b.leaf, spki, spki.length - 1)), b.issuer, b.root)?.status, 'invalid');
  // The issuer's key is part of what was signed.
  const otherIssuer = publicGoodTrustedRoot().certificateAuthorities.flatMap((ca) => ca.chain).find((c) => !c.publicKey.equals(b.issuer.publicKey));
  assert.ok(otherIssuer !== undefined);
  assert.equal(checkCertificateTransparency(leafOf(b.leaf), otherIssuer, b.root)?.status, 'invalid');
});

test('the CT logs of the root decide: a log not trusted at the SCT time fails, another log\'s key fails, an unlisted log is unsupported, no CT logs is no CT check', () => {
  const b = signed('bundleV03-dsse.sigstore', readJson(join(SIGSTORE_JS, 'bundleV03-dsse.sigstore')), publicGoodTrustedRoot());
  const root = b.root;
  const late: TrustedRoot = { ...root, ctlogs: root.ctlogs.map((l) => ({ ...l, validFrom: Date.parse('2099-01-01T00:00:00Z') })) };
  assert.match(checkCertificateTransparency(leafOf(b.leaf), b.issuer, late)?.error ?? '', /is dated 20\d\d-.*, when its log was not trusted/);
  const [a, c] = root.ctlogs;
  assert.ok(a !== undefined && c !== undefined);
  const swapped: TrustedRoot = { ...root, ctlogs: [{ ...a, key: c.key }, { ...c, key: a.key }] };
  assert.equal(checkCertificateTransparency(leafOf(b.leaf), b.issuer, swapped)?.status, 'invalid');
  const unlisted: TrustedRoot = { ...root, ctlogs: root.ctlogs.map((l) => ({ ...l, logId: Buffer.alloc(32, 7) })) };
  const u = checkCertificateTransparency(leafOf(b.leaf), b.issuer, unlisted);
  assert.equal(u?.status, 'unsupported');
  assert.match(u?.error ?? '', /logs the trusted root does not list .*sigstoreTrustedRoot/);
  assert.equal(checkCertificateTransparency(leafOf(b.leaf), b.issuer, { ...root, ctlogs: [] }), null);

  // Through the whole verification: the SCT's verdict is the bundle's, once everything else holds.
  assert.equal(verifyBundle(b.bundle, { trustedRoot: root }).status, 'verified');
  const r = verifyBundle(b.bundle, { trustedRoot: swapped });
  assert.equal(r.status, 'invalid');
  assert.match(r.status === 'invalid' ? r.error : '', /certificate transparency does not verify/);
  assert.equal(verifyBundle(b.bundle, { trustedRoot: unlisted }).status, 'unsupported');
  // …but an unlisted CT log does not turn a forged signature into a warning.
  const forged = structuredClone(b.bundle) as { dsseEnvelope: { signatures: { sig: string }[] } };
  const sig = forged.dsseEnvelope.signatures[0];
  assert.ok(sig !== undefined);
  const bytes = Buffer.from(sig.sig, 'base64');
  bytes[10] = (bytes[10] ?? 0) ^ 1;
  sig.sig = bytes.toString('base64');
  assert.equal(verifyBundle(forged, { trustedRoot: unlisted }).status, 'invalid');
});

test('a certificate without SCTs is invalid where the root lists CT logs', () => {
  const root = publicGoodTrustedRoot();
  const [ca] = root.certificateAuthorities;
  const cert = ca?.chain[0];
  assert.ok(cert !== undefined);
  const r = checkCertificateTransparency(leafOf(cert), cert, root);
  assert.equal(r?.status, 'invalid');
  assert.match(r?.error ?? '', /has no signed certificate timestamp \(SCT\)/);
});

test('hostile SCT lists: every truncation and every flipped bit of the length fields fails with a SigstoreError or parses, never anything else', () => {
  const b = signed('bundleV03-dsse.sigstore', readJson(join(SIGSTORE_JS, 'bundleV03-dsse.sigstore')), publicGoodTrustedRoot());
  const ext = extensionsOf(Buffer.from(b.leaf.raw)).find((e) => e.oid === SCT_LIST_OID);
  assert.ok(ext !== undefined);
  assert.equal(parseSctList(ext.value).length, 1);
  for (let n = 0; n < ext.value.length; n++) {
    assert.throws(() => parseSctList(ext.value.subarray(0, n)), SigstoreError, `truncated to ${n} bytes`);
  }
  for (let i = 0; i < 12; i++) {
    for (let bit = 0; bit < 8; bit++) {
      const v = Buffer.from(ext.value);
      v[i] = (v[i] ?? 0) ^ (1 << bit);
      try {
        parseSctList(v);
      } catch (e) {
        assert.ok(e instanceof SigstoreError, `byte ${i} bit ${bit}: ${String(e)}`);
      }
    }
  }
  // The list's one item (its length and the SCT), seventeen times over.
  const many = Buffer.concat(Array.from({ length: 17 }, () => readOne(ext.value).value.subarray(2)));
  const list = Buffer.alloc(2);
  list.writeUInt16BE(many.length);
  const body = Buffer.concat([list, many]);
  const wrapped = Buffer.concat([Buffer.from([0x04, 0x82, body.length >> 8, body.length & 0xff]), body]);
  assert.throws(() => parseSctList(wrapped), /more than 16 SCTs/);
});
