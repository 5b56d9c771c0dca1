/**
 * Certificates for tests of TLS, made with openssl (skip the test without it): self-signed ones
 * for TLS upstreams, and a private certificate authority issuing server and client certificates
 * for Airlock serving HTTPS.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type PeerCertificate } from 'node:tls';

export function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A P-256 key and a one-day self-signed certificate for `subjectAltName` (e.g. `IP:10.0.0.5`), as PEM files in `dir`. */
export function selfSignedCert(dir: string, name: string, subjectAltName: string): { key: string; cert: string } {
  const [key, cert] = [join(dir, `${name}-key.pem`), join(dir, `${name}-cert.pem`)];
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', `/CN=airlock-test-${name}`, '-addext', `subjectAltName=${subjectAltName}`], { stdio: 'ignore' });
  return { key, cert };
}

export interface IssueOptions {
  /** The subjectAltName (default `IP:127.0.0.1,DNS:localhost`). */
  readonly altNames?: string;
  /** A client certificate (extendedKeyUsage clientAuth) instead of a server one. */
  readonly client?: boolean;
  /** Days it is valid from now (default 1; 0: expired a second from now). */
  readonly days?: number;
  /** Sign this key file instead of a new P-256 key. */
  readonly key?: string;
}

export interface TestCa {
  /** The authority's certificate (what clients are given to trust). */
  readonly cert: string;
  readonly key: string;
  /** A certificate it issues, with a random serial, as `<name>-key.pem` and `<name>-cert.pem` in its directory. */
  issue(name: string, options?: IssueOptions): { readonly key: string; readonly cert: string };
}

const P256 = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** A private certificate authority (P-256, valid three days) in `dir`, named `name`. */
export function privateCa(dir: string, name = 'ca'): TestCa {
  const { key, cert } = { key: join(dir, `${name}-key.pem`), cert: join(dir, `${name}-cert.pem`) };
  const ext = ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign'].flatMap((e) => ['-addext', e]);
  execFileSync('openssl', ['req', '-x509', ...P256, '-keyout', key, '-out', cert, '-days', '3', '-subj', `/CN=Airlock test ${name}`, ...ext], { stdio: 'ignore' });
  return {
    cert,
    key,
    issue(leaf, options = {}) {
      const files = { key: options.key ?? join(dir, `${leaf}-key.pem`), cert: join(dir, `${leaf}-cert.pem`), csr: join(dir, `${leaf}.csr`), ext: join(dir, `${leaf}.ext`) };
      const newKey = options.key === undefined ? [...P256, '-keyout', files.key] : ['-key', options.key];
      execFileSync('openssl', ['req', '-new', ...newKey, '-out', files.csr, '-subj', `/CN=airlock-test-${leaf}`], { stdio: 'ignore' });
      const usage = options.client === true ? 'clientAuth' : 'serverAuth';
      writeFileSync(files.ext, `basicConstraints=CA:FALSE\nextendedKeyUsage=${usage}\n${options.client === true ? '' : `subjectAltName=${options.altNames ?? 'IP:127.0.0.1,DNS:localhost'}\n`}`);
      const serial = `0x${randomBytes(8).toString('hex')}`;
      execFileSync('openssl', ['x509', '-req', '-in', files.csr, '-CA', cert, '-CAkey', key, '-set_serial', serial, '-days', String(options.days ?? 1), '-out', files.cert, '-extfile', files.ext], { stdio: 'ignore' });
      return { key: files.key, cert: files.cert };
    },
  };
}

/** A private authority in `dir` and a server certificate it issued for 127.0.0.1 and localhost: `tls` is what `server.tls` takes. */
export function servingTls(dir: string): { readonly ca: TestCa; readonly tls: { readonly cert: string; readonly key: string } } {
  const ca = privateCa(dir);
  return { ca, tls: ca.issue('airlock') };
}

/** `servingTls` in a fresh directory, removed when the test `t` ends. */
export async function servingTlsFor(t: { after(f: () => Promise<void>): void }): Promise<{ readonly dir: string; readonly ca: TestCa; readonly tls: { readonly cert: string; readonly key: string } }> {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-tls-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return { dir, ...servingTls(dir) };
}

export interface TlsClientOptions {
  /** PEM files of the authorities to trust (default: Node's built-in ones). */
  readonly ca?: string;
  /** A client certificate and its key (PEM files). */
  readonly cert?: string;
  readonly key?: string;
}

function clientOptions(options: TlsClientOptions): { ca?: string; cert?: string; key?: string } {
  const read = (f: string | undefined): string | undefined => (f === undefined ? undefined : readFileSync(f, 'utf8'));
  const [ca, cert, key] = [read(options.ca), read(options.cert), read(options.key)];
  return { ...(ca === undefined ? {} : { ca }), ...(cert === undefined ? {} : { cert }), ...(key === undefined ? {} : { key }) };
}

/** The certificate a new TLS connection to `url`'s host and port gets (checked against `options.ca`). */
export function peerCertificate(url: string, options: TlsClientOptions = {}): Promise<PeerCertificate> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: u.hostname, port: Number(u.port), ...(isIP(u.hostname) === 0 ? { servername: u.hostname } : {}), ...clientOptions(options) }, () => {
      const cert = socket.getPeerCertificate();
      socket.end();
      resolve(cert);
    });
    socket.on('error', reject);
  });
}

/** A GET over HTTPS with its own trust (and client certificate): the status, headers and body, or the connection's error. */
export function httpsGet(url: string, options: TlsClientOptions & { readonly headers?: Readonly<Record<string, string>> } = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: options.headers ?? {}, agent: false, ...clientOptions(options) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
