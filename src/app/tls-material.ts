/**
 * The certificate and key Airlock serves HTTPS with (`server.tls`), read and checked: at start,
 * where a problem stops Airlock with what to fix, and at every rotation, where it keeps the pair
 * being served. Checked: each file readable and holding what it should, the key the
 * certificate's, the chain in order (each certificate issued by the next), no certificate of it
 * expired, the leaf valid now (up to an hour early is only a warning: clock skew), and OpenSSL
 * accepting the lot. A certificate that does not name the host clients use is not refused: they
 * decide, against the name they asked for.
 */
import { createHash, createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import type { ServerOptions as HttpsServerOptions } from 'node:https';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import { AirlockError } from '../core/index.ts';
import { parseCaText, readCaFile } from './config/ca.ts';
import { readNamedFile } from './config/named-file.ts';
import type { TlsConfig } from './config/types.ts';

/** A leaf valid this much later than this machine's clock says is served with a warning: clock skew. */
export const CLOCK_SKEW_MS = 3_600_000;
/** A certificate that expires within this is served with a warning. */
export const EXPIRY_WARNING_MS = 14 * 86_400_000;
/** A certificate that expires within this is logged at error level. */
export const EXPIRY_ERROR_MS = 86_400_000;

export interface ServedCertificate {
  readonly subject: string;
  /** `DNS:localhost, IP Address:127.0.0.1`, or null when the certificate has no subjectAltName. */
  readonly altNames: string | null;
  readonly issuer: string;
  readonly serial: string;
  readonly fingerprint256: string;
  readonly validFrom: Date;
  readonly validTo: Date;
  /** Certificates served after it (intermediates). */
  readonly intermediates: number;
}

export interface TlsMaterial {
  /** What `https.createServer` and `setSecureContext` take; every setting each time (`setSecureContext` forgets what it is not given). */
  readonly context: { readonly key: string; readonly cert: string; readonly ca?: readonly string[]; readonly minVersion: TlsConfig['minVersion'] };
  readonly certificate: ServedCertificate;
  /** The client certificate authorities' subjects, when client certificates are asked for. */
  readonly clientCas: readonly string[];
  /** Lines to print or log: served anyway, but someone should know. */
  readonly warnings: readonly string[];
  /** The one of `warnings` that says the certificate expires within 14 days (logged on its own as well: tls-rotation.ts), or null. */
  readonly expiryWarning: string | null;
  /** A digest of every input: a rotation that reads the same files changes nothing. */
  readonly digest: string;
}

function invalid(what: string, message: string, cause?: unknown): never {
  throw new AirlockError('CONFIG_INVALID', `${what}: ${message}`, cause === undefined ? undefined : { cause });
}

/** A named file as text, with a failure to read it (permissions) said as such. */
function readText(file: string, what: string): string {
  try {
    return readNamedFile(file, what);
  } catch (err) {
    if (err instanceof AirlockError) throw err;
    return invalid(what, `cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, err);
  }
}

function keyText(config: TlsConfig): { readonly text: string; readonly where: string } {
  if (config.key.kind === 'env') return { text: config.key.secret.reveal().replace(/\\n/g, '\n'), where: config.key.secret.source };
  return { text: readText(config.key.path, 'server.tls.key'), where: config.key.path };
}

/** PKCS#8's encrypted block, or a traditional PEM key's encryption header. */
const ENCRYPTED_KEY = /-----BEGIN ENCRYPTED PRIVATE KEY-----|^Proc-Type: 4,ENCRYPTED/m;

function privateKey(text: string, where: string): KeyObject {
  if (ENCRYPTED_KEY.test(text)) invalid('server.tls.key', `the key in ${where} is encrypted with a passphrase; give Airlock the key unencrypted and protect its file instead`);
  try {
    return createPrivateKey(text);
  } catch (err) {
    return invalid('server.tls.key', `no private key Airlock can read in ${where} (a PEM "PRIVATE KEY" block)`, err);
  }
}

function name(cert: X509Certificate): string {
  return cert.subject.replace(/\n/g, ', ');
}

export function describeValidity(ms: number): string {
  const hours = Math.round(ms / 3_600_000);
  return hours >= 48 ? `${Math.round(hours / 24)} days` : hours >= 1 ? `${hours} hours` : `${Math.max(1, Math.round(ms / 60_000))} minutes`;
}

/** The chain's problems that stop it being served, and its warnings; returns the leaf's expiry warning, if any. */
function checkChain(chain: readonly X509Certificate[], now: Date, warnings: string[]): string | null {
  let leafExpiry: string | null = null;
  chain.forEach((cert, i) => {
    const what = i === 0 ? `the certificate (${name(cert)}, serial ${cert.serialNumber})` : `certificate ${i + 1} of the chain (${name(cert)})`;
    const validTo = new Date(cert.validTo);
    if (validTo.getTime() <= now.getTime()) invalid('server.tls.cert', `${what} expired on ${validTo.toISOString()}; renew it (every client would refuse it)`);
    if (validTo.getTime() - now.getTime() < EXPIRY_WARNING_MS) {
      const warning = `server.tls.cert: ${what} expires on ${validTo.toISOString()}, in ${describeValidity(validTo.getTime() - now.getTime())}`;
      warnings.push(warning);
      if (i === 0) leafExpiry = warning;
    }
    const validFrom = new Date(cert.validFrom);
    const early = validFrom.getTime() - now.getTime();
    if (early > CLOCK_SKEW_MS) invalid('server.tls.cert', `${what} is not valid until ${validFrom.toISOString()}, ${describeValidity(early)} from now by this machine's clock; check the clock, or wait`);
    if (early > 0) warnings.push(`server.tls.cert: ${what} is valid only from ${validFrom.toISOString()}, ${describeValidity(early)} from now by this machine's clock (clock skew?); clients whose clocks agree refuse it until then`);
    const issuer = chain[i + 1];
    if (issuer !== undefined && !(cert.checkIssued(issuer) && cert.verify(issuer.publicKey))) {
      invalid('server.tls.cert', `certificate ${i + 2} of the chain (${name(issuer)}) did not issue certificate ${i + 1} (${name(cert)}); list the server's certificate first, then the authority that issued it, and so on`);
    }
  });
  return leafExpiry;
}

/** Read and check `server.tls`'s files; throws CONFIG_INVALID naming the setting and what to do. */
export function readTlsMaterial(config: TlsConfig, now: Date): TlsMaterial {
  const certText = readText(config.cert, 'server.tls.cert');
  const pems = [...parseCaText(certText, `server.tls.cert (${config.cert})`), ...(config.ca === null ? [] : readCaFile(config.ca, 'server.tls.ca'))];
  const chain = pems.map((p) => new X509Certificate(p));
  const leaf = chain[0] as X509Certificate;
  const key = keyText(config);
  const keyObject = privateKey(key.text, key.where);
  if (!leaf.checkPrivateKey(keyObject)) {
    invalid('server.tls.key', `the key in ${key.where} is not the key of the certificate in ${config.cert} (${name(leaf)}, serial ${leaf.serialNumber}); give the pair that belongs together`);
  }
  const warnings: string[] = [];
  const expiryWarning = checkChain(chain, now, warnings);
  if (leaf.subjectAltName === undefined) warnings.push(`server.tls.cert: the certificate (${name(leaf)}) names no host (no subjectAltName); most clients will refuse it`);
  const clientCaPems = config.clientCa === null ? [] : readCaFile(config.clientCa, 'server.tls.clientCa');
  const keyPem = keyObject.export({ type: 'pkcs8', format: 'pem' }).toString();
  const context = { key: keyPem, cert: pems.join('\n'), ...(clientCaPems.length === 0 ? {} : { ca: clientCaPems }), minVersion: config.minVersion };
  const digest = createHash('sha256').update(JSON.stringify([context.cert, keyPem, clientCaPems, config.minVersion])).digest('hex');
  const material: TlsMaterial = {
    context,
    certificate: {
      subject: name(leaf),
      altNames: leaf.subjectAltName ?? null,
      issuer: leaf.issuer.replace(/\n/g, ', '),
      serial: leaf.serialNumber,
      fingerprint256: leaf.fingerprint256,
      validFrom: new Date(leaf.validFrom),
      validTo: new Date(leaf.validTo),
      intermediates: chain.length - 1,
    },
    clientCas: clientCaPems.map((p) => name(new X509Certificate(p))),
    warnings,
    expiryWarning,
    digest,
  };
  try {
    createSecureContext(secureContextOptions(material));
  } catch (err) {
    invalid('server.tls', `OpenSSL refused the certificate and key (${(err as Error).message})`, err);
  }
  return material;
}

/** The HTTPS server's options: the material's context, and client certificates asked for (and required) as configured. */
export function httpsServerOptions(config: TlsConfig, material: TlsMaterial): HttpsServerOptions {
  return { ...secureContextOptions(material), requestCert: config.clientCa !== null, rejectUnauthorized: config.requireClientCert };
}

/** The material as `setSecureContext` takes it. */
export function secureContextOptions(material: TlsMaterial): SecureContextOptions {
  const { ca, ...rest } = material.context;
  return { ...rest, ...(ca === undefined ? {} : { ca: [...ca] }) };
}

/** One line for the start-up output and the logs: which certificate, for which names, until when. */
export function describeCertificate(c: ServedCertificate): string {
  const chain = c.intermediates === 0 ? '' : ` with ${c.intermediates} intermediate${c.intermediates === 1 ? '' : 's'}`;
  return `${c.subject} (${c.altNames ?? 'no subjectAltName'}; issued by ${c.issuer}${chain}; serial ${c.serial}; valid until ${c.validTo.toISOString()})`;
}
