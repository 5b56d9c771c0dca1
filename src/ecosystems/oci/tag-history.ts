/**
 * Which manifests a tag has pointed at, as clients asked for it through Airlock: each digest
 * with when Airlock first saw the tag point at it. A release tag (`1.4.2`) that comes to point at
 * another manifest is what a compromised publisher, or a registry account taken over, looks like
 * from outside — and what a digest-less pull cannot notice. Kept in the stores, so a move is seen
 * across restarts; at most `MAX_SIGHTINGS` per tag, the oldest dropped.
 */
import { Lru } from '../../core/index.ts';
import type { BlobStore, DocumentCache } from '../../storage/ports/index.ts';
import type { DocumentSource, SourceLogger } from '../shared/document-source.ts';
import { readStoredCopy } from '../shared/stored-copy.ts';
import { isDigest } from './references.ts';

const MAX_SIGHTINGS = 32;
const MAX_BYTES = 64 * 1024;

export interface TagSighting {
  readonly digest: string;
  /** RFC 3339. */
  readonly firstSeen: string;
}

export interface TagHistoryDeps {
  readonly repo: string;
  readonly documents: DocumentCache;
  readonly blobs: BlobStore;
  /** Where the history is written (in the background, as a document of its own). */
  readonly keeper: Pick<DocumentSource, 'keep'>;
  readonly clock: () => Date;
  readonly log?: SourceLogger | undefined;
}

export class TagHistory {
  readonly #deps: TagHistoryDeps;
  readonly #known = new Lru<string, readonly TagSighting[]>(4096);
  /** One update per tag at a time (in this process). */
  readonly #updating = new Map<string, Promise<readonly TagSighting[]>>();

  constructor(deps: TagHistoryDeps) {
    this.#deps = deps;
  }

  /** Notes that `name:tag` points at `digest` now; the tag's sightings, oldest first, this one among them. */
  note(name: string, tag: string, digest: string): Promise<readonly TagSighting[]> {
    const key = `tag-history/${name}:${tag}`;
    const known = this.#known.get(key);
    if (known?.some((s) => s.digest === digest) === true) return Promise.resolve(known);
    const previous = this.#updating.get(key) ?? Promise.resolve(null);
    const next = previous
      .catch(() => null)
      .then(async () => {
        const history = this.#known.get(key) ?? (await this.#read(key));
        const updated = this.#withSighting(history, digest);
        if (updated === history) {
          this.#known.set(key, history);
          return history;
        }
        this.#deps.keeper.keep(key, Buffer.from(JSON.stringify(updated)), 'application/json');
        this.#known.set(key, updated);
        return updated;
      })
      .finally(() => {
        if (this.#updating.get(key) === next) this.#updating.delete(key);
      });
    this.#updating.set(key, next);
    return next;
  }

  /**
   * The tag's sightings as `note` would leave them if `name:tag` were pulled now at `digest`,
   * noting nothing (the pre-flight check): a digest not seen before is the newest, first seen now.
   */
  async peek(name: string, tag: string, digest: string): Promise<readonly TagSighting[]> {
    const key = `tag-history/${name}:${tag}`;
    return this.#withSighting(this.#known.get(key) ?? (await this.#read(key)), digest);
  }

  /** `history` itself when it has `digest`; else with `digest` added as the newest, first seen now (the oldest dropped past the bound). */
  #withSighting(history: readonly TagSighting[], digest: string): readonly TagSighting[] {
    if (history.some((s) => s.digest === digest)) return history;
    return [...history, { digest, firstSeen: this.#deps.clock().toISOString() }].slice(-MAX_SIGHTINGS);
  }

  /** The history kept for the tag; empty when there is none, or it cannot be read (said in the log). */
  async #read(key: string): Promise<TagSighting[]> {
    const { documents, blobs, repo, log } = this.#deps;
    const doc = await documents.getDocument(repo, key);
    if (doc === null) return [];
    try {
      if (doc.size > MAX_BYTES) throw new Error(`it is ${doc.size} bytes`);
      return parseSightings(await readStoredCopy(blobs, doc.blob, doc.size, `the tag history ${key}`, log));
    } catch (err) {
      log?.warn({ key, err: err instanceof Error ? err.message : String(err) }, 'a tag history could not be read; starting it again');
      return [];
    }
  }
}

function parseSightings(bytes: Buffer): TagSighting[] {
  const doc: unknown = JSON.parse(bytes.toString('utf8'));
  if (!Array.isArray(doc)) throw new Error('not a list');
  return doc.slice(-MAX_SIGHTINGS).flatMap((s: unknown) => {
    if (typeof s !== 'object' || s === null) return [];
    const { digest, firstSeen } = s as Record<string, unknown>;
    return typeof digest === 'string' && isDigest(digest) && typeof firstSeen === 'string' && Number.isFinite(Date.parse(firstSeen)) ? [{ digest, firstSeen }] : [];
  });
}
