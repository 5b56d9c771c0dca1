/**
 * Debian's real registry (CNCF distribution) as the upstream, behind the fixture front that logs
 * and injects faults (test/support/oci), Airlock proxying it with the built-in policy, and the
 * real skopeo pointed at Airlock only.
 */
import { generateKeyPairSync, createHash, type KeyObject } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAirlock, type StartedAirlock } from '../../support/start-airlock.ts';
import { pushLayout, skopeo, startRegistry, writeLayout, type FixtureRegistry, type LayoutEntry, type RegistryOptions, type SkopeoOptions, type SkopeoResult } from '../../support/oci/index.ts';
import { adminGet, airlockCli } from '../npm/support.ts';

/** The repository's name: images are `<airlock host>/containers/<name>`. */
export const REPO = 'containers';

/** A cosign key pair whose public key is a PEM file, and the proxy options that make `signed/*` images need its signature. */
export interface ImageSigner {
  readonly privateKey: KeyObject;
  /** `ociE2e`'s options: the key in the repository's `cosignKeys`, the policy's `image_signers` naming it. */
  readonly options: { readonly config: Record<string, unknown>; readonly top: Record<string, unknown> };
  /** Removes the key's folder. */
  close(): Promise<void>;
}

export async function imageSigner(): Promise<ImageSigner> {
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const dir = await mkdtemp(join(tmpdir(), 'airlock-cosign-key-'));
  const keyFile = join(dir, 'release.pub.pem');
  await writeFile(keyFile, pem);
  const hint = createHash('sha256').update(pem).digest('hex');
  return {
    privateKey: pair.privateKey,
    options: { config: { cosignKeys: [keyFile] }, top: { policy: { data: { airlock: { settings: { image_signers: [{ images: ['signed/*'], key_hint: hint }] } } } } } },
    close: () => rm(dir, { recursive: true, force: true }),
  };
}

export interface OciE2e {
  readonly registry: FixtureRegistry;
  readonly airlock: StartedAirlock;
  /** `127.0.0.1:<port>` of Airlock. */
  readonly host: string;
  readonly tmp: string;
  /** Pushes layout entries straight to the registry (not through Airlock), under `name:<entry ref>`. */
  seed(name: string, entries: readonly LayoutEntry[]): Promise<void>;
  /** `skopeo copy` of `<airlock>/containers/<ref>` into a fresh layout; the result, and the layout's directory. */
  pull(ref: string, options?: SkopeoOptions & { readonly all?: boolean; readonly creds?: string }): Promise<SkopeoResult & { readonly dir: string }>;
  /** `skopeo inspect --raw` of `<airlock>/containers/<ref>`. */
  inspectRaw(ref: string, options?: SkopeoOptions): Promise<SkopeoResult>;
  cli(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }>;
  api(path: string): Promise<unknown>;
  close(): Promise<void>;
}

let layouts = 0;

/**
 * Debian's registry and Airlock proxying it as `containers` (with `config` added to that
 * repository, `top` to the configuration, and `repositories` after it: hosted ones, groups).
 */
export async function ociE2e(
  options: { readonly config?: Record<string, unknown>; readonly top?: Record<string, unknown>; readonly repositories?: readonly Record<string, unknown>[]; readonly registry?: RegistryOptions; readonly dataDir?: string; readonly env?: NodeJS.ProcessEnv } = {},
): Promise<OciE2e> {
  const registry = await startRegistry(options.registry ?? {});
  const tmp = await mkdtemp(join(tmpdir(), 'airlock-e2e-oci-'));
  let airlock: StartedAirlock;
  try {
    airlock = await startAirlock({
      config: { ...options.top, repositories: [{ name: REPO, format: 'oci', upstream: `${registry.url}/`, ...options.config }, ...(options.repositories ?? [])] },
      ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
      ...(options.env === undefined ? {} : { env: options.env }),
    });
  } catch (err) {
    await registry.close();
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  const host = new URL(airlock.url).host;
  return {
    registry,
    airlock,
    host,
    tmp,
    async seed(name, entries) {
      const dir = join(tmp, `seed-${++layouts}`);
      await writeLayout(dir, entries);
      for (const e of entries) await pushLayout(dir, e.ref, `${registry.directHost}/${name}:${e.ref}`);
    },
    async pull(ref, o = {}) {
      const dir = join(tmp, `pulled-${++layouts}`);
      const args = ['copy', '--src-tls-verify=false', ...(o.all === true ? ['--all'] : []), ...(o.creds === undefined ? [] : ['--src-creds', o.creds]), `docker://${host}/${REPO}/${ref}`, `oci:${dir}:out`];
      return { ...(await skopeo(args, o)), dir };
    },
    inspectRaw: (ref, o = {}) => skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${host}/${REPO}/${ref}`], o),
    cli: (args) => airlockCli(args, { AIRLOCK_SERVER: airlock.url, AIRLOCK_TOKEN: airlock.adminToken }),
    api: (path) => adminGet(airlock, path),
    async close() {
      await airlock.close();
      await registry.close();
      await rm(tmp, { recursive: true, force: true });
    },
  };
}
