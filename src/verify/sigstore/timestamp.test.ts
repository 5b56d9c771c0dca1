/**
 * RFC 3161 stamps: real ones (the Rekor v2 conformance bundles' timestamp authority), both
 * encodings a bundle may carry, and hostile bytes, which always fail with a reason and never throw.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { parseTimestamp, verifyTimestamp } from './timestamp.ts';
import { CONFORMANCE, conformanceCase, readJson } from './test-support.ts';

const CASE = 'rekor2-happy-path';
const bundle = readJson(join(CONFORMANCE, 'bundle-verify', CASE, 'bundle.sigstore.json')) as {
  verificationMaterial: { timestampVerificationData: { rfc3161Timestamps: { signedTimestamp: string }[] } };
  messageSignature: { signature: string };
};
const STAMP = Buffer.from(bundle.verificationMaterial.timestampVerificationData.rfc3161Timestamps[0]?.signedTimestamp ?? '', 'base64');
const SIGNATURE = Buffer.from(bundle.messageSignature.signature, 'base64');
const ROOT = conformanceCase(CASE).options.trustedRoot;
const TIME = Date.parse('2025-06-12T12:02:20Z');
const PATH = 'stamp';

/** Runs `verifyTimestamp` (which must not throw); its time, or `status: error`. */
function outcome(der: Buffer, signature = SIGNATURE, root = ROOT): number | string {
  const r = verifyTimestamp(der, signature, root, PATH);
  return typeof r === 'number' ? r : `${r.status}: ${r.error}`;
}

test('a real stamp parses: its time, message imprint and signer digest', () => {
  const s = parseTimestamp(STAMP);
  assert.equal(s.time, TIME);
  assert.equal(s.imprintDigest, 'sha256');
  assert.equal(s.imprint.length, 32);
  assert.equal(s.digest, 'sha256');
  assert.equal(verifyTimestamp(STAMP, SIGNATURE, ROOT, PATH), TIME);
});

test('the bare token (a ContentInfo, without the TimeStampResp around it) verifies too', () => {
  // TimeStampResp: SEQUENCE { status SEQUENCE (5 bytes), token }; the token starts after the two headers.
  const token = STAMP.subarray(4 + 5);
  assert.equal(token[0], 0x30);
  assert.equal(verifyTimestamp(token, SIGNATURE, ROOT, PATH), TIME);
});

test('a response whose status is not granted is refused', () => {
  const rejected = Buffer.from(STAMP);
  assert.deepEqual([...rejected.subarray(4, 9)], [0x30, 0x03, 0x02, 0x01, 0x00]);
  rejected[8] = 2;
  assert.match(String(outcome(rejected)), /^invalid: stamp is not a usable RFC 3161 timestamp: the timestamp response's status is 2 \(not granted\)/);
});

test('another signature than the one stamped is refused', () => {
  const other = Buffer.from(SIGNATURE);
  other[10] = (other[10] ?? 0) ^ 1;
  assert.match(String(outcome(STAMP, other)), /^invalid: stamp does not stamp the bundle's signature/);
});

test('a stamp by an authority the root does not list is unsupported; by one it lists that fails a check, invalid', () => {
  assert.match(String(outcome(STAMP, SIGNATURE, { ...ROOT, timestampAuthorities: [] })), /^unsupported: stamp is signed by a timestamp authority the trusted root does not list \(if Sigstore has added it since/);
  const tsa = ROOT.timestampAuthorities[0];
  assert.ok(tsa !== undefined);
  const ended = { ...tsa, validUntil: Date.parse('2025-06-01T00:00:00Z') };
  assert.match(String(outcome(STAMP, SIGNATURE, { ...ROOT, timestampAuthorities: [ended] })), /^invalid: stamp does not verify \(.*the authority was not trusted at 2025-06-12T12:02:20\.000Z\)/);
});

test('every truncation fails with a reason; a flipped bit in what is signed or in the signature is refused, and none throws', () => {
  for (let n = 0; n < STAMP.length; n++) assert.equal(typeof outcome(STAMP.subarray(0, n)), 'string', `truncated to ${n} bytes`);
  const parsed = parseTimestamp(STAMP);
  const span = (b: Buffer): [number, number] => [b.byteOffset - STAMP.byteOffset, b.byteOffset - STAMP.byteOffset + b.length];
  const guarded = [span(parsed.content), span(parsed.signature)];
  for (let i = 0; i < STAMP.length; i++) {
    for (const bit of [0x01, 0x80]) {
      const flipped = Buffer.from(STAMP);
      flipped[i] = (flipped[i] ?? 0) ^ bit;
      const r = outcome(flipped);
      if (typeof r === 'string') continue;
      // Bytes nothing signs (the SignedData's version and algorithm list, the certificates it
      // carries, which are never trusted) may change unnoticed; the time must not.
      assert.equal(r, TIME, `byte ${i} bit ${bit}: verified at another time`);
      assert.ok(!guarded.some(([from, to]) => i >= from && i < to), `byte ${i} bit ${bit} is signed, yet the stamp verified`);
    }
  }
});
