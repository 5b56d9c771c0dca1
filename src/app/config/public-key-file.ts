/**
 * A public key file the configuration names (a model signing key): a PEM `PUBLIC KEY` block,
 * with any text around it (certtool writes a description before the block). Kept as the SPKI PEM
 * Node exports, which is what model signatures' key hints are the sha256 of.
 */
import { createPublicKey } from 'node:crypto';
import { AirlockError } from '../../core/index.ts';
import { readNamedFile } from './named-file.ts';

export function readPublicKeyFile(file: string, what: string): string {
  const text = readNamedFile(file, what);
  const m = /-----BEGIN PUBLIC KEY-----[\s\S]*?-----END PUBLIC KEY-----/.exec(text);
  if (m === null) throw new AirlockError('CONFIG_INVALID', `${what}: ${file} holds no PEM public key (-----BEGIN PUBLIC KEY-----)`);
  try {
    return createPublicKey(m[0]).export({ type: 'spki', format: 'pem' }).toString();
  } catch (err) {
    throw new AirlockError('CONFIG_INVALID', `${what}: ${file}: the public key cannot be read (${err instanceof Error ? err.message : String(err)})`);
  }
}
