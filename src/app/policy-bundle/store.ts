/**
 * The last activated policy bundle, kept in the data directory (as OPA's `persist`) so that a
 * restart with the bundle server down starts on it: the archive as it was served and a small
 * state file (the URL it came from, its etag, revision and sha256), each written to a temporary
 * name, flushed and renamed over the old one. A kept bundle is read through the same checks as
 * a downloaded one (signature included) before it is activated.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { isPlainObject } from '../../core/index.ts';
import { directoryStore } from '../repository-trust.ts';

const ARCHIVE = 'bundle.tar.gz';
const STATE = 'state.json';

export interface PersistedBundle {
  readonly bytes: Buffer;
  readonly url: string;
  readonly etag: string | null;
  readonly revision: string;
  readonly savedAt: string;
}

export class PolicyBundleStore {
  readonly dir: string;
  readonly #files: ReturnType<typeof directoryStore>;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'policy-bundle');
    this.#files = directoryStore(this.dir);
  }

  /** The kept bundle, or null when there is none or it is torn (its state names other bytes). */
  async load(): Promise<PersistedBundle | null> {
    const [bytes, state] = await Promise.all([this.#files.read(ARCHIVE), this.#files.read(STATE)]);
    if (bytes === null || state === null) return null;
    let doc: unknown;
    try {
      doc = JSON.parse(state.toString('utf8'));
    } catch {
      return null;
    }
    if (!isPlainObject(doc) || typeof doc['url'] !== 'string' || typeof doc['sha256'] !== 'string') return null;
    if (createHash('sha256').update(bytes).digest('hex') !== doc['sha256']) return null;
    return {
      bytes,
      url: doc['url'],
      etag: typeof doc['etag'] === 'string' ? doc['etag'] : null,
      revision: typeof doc['revision'] === 'string' ? doc['revision'] : '',
      savedAt: typeof doc['savedAt'] === 'string' ? doc['savedAt'] : '',
    };
  }

  /** Replaces the kept bundle: the archive first, then the state that vouches for it. */
  async save(bytes: Buffer, state: { readonly url: string; readonly etag: string | null; readonly revision: string; readonly at: Date }): Promise<void> {
    await this.#files.write(ARCHIVE, bytes);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    await this.#files.write(STATE, Buffer.from(`${JSON.stringify({ url: state.url, etag: state.etag, revision: state.revision, sha256, savedAt: state.at.toISOString() }, null, 2)}\n`));
  }
}
