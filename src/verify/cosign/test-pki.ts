/**
 * Test-only: a private Sigstore of the kind legacy keyless cosign signatures were made against
 * (Fulcio + Rekor v1), built in Node alone: a Fulcio-like CA issuing ten-minute signing
 * certificates with Fulcio's identity extensions and an embedded SCT from its certificate
 * transparency log, and a Rekor v1-like log (ECDSA P-256) whose signed entry timestamps cover
 * `hashedrekord` 0.0.1 entries and their integrated times. `trustedRoot` is the matching
 * `trusted_root.json`. (test/support/sigstore-pki.ts is a Rekor v2 deployment: its entries have
 * no integrated time and no SET, which is all a legacy `.sig` layer can carry.) Never imported
 * by the library.
 */
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { encodeTlv, TAG } from '../sigstore/der.ts';
import { precertificateSignedData } from '../sigstore/sct.ts';

const VALID_FROM = '2020-01-01T00:00:00Z';
const CERT_LIFETIME_MS = 10 * 60 * 1000;

/** The identity the signing certificates carry unless told otherwise. */
export const KEYLESS_IDENTITY = { san: 'https://github.com/acme/widget/.github/workflows/release.yml@refs/heads/main', issuer: 'https://token.actions.githubusercontent.com' } as const;

const sha256 = (data: Uint8Array | string): Buffer => createHash('sha256').update(data).digest();
const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');
const seq = (...parts: Buffer[]): Buffer => encodeTlv(TAG.SEQUENCE, Buffer.concat(parts));

function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const bytes: number[] = [(arcs[0] ?? 0) * 40 + (arcs[1] ?? 0)];
  for (const arc of arcs.slice(2)) {
    const digits: number[] = [];
    for (let v = arc; ; v = Math.floor(v / 128)) {
      digits.unshift((v % 128) | (digits.length === 0 ? 0 : 0x80));
      if (v < 128) break;
    }
    bytes.push(...digits);
  }
  return encodeTlv(TAG.OID, Buffer.from(bytes));
}

function integer(n: Buffer): Buffer {
  return encodeTlv(TAG.INTEGER, (n[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), n]) : n);
}

function time(ms: number): Buffer {
  const iso = new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return ms < Date.UTC(2050, 0, 1) ? encodeTlv(0x17, Buffer.from(`${iso.slice(2)}Z`)) : encodeTlv(0x18, Buffer.from(`${iso}Z`));
}

function name(commonName: string | null): Buffer {
  if (commonName === null) return seq();
  const rdn = (type: string, value: string): Buffer => encodeTlv(TAG.SET, seq(oid(type), encodeTlv(TAG.UTF8_STRING, Buffer.from(value))));
  return seq(rdn('2.5.4.10', 'airlock-test'), rdn('2.5.4.3', commonName));
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return seq(oid(id), critical ? encodeTlv(TAG.BOOLEAN, Buffer.from([0xff])) : Buffer.alloc(0), encodeTlv(TAG.OCTET_STRING, value));
}

const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'));

interface CertificateSpec {
  readonly issuer: string;
  readonly subject: string | null;
  readonly key: KeyObject;
  readonly notBefore: number;
  readonly notAfter: number;
  readonly extensions: readonly Buffer[];
}

function newSerial(): Buffer {
  const serial = sha256(String(Math.random())).subarray(0, 16);
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x01;
  return serial;
}

function tbsOf(spec: CertificateSpec, serial: Buffer): Buffer {
  return seq(
    encodeTlv(0xa0, integer(Buffer.from([2]))),
    integer(serial),
    ECDSA_SHA256,
    name(spec.issuer),
    seq(time(spec.notBefore), time(spec.notAfter)),
    name(spec.subject),
    spec.key.export({ type: 'spki', format: 'der' }),
    encodeTlv(0xa3, seq(...spec.extensions)),
  );
}

function signed(tbs: Buffer, issuerKey: KeyObject): Buffer {
  return seq(tbs, ECDSA_SHA256, encodeTlv(TAG.BIT_STRING, Buffer.concat([Buffer.from([0]), sign('sha256', tbs, issuerKey)])));
}

function pem(der: Buffer, label: string): string {
  return `-----BEGIN ${label}-----\n${b64(der).replace(/.{1,64}/g, '$&\n')}-----END ${label}-----\n`;
}

/** An SCT list extension (RFC 6962 §3.3) holding one v1 SCT by `log` over `tbs` as a precertificate. */
function sctExtension(log: { readonly id: Buffer; readonly key: KeyObject }, at: number, issuerKeyHash: Buffer, tbs: Buffer): Buffer {
  const signature = sign('sha256', precertificateSignedData(at, issuerKeyHash, tbs, Buffer.alloc(0)), log.key);
  const u16 = (n: number): Buffer => Buffer.from([n >> 8, n & 0xff]);
  const stamp = Buffer.alloc(8);
  stamp.writeBigUInt64BE(BigInt(at));
  const sct = Buffer.concat([Buffer.from([0]), log.id, stamp, u16(0), Buffer.from([4, 3]), u16(signature.length), signature]);
  const list = Buffer.concat([u16(sct.length), sct]);
  return extension('1.3.6.1.4.1.11129.2.4.2', false, encodeTlv(TAG.OCTET_STRING, Buffer.concat([u16(list.length), list])));
}

export interface KeylessSignOptions {
  /** The simple-signing payload to sign (see `cosignPayload`). */
  readonly payload: Buffer;
  /** When the certificate is issued and the payload signed (default: now). */
  readonly signedAt?: Date;
  /** The integrated time the log records (default: five seconds after signing). */
  readonly loggedAt?: Date;
  /** The certificate's SAN (a URI) and OIDC issuer (default: KEYLESS_IDENTITY). */
  readonly san?: string;
  readonly issuer?: string;
  /** Sign the entry timestamp with a key other than the log's. */
  readonly forgeSet?: boolean;
}

export interface KeylessLegacySignature {
  readonly payload: Buffer;
  /** The layer annotations cosign writes: signature, certificate, chain, bundle. */
  readonly annotations: Record<string, string>;
}

export interface TestCosignKeyless {
  /** The deployment's `trusted_root.json` (parse it with `parseTrustedRoot`). */
  readonly trustedRoot: Record<string, unknown>;
  /** A legacy keyless signature of `payload`, as `cosign sign` (≤ v2) writes it into a `.sig` layer. */
  signLegacy(options: KeylessSignOptions): KeylessLegacySignature;
}

export function createTestCosignKeyless(): TestCosignKeyless {
  const caKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ctKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const logKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const impostor = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const caSpki = caKey.publicKey.export({ type: 'spki', format: 'der' });
  const ctSpki = ctKey.publicKey.export({ type: 'spki', format: 'der' });
  const logSpki = logKey.publicKey.export({ type: 'spki', format: 'der' });
  const ctLog = { id: sha256(ctSpki), key: ctKey.privateKey };
  const logId = sha256(logSpki);
  const caName = 'fulcio-test';
  const caDer = signed(
    tbsOf({
      issuer: caName,
      subject: caName,
      key: caKey.publicKey,
      notBefore: Date.parse(VALID_FROM),
      notAfter: Date.UTC(2099, 0, 1),
      extensions: [extension('2.5.29.19', true, seq(encodeTlv(TAG.BOOLEAN, Buffer.from([0xff])))), extension('2.5.29.15', true, encodeTlv(TAG.BIT_STRING, Buffer.from([1, 0x06])))],
    }, newSerial()),
    caKey.privateKey,
  );
  let logIndex = 1000;

  const trustedRoot = {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [{ baseUrl: 'https://rekor.airlock-test.invalid', hashAlgorithm: 'SHA2_256', publicKey: { rawBytes: b64(logSpki), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: { start: VALID_FROM } }, logId: { keyId: b64(logId) } }],
    certificateAuthorities: [{ subject: { organization: 'airlock-test', commonName: caName }, uri: 'https://fulcio.airlock-test.invalid', certChain: { certificates: [{ rawBytes: b64(caDer) }] }, validFor: { start: VALID_FROM } }],
    ctlogs: [{ baseUrl: 'https://ctfe.airlock-test.invalid', hashAlgorithm: 'SHA2_256', publicKey: { rawBytes: b64(ctSpki), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: { start: VALID_FROM } }, logId: { keyId: b64(ctLog.id) } }],
    timestampAuthorities: [],
  };

  return {
    trustedRoot,
    signLegacy(options) {
      const at = options.signedAt?.getTime() ?? Date.now();
      const leafKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const san = Buffer.from(options.san ?? KEYLESS_IDENTITY.san);
      const extensions = [
        extension('2.5.29.15', true, encodeTlv(TAG.BIT_STRING, Buffer.from([7, 0x80]))),
        extension('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.3'))),
        extension('2.5.29.19', true, seq()),
        extension('2.5.29.17', true, seq(encodeTlv(0x86, san))),
        extension('1.3.6.1.4.1.57264.1.8', false, encodeTlv(TAG.UTF8_STRING, Buffer.from(options.issuer ?? KEYLESS_IDENTITY.issuer))),
      ];
      const spec: CertificateSpec = { issuer: caName, subject: null, key: leafKey.publicKey, notBefore: at, notAfter: at + CERT_LIFETIME_MS, extensions };
      // Fulcio's order: the precertificate is logged, then the certificate is issued with the SCT.
      const serial = newSerial();
      const sct = sctExtension(ctLog, at, sha256(caSpki), tbsOf(spec, serial));
      const leafDer = signed(tbsOf({ ...spec, extensions: [...extensions, sct] }, serial), caKey.privateKey);
      const leafPem = pem(leafDer, 'CERTIFICATE');
      const signature = sign('sha256', options.payload, leafKey.privateKey);
      const body = Buffer.from(
        JSON.stringify({
          apiVersion: '0.0.1',
          kind: 'hashedrekord',
          spec: { data: { hash: { algorithm: 'sha256', value: sha256(options.payload).toString('hex') } }, signature: { content: b64(signature), publicKey: { content: b64(Buffer.from(leafPem)) } } },
        }),
      ).toString('base64');
      const integratedTime = Math.floor((options.loggedAt?.getTime() ?? at + 5000) / 1000);
      const index = logIndex++;
      const setPayload = `{"body":"${body}","integratedTime":${integratedTime},"logID":"${logId.toString('hex')}","logIndex":${index}}`;
      const set = sign('sha256', Buffer.from(setPayload), options.forgeSet === true ? impostor : logKey.privateKey);
      return {
        payload: options.payload,
        annotations: {
          'dev.cosignproject.cosign/signature': b64(signature),
          'dev.sigstore.cosign/certificate': leafPem,
          'dev.sigstore.cosign/chain': pem(caDer, 'CERTIFICATE'),
          'dev.sigstore.cosign/bundle': JSON.stringify({ SignedEntryTimestamp: b64(set), Payload: { body, integratedTime, logIndex: index, logID: logId.toString('hex') } }),
        },
      };
    },
  };
}
