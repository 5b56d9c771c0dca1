/**
 * Certificate authorities a repository trusts for its upstream's TLS, in place of Node's built-in
 * roots, as npm does with its `cafile`: the way through a TLS-inspecting corporate proxy, or to
 * an upstream with a private certificate authority.
 */
import { X509Certificate } from 'node:crypto';
import { AirlockError } from '../../core/index.ts';
import { readNamedFile } from './named-file.ts';

export interface TrustedCa {
  /** The certificates, one PEM block each. */
  readonly pems: readonly string[];
  /** Where they came from, for the start-up line: "the repository's ca file /etc/corp-ca.pem". */
  readonly source: string;
}

const MAX_CERTIFICATES = 1000;
const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s\\n]*?-----END CERTIFICATE-----/g;

/**
 * The certificate blocks in `text`, each checked to be an X.509 certificate. `what` names the
 * setting in errors. Text without any block, or with one that does not parse, is refused: a trust
 * setting that silently trusts nothing would fail every connection with a less clear error.
 */
export function parseCaText(text: string, what: string): readonly string[] {
  // npm prints an inline ca with "\n" written out; PEM readers want real line breaks.
  const blocks = (text.match(PEM_BLOCK) ?? []).map((b) => b.replace(/\\n/g, '\n'));
  if (blocks.length === 0) throw new AirlockError('CONFIG_INVALID', `${what}: no PEM certificate (-----BEGIN CERTIFICATE-----) in it`);
  if (blocks.length > MAX_CERTIFICATES) throw new AirlockError('CONFIG_INVALID', `${what}: more than ${MAX_CERTIFICATES} certificates`);
  return blocks.map((pem, i) => {
    try {
      new X509Certificate(pem);
    } catch (cause) {
      throw new AirlockError('CONFIG_INVALID', `${what}: certificate ${i + 1} does not parse (${(cause as Error).message})`, { cause });
    }
    return pem;
  });
}

/** Read a CA file (at most 1 MiB of PEM certificates). */
export function readCaFile(file: string, what: string): readonly string[] {
  return parseCaText(readNamedFile(file, what), `${what} (${file})`);
}
