/** Self-signed certificates for tests of TLS upstreams, made with openssl (skip the test without it). */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

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
