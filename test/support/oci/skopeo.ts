/**
 * The real skopeo, run hermetically: every call gets a throwaway HOME and XDG directories, its
 * own accept-anything policy, an empty registries.conf (or the given one), no registries.d, no
 * auth file but the given one — and its blob-info cache in the throwaway directory, so no run
 * remembers blobs from another (skopeo would otherwise try cross-repo mounts it learnt earlier).
 *
 * Measured on skopeo 1.9.3: `CONTAINERS_REGISTRIES_CONF` is ignored (the hidden global flag
 * `--registries-conf` works), and as root the blob-info cache is always
 * /var/lib/containers/cache unless `_CONTAINERS_ROOTLESS_UID` says the user is not root, which
 * moves it under `XDG_DATA_HOME`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand, type CommandResult } from '../run-command.ts';

export interface SkopeoOptions {
  /** A registries.conf (e.g. from `mirrorRegistriesConf`); default an empty one. */
  readonly registriesConf?: string;
  /** An auth.json (`{"auths":{"host":{"auth":"<base64 user:pass>"}}}`); default none. */
  readonly authfile?: string;
  /** Killed after this long (default 60 s); the result then has code -1. */
  readonly timeoutMs?: number;
  /** Extra environment. */
  readonly env?: Readonly<Record<string, string>>;
}

export type SkopeoResult = CommandResult;

/** Runs `skopeo <args>` hermetically; resolves with its exit code and output whatever the code. */
export async function skopeo(args: readonly string[], options: SkopeoOptions = {}): Promise<SkopeoResult> {
  const home = await mkdtemp(join(tmpdir(), 'airlock-skopeo-'));
  try {
    const dirs = { data: join(home, 'data'), config: join(home, 'config'), run: join(home, 'run'), cache: join(home, 'cache'), tmp: join(home, 'tmp'), registriesD: join(home, 'registries.d') };
    for (const d of Object.values(dirs)) await mkdir(d, { mode: 0o700 });
    const policy = join(home, 'policy.json');
    await writeFile(policy, '{"default":[{"type":"insecureAcceptAnything"}]}');
    let registriesConf = options.registriesConf;
    if (registriesConf === undefined) {
      registriesConf = join(home, 'registries.conf');
      await writeFile(registriesConf, '');
    }
    const env: NodeJS.ProcessEnv = {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: home,
      XDG_DATA_HOME: dirs.data,
      XDG_CONFIG_HOME: dirs.config,
      XDG_RUNTIME_DIR: dirs.run,
      XDG_CACHE_HOME: dirs.cache,
      TMPDIR: dirs.tmp,
      REGISTRY_AUTH_FILE: options.authfile ?? join(home, 'auth.json'),
      _CONTAINERS_ROOTLESS_UID: '4242',
      ...options.env,
    };
    const global = ['--policy', policy, '--registries-conf', registriesConf, '--registries.d', dirs.registriesD, '--tmpdir', dirs.tmp];
    return await runCommand('skopeo', [...global, ...args], { env, timeoutMs: options.timeoutMs ?? 60_000 });
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

/** Throws with skopeo's output unless it exited 0. */
export function assertSkopeoOk(result: SkopeoResult, what = 'skopeo'): SkopeoResult {
  if (result.code !== 0) throw new Error(`${what} exited ${result.code}: ${result.stderr.trim()}`);
  return result;
}

export interface PushLayoutOptions extends SkopeoOptions {
  /** Copy every image of an index (`--all`); default true. */
  readonly all?: boolean;
  /** `--dest-creds user:pass`. */
  readonly destCreds?: string;
}

const OCI_TYPES = new Set(['application/vnd.oci.image.manifest.v1+json', 'application/vnd.oci.image.index.v1+json']);

interface LayoutDescriptor {
  readonly mediaType?: string;
  readonly digest: string;
  readonly annotations?: Readonly<Record<string, string>>;
}

/**
 * skopeo 1.9.3's `oci:` source only sees OCI-typed descriptors in index.json and takes every
 * child of an index for an OCI manifest, so Docker-typed content cannot be pushed from a layout.
 * Such content is copied into a `dir:` transport directory (`manifest.json`, `<hex>` blobs,
 * `<hex>.manifest.json` children, `version`), whose source guesses the type from the bytes.
 * Returns undefined when the entry is OCI all the way down.
 */
async function dockerTypedAsDir(layoutDir: string, tag: string): Promise<string | undefined> {
  const index = JSON.parse(await readFile(join(layoutDir, 'index.json'), 'utf8')) as { manifests?: LayoutDescriptor[] };
  const entry = index.manifests?.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag);
  if (entry === undefined) return undefined;
  const blob = (digest: string): string => join(layoutDir, 'blobs', 'sha256', digest.slice('sha256:'.length));
  const top = await readFile(blob(entry.digest));
  const children = (JSON.parse(top.toString('utf8')) as { manifests?: LayoutDescriptor[] }).manifests ?? [];
  if (OCI_TYPES.has(entry.mediaType ?? '') && children.every((c) => OCI_TYPES.has(c.mediaType ?? ''))) return undefined;
  const dir = await mkdtemp(join(tmpdir(), 'airlock-skopeo-dir-'));
  await writeFile(join(dir, 'version'), 'Directory Transport Version: 1.1\n');
  await writeFile(join(dir, 'manifest.json'), top);
  for (const name of await readdir(join(layoutDir, 'blobs', 'sha256'))) await copyFile(join(layoutDir, 'blobs', 'sha256', name), join(dir, name));
  for (const c of children) await copyFile(blob(c.digest), join(dir, `${c.digest.slice('sha256:'.length)}.manifest.json`));
  return dir;
}

/**
 * `skopeo copy --all --preserve-digests --dest-tls-verify=false oci:<layoutDir>:<tag>
 * docker://<destRef>`; throws unless it succeeds. `--preserve-digests` makes skopeo fail rather
 * than convert a manifest (which would change the digests the test computed). Docker-typed
 * entries go through a temporary `dir:` copy (see `dockerTypedAsDir`), byte for byte the same.
 */
export async function pushLayout(layoutDir: string, tag: string, destRef: string, options: PushLayoutOptions = {}): Promise<SkopeoResult> {
  const args = ['copy', '--quiet', '--preserve-digests', '--dest-tls-verify=false'];
  if (options.all !== false) args.push('--all');
  if (options.destCreds !== undefined) args.push('--dest-creds', options.destCreds);
  const dir = await dockerTypedAsDir(layoutDir, tag);
  try {
    args.push(dir === undefined ? `oci:${layoutDir}:${tag}` : `dir:${dir}`, `docker://${destRef}`);
    return assertSkopeoOk(await skopeo(args, options), `pushing ${tag} to ${destRef}`);
  } finally {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  }
}

export interface MirrorOptions {
  /** The image-name prefix clients use, e.g. `docker.io` or `quay.io/org`. */
  readonly prefix: string;
  /** Where to pull from instead: `host:port[/path]`, e.g. `127.0.0.1:8080/dockerhub`. */
  readonly mirrorLocation: string;
  /** The registry's own location (default the prefix); reached when the mirror fails. */
  readonly location?: string;
  /** Serve only the mirror: the registry's own location is `blocked`, so no fallback is silently taken. Default true. */
  readonly blockUpstream?: boolean;
  /** `digest-only`, `tag-only` or `all` (default). */
  readonly pullFromMirror?: 'all' | 'digest-only' | 'tag-only';
  /** Directory to write `registries.conf` in; default a temporary file removed when the process exits. */
  readonly dir?: string;
}

const temporaryFiles = new Set<string>();

function temporaryFile(prefix: string, suffix: string): string {
  if (temporaryFiles.size === 0) {
    process.on('exit', () => {
      for (const f of temporaryFiles) rmSync(f, { force: true });
    });
  }
  const file = join(tmpdir(), `${prefix}${randomBytes(6).toString('hex')}${suffix}`);
  temporaryFiles.add(file);
  return file;
}

/**
 * Writes a containers-registries.conf mirroring `prefix` to `mirrorLocation` over plain HTTP
 * (oci.md §9) and returns its path, for `skopeo(args, { registriesConf })`.
 */
export async function mirrorRegistriesConf(options: MirrorOptions): Promise<string> {
  const file = options.dir === undefined ? temporaryFile('airlock-registries-', '.conf') : join(options.dir, 'registries.conf');
  const q = (s: string): string => JSON.stringify(s);
  const lines = [
    '[[registry]]',
    `prefix = ${q(options.prefix)}`,
    `location = ${q(options.location ?? options.prefix)}`,
    ...(options.blockUpstream === false ? [] : ['blocked = true']),
    '',
    '[[registry.mirror]]',
    `location = ${q(options.mirrorLocation)}`,
    'insecure = true',
    ...(options.pullFromMirror === undefined ? [] : [`pull-from-mirror = ${q(options.pullFromMirror)}`]),
    '',
  ];
  await writeFile(file, lines.join('\n'));
  return file;
}

/** Writes an auth.json giving `user:password` for `host` (for `SkopeoOptions.authfile`). */
export async function writeAuthFile(file: string, host: string, user: string, password: string): Promise<string> {
  const auth = Buffer.from(`${user}:${password}`).toString('base64');
  await writeFile(file, JSON.stringify({ auths: { [host]: { auth } } }));
  return file;
}

/**
 * Pushes `object` to `registryUrl` (`http://host:port`) as `name:tag` with the distribution API
 * itself (what oras and cosign do): each blob by a monolithic upload, then the manifests, the
 * ones an index lists before the index. For what skopeo 1.9.3 will not copy unchanged (an index
 * whose descriptors carry `artifactType`, an artifact manifest with a `subject`).
 */
export async function pushObject(registryUrl: string, name: string, tag: string, object: { readonly manifestDigest: string; readonly manifestBytes: Buffer; readonly mediaType: string; readonly blobs: ReadonlyMap<string, Buffer> }, headers: Readonly<Record<string, string>> = {}): Promise<void> {
  const manifests = new Map<string, { bytes: Buffer; mediaType: string }>();
  const collect = (bytes: Buffer): void => {
    const doc = JSON.parse(bytes.toString('utf8')) as { mediaType?: string; manifests?: { digest: string }[] };
    manifests.set(sha256Hex(bytes), { bytes, mediaType: doc.mediaType ?? '' });
    for (const child of doc.manifests ?? []) {
      const b = object.blobs.get(child.digest);
      if (b === undefined) throw new Error(`pushObject: ${child.digest} is listed but not given`);
      collect(b);
    }
  };
  collect(object.manifestBytes);
  for (const [digest, bytes] of object.blobs) {
    if (manifests.has(digest.slice('sha256:'.length))) continue;
    const start = await fetch(`${registryUrl}/v2/${name}/blobs/uploads/`, { method: 'POST', headers });
    if (start.status !== 202) throw new Error(`pushObject: starting an upload answered ${start.status}`);
    const location = new URL(start.headers.get('location') ?? '', registryUrl);
    location.searchParams.set('digest', digest);
    const put = await fetch(location, { method: 'PUT', headers: { ...headers, 'content-type': 'application/octet-stream' }, body: bytes });
    if (put.status !== 201) throw new Error(`pushObject: uploading ${digest} answered ${put.status}: ${await put.text()}`);
  }
  // Children first: a registry checks that what an index lists exists.
  for (const [hex, m] of [...manifests].reverse()) {
    const ref = hex === sha256Hex(object.manifestBytes) ? tag : `sha256:${hex}`;
    const put = await fetch(`${registryUrl}/v2/${name}/manifests/${ref}`, { method: 'PUT', headers: { ...headers, 'content-type': m.mediaType }, body: m.bytes });
    if (put.status !== 201) throw new Error(`pushObject: putting the manifest ${ref} answered ${put.status}: ${await put.text()}`);
  }
}

function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
