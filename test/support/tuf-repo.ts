/**
 * A TUF repository for tests, in the real format (TUF 1.0 metadata: `{signed, signatures}`,
 * Ed25519 keys, canonical-JSON signatures, consistent snapshots with `N.root.json`,
 * `N.snapshot.json`, `N.targets.json` and `targets/<folders>/<sha256>.<name>`), kept in memory and
 * optionally served over HTTP or HTTPS. Publishing a target moves targets, snapshot and timestamp on;
 * a root rotation signs the new root with the old keys and the new. `files` is open for tests
 * that play an attacker (replace or remove a file).
 */
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { digestHex, sha256Of } from '../../src/core/index.ts';
import { canonicalJson, ROLES, type RoleName as Role } from '../../src/verify/tuf/metadata.ts';

interface Key {
  readonly id: string;
  readonly json: Record<string, unknown>;
  readonly privateKey: KeyObject;
}

function newKey(): Key {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex');
  const json = { keytype: 'ed25519', scheme: 'ed25519', keyval: { public: raw } };
  return { id: createHash('sha256').update(canonicalJson(json)).digest('hex'), json, privateKey };
}

const DAY = 86_400_000;
const sha256 = (b: Buffer): string => digestHex(sha256Of(b));

export interface TufRepoOptions {
  /** When each role's metadata expires, from now (default 30 days). */
  readonly expiresInMs?: Partial<Record<Role, number>>;
}

export class TestTufRepo {
  /** Every file the repository serves, by path. */
  readonly files = new Map<string, Buffer>();
  #keys: Record<Role, Key[]> = { root: [newKey(), newKey()], timestamp: [newKey()], snapshot: [newKey()], targets: [newKey()] };
  #rootVersion = 0;
  #version = { timestamp: 0, snapshot: 0, targets: 0 };
  readonly #targets = new Map<string, Buffer>();
  readonly #expires: Record<Role, number>;
  #server: Server | null = null;

  constructor(options: TufRepoOptions = {}) {
    this.#expires = { root: 30 * DAY, timestamp: 30 * DAY, snapshot: 30 * DAY, targets: 30 * DAY, ...options.expiresInMs };
    this.#writeRoot(this.#keys.root);
    this.#publish();
  }

  /** The first root: what a client trusts out of band. */
  get initialRoot(): Buffer {
    return this.files.get('1.root.json') as Buffer;
  }

  #metadata(signed: Record<string, unknown>, signers: readonly Key[]): Buffer {
    const bytes = Buffer.from(canonicalJson(signed));
    const signatures = signers.map((k) => ({ keyid: k.id, sig: sign(null, bytes, k.privateKey).toString('hex') }));
    return Buffer.from(JSON.stringify({ signatures, signed }, null, 1));
  }

  #expiry(role: Role): string {
    return new Date(Date.now() + this.#expires[role]).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  /** Writes the next root version with the current keys, signed by `signers` (the old root keys and the new). */
  #writeRoot(signers: readonly Key[]): void {
    this.#rootVersion++;
    const keys: Record<string, unknown> = {};
    const roles: Record<string, unknown> = {};
    for (const r of ROLES) {
      for (const k of this.#keys[r]) keys[k.id] = k.json;
      roles[r] = { keyids: this.#keys[r].map((k) => k.id), threshold: r === 'root' ? 2 : 1 };
    }
    const signed = { _type: 'root', spec_version: '1.0.31', version: this.#rootVersion, expires: this.#expiry('root'), keys, roles, consistent_snapshot: true };
    this.files.set(`${this.#rootVersion}.root.json`, this.#metadata(signed, signers));
  }

  /** New targets, snapshot and timestamp versions listing the current targets. */
  #publish(): void {
    const targets: Record<string, unknown> = {};
    for (const [name, bytes] of this.#targets) {
      targets[name] = { length: bytes.length, hashes: { sha256: sha256(bytes), sha512: createHash('sha512').update(bytes).digest('hex') } };
      // The hash prefixes the file's own name, inside the target's folders (TUF §5.7.3).
      const slash = name.lastIndexOf('/');
      this.files.set(`targets/${name.slice(0, slash + 1)}${sha256(bytes)}.${name.slice(slash + 1)}`, bytes);
    }
    const v = this.#version;
    v.targets++;
    const targetsFile = this.#metadata({ _type: 'targets', spec_version: '1.0.31', version: v.targets, expires: this.#expiry('targets'), targets }, this.#keys.targets);
    this.files.set(`${v.targets}.targets.json`, targetsFile);
    v.snapshot++;
    const snapshotFile = this.#metadata(
      { _type: 'snapshot', spec_version: '1.0.31', version: v.snapshot, expires: this.#expiry('snapshot'), meta: { 'targets.json': { version: v.targets, length: targetsFile.length, hashes: { sha256: sha256(targetsFile) } } } },
      this.#keys.snapshot,
    );
    this.files.set(`${v.snapshot}.snapshot.json`, snapshotFile);
    v.timestamp++;
    const timestamp = this.#metadata(
      { _type: 'timestamp', spec_version: '1.0.31', version: v.timestamp, expires: this.#expiry('timestamp'), meta: { 'snapshot.json': { version: v.snapshot, length: snapshotFile.length, hashes: { sha256: sha256(snapshotFile) } } } },
      this.#keys.timestamp,
    );
    this.files.set('timestamp.json', timestamp);
  }

  /** Publishes (or replaces) a target. */
  publish(name: string, bytes: Buffer): void {
    this.#targets.set(name, bytes);
    this.#publish();
  }

  /**
   * A new root version: fresh keys for `roles` (all four by default), signed by the old root
   * keys and the new; the other metadata is signed again with the new keys.
   */
  rotate(roles: readonly Role[] = ROLES): void {
    const oldRoot = this.#keys.root;
    this.#keys = { ...this.#keys };
    for (const r of roles) this.#keys[r] = r === 'root' ? [newKey(), newKey()] : [newKey()];
    this.#writeRoot([...oldRoot, ...(roles.includes('root') ? this.#keys.root : [])]);
    this.#publish();
  }

  /** A root version signed only by keys the trusted root does not know (an attacker's). */
  forgeRoot(): void {
    const real = this.#keys;
    this.#keys = { root: [newKey(), newKey()], timestamp: [newKey()], snapshot: [newKey()], targets: [newKey()] };
    this.#writeRoot(this.#keys.root);
    this.#keys = real;
  }

  /** The current file at `path`, for tests that keep it to replay it later. */
  file(path: string): Buffer {
    const f = this.files.get(path);
    if (f === undefined) throw new Error(`no ${path}`);
    return f;
  }

  /** Downloads as a TUF client's fetcher would (null for a missing file). */
  download = async (path: string, maxBytes: number): Promise<Buffer | null> => {
    const f = this.files.get(path);
    if (f === undefined) return null;
    if (f.length > maxBytes) throw new Error(`${path} is larger than ${maxBytes} bytes`);
    return f;
  };

  /**
   * Serves the files over HTTP, or HTTPS with `tls` (PEM files), on `host` (default loopback);
   * the base URL (with a trailing slash).
   */
  async serve(options: { readonly host?: string; readonly tls?: { readonly key: string; readonly cert: string } } = {}): Promise<string> {
    const handle = (req: IncomingMessage, res: ServerResponse): void => {
      const path = decodeURIComponent((req.url ?? '/').replace(/^\/+/, '').split('?')[0] ?? '');
      const f = this.files.get(path);
      if (f === undefined) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': f.length }).end(f);
    };
    const tls = options.tls;
    const server = tls === undefined ? createServer(handle) : createHttpsServer({ key: readFileSync(tls.key), cert: readFileSync(tls.cert) }, handle);
    const host = options.host ?? '127.0.0.1';
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
    this.#server = server;
    return `${tls === undefined ? 'http' : 'https'}://${host}:${(server.address() as AddressInfo).port}/`;
  }

  async close(): Promise<void> {
    const s = this.#server;
    if (s === null) return;
    // Clients keep connections alive: close them, or close() waits for them.
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
