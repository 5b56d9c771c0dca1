/**
 * The Sigstore trusted root a repository checks attestations against, kept current through a TUF
 * repository when the configuration asks for it (`sigstoreTrustedRoot: tuf`, or a private
 * repository): Sigstore adds log shards, timestamp authorities and CAs over time, and a root
 * frozen at install time can check less and less. The TUF client verifies the chain of roots and
 * the `trusted_root.json` target; the verified copy and the metadata are kept under the data
 * directory, so a restart without network starts from the last good root. Refreshes run in the
 * background (at start, then every `refresh`): a failure is logged and the current root kept —
 * never a root the update did not verify. When the root changes, cached verdicts are dropped.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isAirlockError, PeriodicTask } from '../core/index.ts';
import type { UpstreamClient } from '../upstream/index.ts';
import { parseTrustedRoot, TufClient, type TrustedRoot, type TufFetcher, type TufStore } from '../verify/index.ts';
import type { TrustedSigstoreRoot } from './config/types.ts';
import type { ServiceLogger } from './services.ts';

export interface SigstoreRootDeps {
  /** Where the TUF metadata and the verified root are kept (under the data directory). */
  readonly dir: string;
  readonly log: Pick<ServiceLogger, 'info' | 'warn'>;
  /** The root changed: verdicts that depend on it are stale. */
  readonly onChange: () => void;
  /** How the TUF repository's files are downloaded (`upstreamFetcher`). */
  readonly download: TufFetcher;
}

/** The target a Sigstore TUF repository publishes the trusted root as. */
export const TRUSTED_ROOT_TARGET = 'trusted_root.json';

/**
 * A TUF store in a directory: each file written to a temporary name, flushed to disk, and
 * renamed over the old one, the folder flushed after, so a crash or power loss leaves the old
 * file or the new, never a torn one (the client still puts aside a stored root that does not
 * verify).
 */
export function directoryStore(dir: string): TufStore {
  const path = (name: string): string => join(dir, name);
  return {
    async read(name) {
      try {
        return await readFile(path(name));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
    },
    async write(name, bytes) {
      const to = path(name);
      await mkdir(dirname(to), { recursive: true });
      const tmp = `${to}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        await writeFile(tmp, bytes, { flush: true });
        await rename(tmp, to);
      } catch (err) {
        await rm(tmp, { force: true });
        throw err;
      }
      await syncFolder(dirname(to));
    },
    async remove(name) {
      await rm(path(name), { force: true });
    },
  };
}

async function syncFolder(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Fetches repository files through an upstream client (relative to its URL, capped, retried,
 * through the repository's proxy): 404 and 403 (what object stores answer for a missing file)
 * are absent files.
 */
export function upstreamFetcher(client: UpstreamClient): TufFetcher {
  return async (file, maxBytes) => {
    try {
      const res = await client.fetchDocument(file, { maxBytes });
      if (res.kind !== 'fresh') throw new Error(`${file}: the TUF repository answered 304 to an unconditional request`);
      return res.body;
    } catch (err) {
      if (isAirlockError(err) && (err.code === 'UPSTREAM_NOT_FOUND' || err.details['status'] === 403)) return null;
      throw err;
    }
  };
}

/** For a root that is not kept current through TUF: nothing is ever downloaded. */
export const noDownloads: TufFetcher = async (file) => {
  throw new Error(`${file}: no TUF repository is configured`);
};

export class SigstoreRoot {
  #current: TrustedRoot;
  #bytes: Buffer | null = null;
  readonly #config: TrustedSigstoreRoot;
  readonly #deps: SigstoreRootDeps;
  readonly #client: TufClient | null;
  readonly #task: PeriodicTask<boolean>;

  constructor(config: TrustedSigstoreRoot, deps: SigstoreRootDeps) {
    this.#config = config;
    this.#deps = deps;
    this.#current = config.root;
    const tuf = config.tuf;
    this.#client =
      tuf === null
        ? null
        : new TufClient({
            download: deps.download,
            store: directoryStore(deps.dir),
            initialRoot: Buffer.from(tuf.initialRoot, 'utf8'),
            warn: (message) => deps.log.warn({ err: message, repository: tuf.url }, 'the stored TUF root does not verify; walking the chain of roots again'),
          });
    this.#task = new PeriodicTask(() => this.#refresh(), tuf?.refreshMs ?? 0);
  }

  /** The root to check against now. */
  readonly current = (): TrustedRoot => this.#current;

  /** Loads the last verified root (if any), then refreshes in the background, now and every `refresh`. */
  async start(): Promise<void> {
    const tuf = this.#config.tuf;
    if (tuf === null || this.#client === null) return;
    const stored = await directoryStore(this.#deps.dir).read(`targets/${TRUSTED_ROOT_TARGET}`);
    if (stored !== null) this.#adopt(stored, 'the last verified copy');
    void this.refresh();
    this.#task.start();
  }

  /**
   * One TUF update: true when the verified root is new. Never throws; a failure is logged and
   * the current root stays. Concurrent calls share one update.
   */
  refresh(): Promise<boolean> {
    return this.#task.run();
  }

  async #refresh(): Promise<boolean> {
    const client = this.#client;
    const tuf = this.#config.tuf;
    if (client === null || tuf === null) return false;
    try {
      const targets = await client.refresh();
      const bytes = await client.target(targets, TRUSTED_ROOT_TARGET);
      return this.#adopt(bytes, `the TUF repository ${tuf.url} (root version ${client.rootVersion ?? '?'})`);
    } catch (err) {
      this.#deps.log.warn({ err: err instanceof Error ? err.message : String(err), repository: tuf.url }, 'could not update the Sigstore trusted root through TUF; keeping the current one');
      return false;
    }
  }

  /** Uses `bytes` as the root if they parse and differ from the current root's. */
  #adopt(bytes: Buffer, from: string): boolean {
    if (this.#bytes !== null && this.#bytes.equals(bytes)) return false;
    let root: TrustedRoot;
    try {
      root = parseTrustedRoot(JSON.parse(bytes.toString('utf8')));
    } catch (err) {
      this.#deps.log.warn({ err: err instanceof Error ? err.message : String(err), from }, 'a verified Sigstore trusted root does not parse; keeping the current one');
      return false;
    }
    this.#current = root;
    this.#bytes = bytes;
    this.#deps.log.info({ from, digest: createHash('sha256').update(bytes).digest('hex').slice(0, 16), logs: root.tlogs.length, authorities: root.certificateAuthorities.length, ctLogs: root.ctlogs.length, timestampAuthorities: root.timestampAuthorities.length }, 'Sigstore trusted root updated');
    this.#deps.onChange();
    return true;
  }

  close(): Promise<void> {
    return this.#task.stop();
  }
}
