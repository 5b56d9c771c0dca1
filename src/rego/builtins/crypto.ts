/** Hashes and HMACs over the UTF-8 bytes of strings, hex-encoded; constant-time MAC comparison. */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Value } from '../value.ts';
import { fn, str } from './args.ts';
import type { BuiltinDecl } from './types.ts';

function hash(name: string, algorithm: string): BuiltinDecl {
  return fn(name, ['string'], 'string', (args) => createHash(algorithm).update(str(name, args, 0), 'utf8').digest('hex'));
}

function hmac(name: string, algorithm: string): BuiltinDecl {
  return fn(name, ['string', 'string'], 'string', (args) => {
    const message = str(name, args, 0);
    const key = str(name, args, 1);
    return createHmac(algorithm, Buffer.from(key, 'utf8')).update(message, 'utf8').digest('hex');
  });
}

function hmacEqual(args: readonly Value[]): Value {
  const a = Buffer.from(str('crypto.hmac.equal', args, 0), 'utf8');
  const b = Buffer.from(str('crypto.hmac.equal', args, 1), 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

export const CRYPTO_BUILTINS: readonly BuiltinDecl[] = [
  hash('crypto.md5', 'md5'),
  hash('crypto.sha1', 'sha1'),
  hash('crypto.sha256', 'sha256'),
  hmac('crypto.hmac.md5', 'md5'),
  hmac('crypto.hmac.sha1', 'sha1'),
  hmac('crypto.hmac.sha256', 'sha256'),
  hmac('crypto.hmac.sha512', 'sha512'),
  fn('crypto.hmac.equal', ['string', 'string'], 'boolean', hmacEqual),
];
