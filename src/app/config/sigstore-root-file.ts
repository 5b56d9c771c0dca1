/**
 * A Sigstore trusted root named by a repository's `sigstoreTrustedRoot`
 * (`application/vnd.dev.sigstore.trustedroot+json`: the Fulcio CAs and Rekor logs attestations
 * are checked against), read at start: a private Sigstore deployment's, or a newer public-good
 * copy than the one built in.
 */
import { AirlockError } from '../../core/index.ts';
import { parseMetadata, parseTrustedRoot, type Root, type TrustedRoot } from '../../verify/index.ts';
import { readNamedFile } from './named-file.ts';

export function readSigstoreRootFile(file: string, what: string): TrustedRoot {
  const text = readNamedFile(file, what);
  try {
    return parseTrustedRoot(JSON.parse(text));
  } catch (cause) {
    throw new AirlockError('CONFIG_INVALID', `${what}: ${file} is not a Sigstore trusted root (${(cause as Error).message})`, { cause });
  }
}

/** A TUF `root.json` the operator trusts out of band (where a private repository's chain starts): it must parse. */
export function readTufRootFile(file: string, what: string): string {
  const text = readNamedFile(file, what);
  try {
    parseMetadata<Root>(Buffer.from(text, 'utf8'), 'root', file);
  } catch (cause) {
    throw new AirlockError('CONFIG_INVALID', `${what}: ${file} is not a TUF root.json (${(cause as Error).message})`, { cause });
  }
  return text;
}
