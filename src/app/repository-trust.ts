/**
 * What a repository trusts that can change after it starts: the Sigstore trusted root npm
 * attestations are checked against, and the keys of the registry's signatures. Each is kept
 * current through a TUF repository when the configuration asks for it (`sigstoreTrustedRoot:
 * tuf`, or a private repository; `registryKeys: tuf`): Sigstore adds log shards, timestamp
 * authorities and CAs over time, a registry rotates its signing key, and what was frozen at
 * install time checks less and less. The TUF client verifies the chain of roots and each target;
 * the verified copies and the metadata are kept under the data directory, so a restart without
 * network starts from the last good ones. Refreshes run in the background (at start, then every
 * `refresh`): a failure is logged and the current root and keys kept — never what the update did
 * not verify. When either changes, cached verdicts are dropped.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { UpstreamClient } from '../upstream/index.ts';
import { isAirlockError, PeriodicTask } from '../core/index.ts';
import { parseTrustedRoot, registryKeySet, registryKeysOf, TufClient, type RegistryKey, type RegistryKeySet, type TrustedRoot, type TufFetcher, type TufStore } from '../verify/index.ts';
import { sigstoreTuf } from './config/schema.ts';
import type { ProxyRepositoryConfig, TrustedRegistryKeys, TrustedSigstoreRoot } from './config/types.ts';
import type { ServiceLogger } from './services.ts';

export interface RepositoryTrustDeps {
  /** Where the TUF metadata and the verified targets are kept (under the data directory). */
  readonly dir: string;
  readonly log: Pick<ServiceLogger, 'info' | 'warn'>;
  /** The root or the keys changed: verdicts that depend on them are stale. */
  readonly onChange: () => void;
  /** How the TUF repository's files are downloaded (`upstreamFetcher`). */
  readonly download: TufFetcher;
}

/** What a repository trusts, and the TUF repository that keeps some of it current. */
export interface TrustSettings {
  readonly sigstore: TrustedSigstoreRoot;
  readonly keys: TrustedRegistryKeys;
  /** The TUF repository: the one `sigstoreTrustedRoot` names, else Sigstore's when the keys come from TUF; null when nothing does. */
  readonly tuf: TufSource | null;
  /** The target the registry's keys are read from, when they are. */
  readonly keysTarget: string | null;
}

type TufSource = NonNullable<TrustedSigstoreRoot['tuf']>;

/** A repository's trust settings, with the TUF repository and the keys target resolved (`<upstream host>/keys.json` by default). */
export function trustSettings(repo: Pick<ProxyRepositoryConfig, 'upstream' | 'registryKeys' | 'sigstoreRoot'>): TrustSettings {
  const keys = repo.registryKeys;
  const keysTarget = keys.tuf === null ? null : (keys.tuf.target ?? `${new URL(repo.upstream).hostname}/keys.json`);
  const tuf = repo.sigstoreRoot.tuf ?? (keysTarget === null ? null : sigstoreTuf());
  return { sigstore: repo.sigstoreRoot, keys, tuf, keysTarget };
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

/** For a repository that keeps nothing current through TUF: nothing is ever downloaded. */
export const noDownloads: TufFetcher = async (file) => {
  throw new Error(`${file}: no TUF repository is configured`);
};

/** One thing kept current through TUF: its target, and how verified bytes are taken. */
interface Kept {
  readonly target: string;
  /** "the Sigstore trusted root", "the registry keys": for the log lines. */
  readonly what: string;
  /** Takes verified bytes; true when they changed what is trusted. Never throws (logs what does not parse). */
  adopt(bytes: Buffer, from: string): boolean;
}

export class RepositoryTrust {
  #root: TrustedRoot;
  #signatureKeys: RegistryKeySet;
  #attestationKeys: RegistryKeySet;
  readonly #settings: TrustSettings;
  readonly #deps: RepositoryTrustDeps;
  readonly #client: TufClient | null;
  readonly #kept: readonly Kept[];
  readonly #task: PeriodicTask<boolean>;

  constructor(settings: TrustSettings, deps: RepositoryTrustDeps) {
    this.#settings = settings;
    this.#deps = deps;
    this.#root = settings.sigstore.root;
    this.#signatureKeys = registryKeySet(settings.keys.listed, 'npm:signatures');
    this.#attestationKeys = registryKeySet(settings.keys.listed, 'npm:attestations');
    const tuf = settings.tuf;
    this.#client =
      tuf === null
        ? null
        : new TufClient({
            download: deps.download,
            store: directoryStore(deps.dir),
            initialRoot: Buffer.from(tuf.initialRoot, 'utf8'),
            warn: (message) => deps.log.warn({ err: message, repository: tuf.url }, 'the stored TUF root does not verify; walking the chain of roots again'),
          });
    const kept: Kept[] = [];
    if (tuf !== null && settings.sigstore.tuf !== null) kept.push({ target: TRUSTED_ROOT_TARGET, what: 'the Sigstore trusted root', adopt: adoptOnce((bytes, from) => this.#adoptRoot(bytes, from)) });
    if (tuf !== null && settings.keysTarget !== null) {
      const target = settings.keysTarget;
      kept.push({ target, what: 'the registry keys', adopt: adoptOnce((bytes, from) => this.#adoptKeys(bytes, target, from)) });
    }
    this.#kept = kept;
    this.#task = new PeriodicTask(() => this.#refresh(), tuf?.refreshMs ?? 0);
  }

  /** The Sigstore root to check attestations against now. */
  readonly sigstoreRoot = (): TrustedRoot => this.#root;
  /** The keys trusted for `dist.signatures` now. */
  readonly signatureKeys = (): RegistryKeySet => this.#signatureKeys;
  /** The keys trusted for the registry's publish attestations now. */
  readonly attestationKeys = (): RegistryKeySet => this.#attestationKeys;

  /** Loads the last verified copies (if any), then refreshes in the background, now and every `refresh`. */
  async start(): Promise<void> {
    const client = this.#client;
    if (client === null) return;
    for (const k of this.#kept) {
      const stored = await client.storedTarget(k.target);
      if (stored !== null) k.adopt(stored, 'the last verified copy');
    }
    void this.refresh();
    this.#task.start();
  }

  /**
   * One TUF update: true when the root or the keys changed. Never throws; a failure is logged
   * and what is trusted stays. Concurrent calls share one update.
   */
  refresh(): Promise<boolean> {
    return this.#task.run();
  }

  async #refresh(): Promise<boolean> {
    const client = this.#client;
    const tuf = this.#settings.tuf;
    if (client === null || tuf === null) return false;
    const message = (what: string): string => `could not update ${what} through TUF; keeping the current ${what.endsWith('keys') ? 'ones' : 'one'}`;
    const fail = (what: string, err: unknown): void => this.#deps.log.warn({ err: err instanceof Error ? err.message : String(err), repository: tuf.url }, message(what));
    let targets;
    try {
      targets = await client.refresh();
    } catch (err) {
      fail(this.#kept.map((k) => k.what).join(' and '), err);
      return false;
    }
    let changed = false;
    for (const k of this.#kept) {
      try {
        const bytes = await client.target(targets, k.target);
        if (k.adopt(bytes, `the TUF repository ${tuf.url} (root version ${client.rootVersion ?? '?'})`)) changed = true;
      } catch (err) {
        fail(k.what, err);
      }
    }
    return changed;
  }

  /** Uses `bytes` as the root if they parse. */
  #adoptRoot(bytes: Buffer, from: string): boolean {
    let root: TrustedRoot;
    try {
      root = parseTrustedRoot(JSON.parse(bytes.toString('utf8')));
    } catch (err) {
      this.#deps.log.warn({ err: err instanceof Error ? err.message : String(err), from }, 'a verified Sigstore trusted root does not parse; keeping the current one');
      return false;
    }
    this.#root = root;
    this.#deps.log.info({ from, digest: shortDigest(bytes), logs: root.tlogs.length, authorities: root.certificateAuthorities.length, ctLogs: root.ctlogs.length, timestampAuthorities: root.timestampAuthorities.length }, 'Sigstore trusted root updated');
    this.#deps.onChange();
    return true;
  }

  /** Trusts the keys in `bytes` (a TUF `keys.json`) beside the configured ones, if they parse. */
  #adoptKeys(bytes: Buffer, target: string, from: string): boolean {
    let keys: RegistryKey[];
    try {
      keys = [...this.#settings.keys.listed, ...registryKeysOf(JSON.parse(bytes.toString('utf8')), `the TUF target ${target}`)];
    } catch (err) {
      this.#deps.log.warn({ err: err instanceof Error ? err.message : String(err), from }, 'verified registry keys do not parse; keeping the current ones');
      return false;
    }
    this.#signatureKeys = registryKeySet(keys, 'npm:signatures');
    this.#attestationKeys = registryKeySet(keys, 'npm:attestations');
    this.#deps.log.info({ from, target, digest: shortDigest(bytes), signatureKeys: this.#signatureKeys.size, attestationKeys: this.#attestationKeys.size }, 'registry keys updated');
    this.#deps.onChange();
    return true;
  }

  close(): Promise<void> {
    return this.#task.stop();
  }
}

/** An adopt step that takes the same bytes once: an unchanged target is no change. */
function adoptOnce(adopt: (bytes: Buffer, from: string) => boolean): Kept['adopt'] {
  let taken: Buffer | null = null;
  return (bytes, from) => {
    if (taken !== null && taken.equals(bytes)) return false;
    if (!adopt(bytes, from)) return false;
    taken = bytes;
    return true;
  };
}

function shortDigest(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 16);
}
