/**
 * A private Sigstore for tests, in the real formats: a Fulcio-like CA that issues short-lived
 * signing certificates with Fulcio's identity extensions and, as Fulcio does, an embedded SCT
 * from its certificate transparency log (RFC 6962, ECDSA P-256), an RFC 3161 timestamp authority
 * (openssl's `ts`), and a Rekor v2-style transparency log (Ed25519 key, `hashedrekord` 0.0.2
 * entries, RFC 6962 proofs, checkpoints as signed notes). `trustedRoot` is the matching
 * `trusted_root.json`; Airlock is pointed at it with a repository's `sigstoreTrustedRoot`.
 * Nothing here is a shortcut: the bundles are what a Sigstore client would produce against such
 * a deployment, and Airlock's verifier has to check every part.
 */
import { execFileSync } from 'node:child_process';
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { preAuthEncoding } from '../../src/verify/sigstore/dsse.ts';
import { children, encodeTlv, expectTag, readOne, subjectPublicKeyInfo, TAG, tbsFields } from '../../src/verify/sigstore/der.ts';
import { precertificateSignedData } from '../../src/verify/sigstore/sct.ts';

export { hasOpenssl } from './tls-cert.ts';

const LOG_ORIGIN = 'log.airlock-test.invalid';
const VALID_FROM = '2020-01-01T00:00:00Z';

/** The identity the signing certificates carry (a GitHub Actions workflow, as npm provenance has). */
export const WORKFLOW = {
  san: 'https://github.com/acme/widget/.github/workflows/release.yml@refs/heads/main',
  issuer: 'https://token.actions.githubusercontent.com',
  repository: 'https://github.com/acme/widget',
} as const;

export interface SignedBundle {
  /** The bundle, as protobuf JSON (`application/vnd.dev.sigstore.bundle.v0.3+json`). */
  readonly bundle: Record<string, unknown>;
  /** The signature the bundle carries (what its timestamp stamps). */
  readonly signature: Buffer;
}

export interface TestSigstore {
  readonly trustedRoot: Record<string, unknown>;
  /**
   * A DSSE envelope of `statement` signed with a fresh certificate, logged in the log as a
   * `hashedrekord` 0.0.2 of its pre-authentication encoding (no integrated time), and stamped by
   * the timestamp authority. `stamp: false` leaves the stamp out; a buffer stamps that instead of
   * the bundle's own signature. `entry: 'dsse'` logs it as a `dsse` 0.0.2 entry instead (the
   * older form); `body` edits the entry's body before it is logged (a log that recorded
   * something else). `sct` is what the certificate carries: an SCT from the deployment's CT log
   * (`'log'`, the default), one under the log's id signed with another key (`'forged'`), one
   * from a CT log the trusted root does not list (`'unlisted'`), or none (`'none'`).
   */
  dsseBundle(
    statement: unknown,
    options?: { readonly stamp?: boolean | Buffer; readonly entry?: 'hashedrekord' | 'dsse'; readonly body?: (body: Record<string, any>) => void; readonly sct?: 'log' | 'forged' | 'unlisted' | 'none' },
  ): SignedBundle;
  close(): void;
}

function openssl(dir: string, args: readonly string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function der(pemFile: string): Buffer {
  return Buffer.from(new X509Certificate(readFileSync(pemFile)).raw);
}

const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');
const sha256 = (...parts: Uint8Array[]): Buffer => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

/** A CA, or a certificate issued by `ca` with the extensions `ext` (openssl extension lines). */
function certificate(dir: string, name: string, subject: string, ext: readonly string[], ca?: string): void {
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`];
  writeFileSync(join(dir, `${name}.ext`), `${ext.join('\n')}\n`);
  if (ca === undefined) {
    openssl(dir, ['req', '-x509', ...ecKey, '-out', `${name}.crt`, '-days', '3', '-subj', subject, ...ext.flatMap((e) => ['-addext', e])]);
    return;
  }
  openssl(dir, ['req', '-new', ...ecKey, '-out', `${name}.csr`, '-subj', subject]);
  const serial = `0x${createHash('sha256').update(name + Math.random()).digest('hex').slice(0, 16)}`;
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-set_serial', serial, '-days', '1', '-out', `${name}.crt`, '-extfile', `${name}.ext`]);
}

/** The DER of OID 1.3.6.1.4.1.11129.2.4.2 (the embedded SCT list extension). */
const SCT_LIST_OID_DER = Buffer.from('060a2b06010401d679020402', 'hex');

/** An SCT list extension holding one v1 SCT (RFC 6962 §3.2–3.3) under `log.id`, signed with `log.key` over `tbs` as precertificate. */
function sctListExtension(log: { readonly id: Buffer; readonly key: KeyObject }, tbs: Buffer, issuerKeyHash: Buffer): Buffer {
  const timestamp = Date.now();
  const signature = sign('sha256', precertificateSignedData(timestamp, issuerKeyHash, tbs, Buffer.alloc(0)), log.key);
  const u16 = (n: number): Buffer => Buffer.from([n >> 8, n & 0xff]);
  const time = Buffer.alloc(8);
  time.writeBigUInt64BE(BigInt(timestamp));
  // version v1, log id, timestamp, no extensions, sha256 + ecdsa, the signature.
  const sct = Buffer.concat([Buffer.from([0]), log.id, time, u16(0), Buffer.from([4, 3]), u16(signature.length), signature]);
  const list = Buffer.concat([u16(sct.length), sct]);
  const value = encodeTlv(TAG.OCTET_STRING, Buffer.concat([u16(list.length), list]));
  return encodeTlv(TAG.SEQUENCE, Buffer.concat([SCT_LIST_OID_DER, encodeTlv(TAG.OCTET_STRING, value)]));
}

/**
 * `certDer` (issued by `caKey`) re-issued with `extension` appended to its extensions: the same
 * TBSCertificate otherwise, so an SCT over the original is an SCT over the new one's precertificate.
 */
function withExtension(certDer: Buffer, extension: Buffer, caKey: KeyObject): Buffer {
  const fields = tbsFields(certDer).map((field) => {
    if (field.tag !== 0xa3) return field.raw;
    const seq = expectTag(children(field)[0], TAG.SEQUENCE, 'Extensions');
    return encodeTlv(0xa3, encodeTlv(TAG.SEQUENCE, Buffer.concat([seq.value, extension])));
  });
  const tbs = encodeTlv(TAG.SEQUENCE, Buffer.concat(fields));
  const algorithm = children(readOne(certDer))[1];
  if (algorithm === undefined) throw new Error('no signature algorithm');
  return encodeTlv(TAG.SEQUENCE, Buffer.concat([tbs, algorithm.raw, encodeTlv(TAG.BIT_STRING, Buffer.concat([Buffer.from([0]), sign('sha256', tbs, caKey)]))]));
}

export function createTestSigstore(): TestSigstore {
  const dir = mkdtempSync(join(tmpdir(), 'airlock-test-sigstore-'));
  certificate(dir, 'fulcio', '/O=airlock-test/CN=fulcio-test-root', ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign']);
  certificate(dir, 'tsa-root', '/O=airlock-test/CN=tsa-test-root', ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign']);
  certificate(dir, 'tsa', '/O=airlock-test/CN=tsa-test', ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature', 'extendedKeyUsage=critical,timeStamping'], 'tsa-root');
  writeFileSync(join(dir, 'tsaserial'), '01\n');
  writeFileSync(
    join(dir, 'ts.cnf'),
    [
      '[ tsa ]',
      'default_tsa = tsa_test',
      '[ tsa_test ]',
      `serial = ${join(dir, 'tsaserial')}`,
      'crypto_device = builtin',
      'signer_digest = sha256',
      'default_policy = 1.3.6.1.4.1.57264.2',
      'digests = sha256, sha384, sha512',
      'accuracy = secs:1',
      'ordering = no',
      'tsa_name = no',
      'ess_cert_id_chain = no',
      'ess_cert_id_alg = sha256',
      '',
    ].join('\n'),
  );

  const log = generateKeyPairSync('ed25519');
  const logPublic = log.publicKey.export({ format: 'der', type: 'spki' });
  // A signed note's Ed25519 key id (c2sp.org/signed-note): SHA-256 of the name, a newline, the
  // algorithm byte 0x01 and the raw key. The log id is that hash; its first four bytes are the hint.
  const logId = sha256(Buffer.from(`${LOG_ORIGIN}\n`), Buffer.from([1]), logPublic.subarray(-32));
  const ctLog = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ctLogPublic = ctLog.publicKey.export({ format: 'der', type: 'spki' });
  const ctLogId = sha256(ctLogPublic);
  const impostor = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  /** Who signs the SCT each `sct` option embeds, and under which log id. */
  const sctSigners = {
    log: { id: ctLogId, key: ctLog.privateKey },
    forged: { id: ctLogId, key: impostor },
    unlisted: { id: sha256(createPublicKey(impostor).export({ format: 'der', type: 'spki' })), key: impostor },
  } as const;
  const fulcioKey = createPrivateKey(readFileSync(join(dir, 'fulcio.key')));
  const fulcioKeyHash = sha256(subjectPublicKeyInfo(der(join(dir, 'fulcio.crt'))));
  /** The log's leaves so far (RFC 6962 leaf hashes); entries are appended, never removed. */
  const leaves: Buffer[] = [sha256(Buffer.from([0]), Buffer.from('{"an":"earlier entry"}'))];

  const trustedRoot = {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [{ baseUrl: `https://${LOG_ORIGIN}`, hashAlgorithm: 'SHA2_256', publicKey: { rawBytes: b64(logPublic), keyDetails: 'PKIX_ED25519', validFor: { start: VALID_FROM } }, logId: { keyId: b64(logId) } }],
    certificateAuthorities: [{ subject: { organization: 'airlock-test', commonName: 'fulcio-test-root' }, uri: 'https://fulcio.airlock-test.invalid', certChain: { certificates: [{ rawBytes: b64(der(join(dir, 'fulcio.crt'))) }] }, validFor: { start: VALID_FROM } }],
    ctlogs: [{ baseUrl: 'https://ctfe.airlock-test.invalid', hashAlgorithm: 'SHA2_256', publicKey: { rawBytes: b64(ctLogPublic), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: { start: VALID_FROM } }, logId: { keyId: b64(ctLogId) } }],
    timestampAuthorities: [
      {
        subject: { organization: 'airlock-test', commonName: 'tsa-test' },
        uri: 'https://tsa.airlock-test.invalid',
        certChain: { certificates: [{ rawBytes: b64(der(join(dir, 'tsa.crt'))) }, { rawBytes: b64(der(join(dir, 'tsa-root.crt'))) }] },
        validFor: { start: VALID_FROM },
      },
    ],
  };

  /** An RFC 3161 response from the authority over the SHA-256 of `data`. */
  function stamp(data: Buffer): Buffer {
    writeFileSync(join(dir, 'stamped.bin'), data);
    openssl(dir, ['ts', '-query', '-data', 'stamped.bin', '-sha256', '-no_nonce', '-out', 'stamp.tsq']);
    openssl(dir, ['ts', '-reply', '-queryfile', 'stamp.tsq', '-signer', 'tsa.crt', '-inkey', 'tsa.key', '-config', 'ts.cnf', '-out', 'stamp.tsr']);
    return readFileSync(join(dir, 'stamp.tsr'));
  }

  /** Appends `body` (a `kind` 0.0.2 entry) to the log: its inclusion proof against the new tree and the signed checkpoint. */
  function logEntry(body: Buffer, kind: string): Record<string, unknown> {
    leaves.push(sha256(Buffer.from([0]), body));
    const index = leaves.length - 1;
    const { root, path } = auditPath(leaves, index);
    const note = `${LOG_ORIGIN}\n${leaves.length}\n${b64(root)}\n`;
    const signature = sign(null, Buffer.from(note), log.privateKey);
    const envelope = `${note}\n\u2014 ${LOG_ORIGIN} ${b64(Buffer.concat([logId.subarray(0, 4), signature]))}\n`;
    return {
      logIndex: String(index),
      logId: { keyId: b64(logId) },
      kindVersion: { kind, version: '0.0.2' },
      inclusionProof: { logIndex: String(index), rootHash: b64(root), treeSize: String(leaves.length), hashes: path.map(b64), checkpoint: { envelope } },
      canonicalizedBody: b64(body),
    };
  }

  return {
    trustedRoot,
    dsseBundle(statement, options = {}) {
      certificate(dir, 'leaf', '/O=airlock-test', [
        'basicConstraints=critical,CA:FALSE',
        'keyUsage=critical,digitalSignature',
        'extendedKeyUsage=codeSigning',
        `subjectAltName=critical,URI:${WORKFLOW.san}`,
        `1.3.6.1.4.1.57264.1.8=ASN1:UTF8String:${WORKFLOW.issuer}`,
        `1.3.6.1.4.1.57264.1.12=ASN1:UTF8String:${WORKFLOW.repository}`,
      ], 'fulcio');
      const issuedDer = der(join(dir, 'leaf.crt'));
      const sct = options.sct ?? 'log';
      const tbs = expectTag(children(readOne(issuedDer))[0], TAG.SEQUENCE, 'TBSCertificate').raw;
      const leafDer = sct === 'none' ? issuedDer : withExtension(issuedDer, sctListExtension(sctSigners[sct], tbs, fulcioKeyHash), fulcioKey);
      const key: KeyObject = createPrivateKey(readFileSync(join(dir, 'leaf.key')));
      const payloadType = 'application/vnd.in-toto+json';
      const payload = Buffer.from(JSON.stringify(statement));
      const encoding = preAuthEncoding(payloadType, payload);
      const signature = sign('sha256', encoding, key);
      const signed = { content: b64(signature), verifier: { keyDetails: 'PKIX_ECDSA_P256_SHA_256', x509Certificate: { rawBytes: b64(leafDer) } } };
      const kind = options.entry ?? 'hashedrekord';
      const entryBody: Record<string, any> =
        kind === 'hashedrekord'
          ? { apiVersion: '0.0.2', kind, spec: { hashedRekordV002: { data: { algorithm: 'SHA2_256', digest: b64(sha256(encoding)) }, signature: signed } } }
          : { apiVersion: '0.0.2', kind, spec: { dsseV002: { payloadHash: { algorithm: 'SHA2_256', digest: b64(sha256(payload)) }, signatures: [signed] } } };
      options.body?.(entryBody);
      const entry = logEntry(Buffer.from(JSON.stringify(entryBody)), kind);
      const stamped = options.stamp ?? true;
      const material: Record<string, unknown> = { certificate: { rawBytes: b64(leafDer) }, tlogEntries: [entry] };
      if (stamped !== false) material['timestampVerificationData'] = { rfc3161Timestamps: [{ signedTimestamp: b64(stamp(stamped === true ? signature : stamped)) }] };
      return {
        bundle: { mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json', verificationMaterial: material, dsseEnvelope: { payload: b64(payload), payloadType, signatures: [{ sig: b64(signature), keyid: '' }] } },
        signature,
      };
    },
    close() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The RFC 6962 root of `leaves` and the audit path of leaf `index` (RFC 9162 §2.1.3.1). */
function auditPath(leaves: readonly Buffer[], index: number): { root: Buffer; path: Buffer[] } {
  const node = (l: Buffer, r: Buffer): Buffer => sha256(Buffer.from([1]), l, r);
  const rootOf = (xs: readonly Buffer[]): Buffer => {
    if (xs.length === 1) return xs[0] as Buffer;
    const k = 2 ** Math.floor(Math.log2(xs.length - 1));
    return node(rootOf(xs.slice(0, k)), rootOf(xs.slice(k)));
  };
  const pathOf = (i: number, xs: readonly Buffer[]): Buffer[] => {
    if (xs.length === 1) return [];
    const k = 2 ** Math.floor(Math.log2(xs.length - 1));
    return i < k ? [...pathOf(i, xs.slice(0, k)), rootOf(xs.slice(k))] : [...pathOf(i - k, xs.slice(k)), rootOf(xs.slice(0, k))];
  };
  return { root: rootOf(leaves), path: pathOf(index, leaves) };
}
