/**
 * A TUF client (specification 1.0, §5 "Detailed client workflow") for one repository: it brings
 * its trusted metadata up to date — the root through each version in turn, then timestamp,
 * snapshot and targets — and downloads a target file whose length and hashes the targets role
 * vouches for. Only top-level targets are looked up (delegations are not followed).
 *
 * What it defends against, as the specification asks: arbitrary software and metadata (threshold
 * signatures by the keys the trusted root names for each role), rollback (versions never go
 * back; the timestamp's snapshot version and the snapshot's targets versions neither), freeze
 * (expired metadata is refused once it is the newest), mix-and-match (the snapshot and targets
 * files must be the versions, lengths and hashes the role above them lists), endless data (every
 * download is capped) and key compromise through root rotation (each new root is signed by the
 * previous root's keys and its own). Anything wrong stops the update with a TufError that names
 * the file and the check; what was trusted before stays trusted.
 */
import { createHash } from 'node:crypto';
import { isoTime } from '../sigstore/fields.ts';
import { parseMetadata, thresholdProblem, TufError, type Envelope, type MetaFile, type Root, type Snapshot, type Targets, type Timestamp } from './metadata.ts';

export { TufError } from './metadata.ts';

/** Fetches a repository file: its bytes, null when the repository does not have it (404), at most `maxBytes` (else it throws). */
export type TufFetcher = (path: string, maxBytes: number) => Promise<Buffer | null>;

/** Where trusted metadata and targets are kept between runs (`root.json`, `timestamp.json`, …, `targets/<name>`). */
export interface TufStore {
  read(name: string): Promise<Buffer | null>;
  /** Replaces the file atomically. */
  write(name: string, bytes: Buffer): Promise<void>;
  remove(name: string): Promise<void>;
}

export interface TufClientOptions {
  readonly download: TufFetcher;
  readonly store: TufStore;
  /** The root trusted out of band (shipped with Airlock, or given by the operator): where the chain starts when the store has none. */
  readonly initialRoot: Buffer;
  readonly clock?: () => Date;
  /** Told when the stored root.json is put aside (it no longer reads or verifies). */
  readonly warn?: (message: string) => void;
}

const LIMITS = {
  root: 512 * 1024,
  timestamp: 16 * 1024,
  snapshot: 2 * 1024 * 1024,
  targets: 8 * 1024 * 1024,
  target: 16 * 1024 * 1024,
  /** Root versions taken in one update. */
  rootRotations: 1024,
} as const;

function fail(message: string): never {
  throw new TufError(message);
}

function checkLengthAndHashes(bytes: Buffer, meta: { readonly length: number | null; readonly hashes: Readonly<Record<string, string>> | null }, file: string): void {
  if (meta.length !== null && bytes.length !== meta.length) fail(`${file} is ${bytes.length} bytes, not the ${meta.length} listed for it`);
  for (const [alg, hex] of Object.entries(meta.hashes ?? {})) {
    if (alg !== 'sha256' && alg !== 'sha512') continue;
    if (createHash(alg).update(bytes).digest('hex') !== hex) fail(`${file}'s ${alg} is not the one listed for it`);
  }
}

export class TufClient {
  readonly #o: TufClientOptions;
  #root: Envelope<Root> | null = null;

  constructor(options: TufClientOptions) {
    this.#o = options;
  }

  /** The newest trusted root version (after `refresh`). */
  get rootVersion(): number | null {
    return this.#root?.signed.version ?? null;
  }

  async #trustedRoot(): Promise<Envelope<Root>> {
    if (this.#root !== null) return this.#root;
    // The stored root was verified when it was stored. One that no longer reads (a torn write, a
    // disk error, an edit by hand) is put aside and the chain walked again from the initial
    // root, as on a first start: every newer root must still be signed by the one before it.
    const stored = await this.#o.store.read('root.json');
    if (stored !== null) {
      try {
        this.#root = selfSignedRoot(stored, 'the stored root.json');
        return this.#root;
      } catch (err) {
        this.#o.warn?.(`${err instanceof Error ? err.message : String(err)}; starting again from the initial root.json`);
        await this.#o.store.remove('root.json');
      }
    }
    // The initial root is trusted as it is, but must at least be signed by its own keys (a
    // corrupt copy is refused, not trusted).
    this.#root = selfSignedRoot(this.#o.initialRoot, 'the initial root.json');
    return this.#root;
  }

  async #stored<T extends Timestamp | Snapshot | Targets>(name: string, type: T['type'], root: Root): Promise<Envelope<T> | null> {
    const bytes = await this.#o.store.read(name);
    if (bytes === null) return null;
    try {
      const env = parseMetadata<T>(bytes, type, `the stored ${name}`);
      // Stored under an older root whose keys have since changed: not trusted for rollback checks.
      return thresholdProblem(env, root, type, name) === null ? env : null;
    } catch {
      return null;
    }
  }

  /** §5.3: each newer root in turn, signed by the root before it and by itself. */
  async #updateRoot(now: number): Promise<Envelope<Root>> {
    let trusted = await this.#trustedRoot();
    for (let i = 0; i < LIMITS.rootRotations; i++) {
      const n = trusted.signed.version + 1;
      const file = `${n}.root.json`;
      const bytes = await this.#o.download(file, LIMITS.root);
      if (bytes === null) break;
      const next = parseMetadata<Root>(bytes, 'root', file);
      const byOld = thresholdProblem(next, trusted.signed, 'root', file);
      if (byOld !== null) fail(`${byOld} (the previous root's keys)`);
      const byNew = thresholdProblem(next, next.signed, 'root', file);
      if (byNew !== null) fail(`${byNew} (its own keys)`);
      if (next.signed.version !== n) fail(`${file} is version ${next.signed.version}`);
      const rotated = (['timestamp', 'snapshot'] as const).some((r) => keysChanged(trusted.signed, next.signed, r));
      trusted = next;
      this.#root = next;
      await this.#o.store.write('root.json', bytes);
      // §5.3.11: new timestamp or snapshot keys make the old files useless for rollback checks (a
      // compromised key could have signed versions far ahead).
      if (rotated) {
        await this.#o.store.remove('timestamp.json');
        await this.#o.store.remove('snapshot.json');
      }
    }
    if (trusted.signed.expires <= now) fail(`the newest root (version ${trusted.signed.version}) expired at ${isoTime(trusted.signed.expires)}`);
    return trusted;
  }

  /**
   * Brings the trusted metadata up to date (§5.3–5.6). Returns the trusted targets. Throws a
   * TufError (the repository is wrong, or could be an attacker) or the fetcher's error; the
   * metadata trusted before stays in the store.
   */
  async refresh(): Promise<Targets> {
    const now = (this.#o.clock ?? (() => new Date()))().getTime();
    const root = (await this.#updateRoot(now)).signed;

    // §5.4 timestamp
    const tsBytes = await this.#o.download('timestamp.json', LIMITS.timestamp);
    if (tsBytes === null) fail('the repository has no timestamp.json');
    const ts = parseMetadata<Timestamp>(tsBytes, 'timestamp', 'timestamp.json');
    const tsWhy = thresholdProblem(ts, root, 'timestamp', 'timestamp.json');
    if (tsWhy !== null) fail(tsWhy);
    const oldTs = await this.#stored<Timestamp>('timestamp.json', 'timestamp', root);
    if (oldTs !== null) {
      if (ts.signed.version < oldTs.signed.version) fail(`timestamp.json is version ${ts.signed.version}, older than the trusted ${oldTs.signed.version} (a rollback)`);
      if (ts.signed.snapshot.version < oldTs.signed.snapshot.version) fail(`timestamp.json names snapshot version ${ts.signed.snapshot.version}, older than the trusted ${oldTs.signed.snapshot.version} (a rollback)`);
    }
    if (ts.signed.expires <= now) fail(`timestamp.json expired at ${isoTime(ts.signed.expires)} (a freeze, or the repository has stopped)`);
    await this.#o.store.write('timestamp.json', tsBytes);

    // §5.5 snapshot
    const snapMeta = ts.signed.snapshot;
    const snapFile = root.consistentSnapshot ? `${snapMeta.version}.snapshot.json` : 'snapshot.json';
    const snap = await this.#downloadListed<Snapshot>(snapFile, 'snapshot', snapMeta, LIMITS.snapshot, root);
    const oldSnap = await this.#stored<Snapshot>('snapshot.json', 'snapshot', root);
    if (oldSnap !== null) {
      for (const [name, m] of oldSnap.signed.meta) {
        const listed = snap.env.signed.meta.get(name);
        if (listed === undefined) fail(`${snapFile} no longer lists ${name} (a rollback)`);
        if (listed.version < m.version) fail(`${snapFile} lists ${name} version ${listed.version}, older than the trusted ${m.version} (a rollback)`);
      }
    }
    if (snap.env.signed.expires <= now) fail(`${snapFile} expired at ${isoTime(snap.env.signed.expires)}`);
    await this.#o.store.write('snapshot.json', snap.bytes);

    // §5.6 targets
    const targetsMeta = snap.env.signed.meta.get('targets.json');
    if (targetsMeta === undefined) fail(`${snapFile} does not list targets.json`);
    const targetsFile = root.consistentSnapshot ? `${targetsMeta.version}.targets.json` : 'targets.json';
    const targets = await this.#downloadListed<Targets>(targetsFile, 'targets', targetsMeta, LIMITS.targets, root);
    if (targets.env.signed.expires <= now) fail(`${targetsFile} expired at ${isoTime(targets.env.signed.expires)}`);
    await this.#o.store.write('targets.json', targets.bytes);
    return targets.env.signed;
  }

  /** A snapshot or targets file: the version, length and hashes its parent lists, signed by its role. */
  async #downloadListed<T extends Snapshot | Targets>(file: string, type: T['type'], meta: MetaFile, max: number, root: Root): Promise<{ env: Envelope<T>; bytes: Buffer }> {
    const bytes = await this.#o.download(file, meta.length ?? max);
    if (bytes === null) fail(`the repository has no ${file}`);
    checkLengthAndHashes(bytes, meta, file);
    const env = parseMetadata<T>(bytes, type, file);
    const why = thresholdProblem(env, root, type, file);
    if (why !== null) fail(why);
    if (env.signed.version !== meta.version) fail(`${file} is version ${env.signed.version}, not the ${meta.version} listed for it`);
    return { env, bytes };
  }

  /** The copy of a target kept when it was last verified, if any: what a start without the repository begins from. */
  storedTarget(name: string): Promise<Buffer | null> {
    return this.#o.store.read(storedTargetName(name));
  }

  /**
   * A target the trusted targets role lists (§5.7), from the store when the stored copy still
   * matches, else downloaded (a consistent snapshot's `targets/<hash>.<name>`) and stored.
   */
  async target(targets: Targets, name: string): Promise<Buffer> {
    const info = targets.targets.get(name);
    if (info === undefined) fail(`the targets role does not list ${name}`);
    if (info.length > LIMITS.target) fail(`${name} is listed at ${info.length} bytes (at most ${LIMITS.target} are taken)`);
    const storeName = storedTargetName(name);
    const stored = await this.#o.store.read(storeName);
    if (stored !== null) {
      try {
        checkLengthAndHashes(stored, info, name);
        return stored;
      } catch {
        // Stale: download the listed one.
      }
    }
    const root = (await this.#trustedRoot()).signed;
    const hash = info.hashes['sha256'] ?? info.hashes['sha512'];
    const slash = name.lastIndexOf('/');
    const path = root.consistentSnapshot ? `targets/${name.slice(0, slash + 1)}${hash}.${name.slice(slash + 1)}` : `targets/${name}`;
    const bytes = await this.#o.download(path, info.length);
    if (bytes === null) fail(`the repository has no ${path}`);
    checkLengthAndHashes(bytes, info, name);
    await this.#o.store.write(storeName, bytes);
    return bytes;
  }
}

/** Where a verified target is kept in the store. */
function storedTargetName(name: string): string {
  return `targets/${name.replace(/[^A-Za-z0-9._-]/g, '_')}`;
}

function selfSignedRoot(bytes: Buffer, what: string): Envelope<Root> {
  const root = parseMetadata<Root>(bytes, 'root', what);
  const why = thresholdProblem(root, root.signed, 'root', what);
  if (why !== null) fail(why);
  return root;
}

function keysChanged(a: Root, b: Root, role: 'timestamp' | 'snapshot'): boolean {
  const x = a.roles[role];
  const y = b.roles[role];
  return x.threshold !== y.threshold || x.keyids.length !== y.keyids.length || x.keyids.some((k) => !y.keyids.includes(k));
}
