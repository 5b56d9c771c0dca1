/**
 * Reading a content-addressed blob back with its digest checked, for any driver: a whole buffer
 * is hashed before it is returned; a whole stream is hashed as it goes, its last chunk held back
 * until the whole has hashed, so a reader never gets all of a blob that no longer matches.
 */
import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { digestHex, type Sha256Digest } from '../../core/index.ts';

export function matchesDigest(bytes: Uint8Array, digest: Sha256Digest): boolean {
  return createHash('sha256').update(bytes).digest('hex') === digestHex(digest);
}

/**
 * `source` (the whole blob) passed on chunk by chunk, one chunk behind. When it ends, the last
 * chunk goes out if the bytes hashed to `digest`; otherwise the stream fails with what `corrupt`
 * gives (the driver removes the blob there).
 */
export function checkedStream(source: Readable, digest: Sha256Digest, corrupt: () => Promise<Error>): Readable {
  const hash = createHash('sha256');
  let held: Buffer | undefined;
  const check = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      const out = held;
      held = chunk;
      done(null, out);
    },
    flush(done) {
      if (hash.digest('hex') === digestHex(digest)) return done(null, held);
      corrupt().then(done, done);
    },
  });
  source.on('error', (err) => check.destroy(err));
  check.on('close', () => source.destroy());
  return source.pipe(check);
}
