/**
 * Real-format packuments for the fixture registry: full documents (with `time`, maintainers,
 * readme, per-version `_id`, `_npmUser`, `dist` with integrity/shasum/signatures/attestations)
 * and the abbreviated ("corgi") form derived from them.
 */
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { packageTarball, type BuiltTarball, type TarballLayout, type TarFile } from './tarball.ts';

export interface FixtureVersion {
  readonly version: string;
  /** ISO time; default: a fixed time in the past, one day per version. */
  readonly publishedAt?: string;
  /** Extra manifest fields (dependencies, scripts, deprecated, hasInstallScript …). */
  readonly manifest?: Readonly<Record<string, unknown>>;
  /** Fields of the tarball's package.json alone, over the manifest's: a package.json the registry's manifest does not match (manifest confusion). */
  readonly packageJson?: Readonly<Record<string, unknown>>;
  /** Extra files in the tarball, relative to `package/`. */
  readonly files?: readonly TarFile[];
  /**
   * Publish with provenance: `dist.attestations` in the metadata. The registry serves no bundles
   * for it unless a test puts a real attestation document (`FixtureRegistry.putAttestations`).
   */
  readonly provenance?: boolean;
  /** Pad the tarball with this many incompressible bytes (large-artifact tests). */
  readonly padBytes?: number;
  /** An unusual archive layout (tarball.ts `TarballLayout`). */
  readonly layout?: TarballLayout;
}

export interface FixturePackage {
  readonly name: string;
  readonly versions: readonly FixtureVersion[];
  /** Default: latest = the last version listed that is not a prerelease. */
  readonly distTags?: Readonly<Record<string, string>>;
}

export interface BuiltVersion {
  readonly manifest: Record<string, unknown>;
  readonly tarball: BuiltTarball;
  readonly filename: string;
  readonly provenance: boolean;
}

export interface BuiltPackage {
  readonly name: string;
  readonly versions: Map<string, BuiltVersion>;
  readonly time: Record<string, string>;
  readonly distTags: Record<string, string>;
}

/** The registry's signing key (ECDSA P-256), published at `/-/npm/v1/keys`. */
export interface SigningKey {
  readonly keyid: string;
  readonly privateKey: KeyObject;
  readonly publicDer: Buffer;
}

export function newSigningKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicDer = publicKey.export({ format: 'der', type: 'spki' });
  // keyid: SHA256 over the OpenSSH wire blob of the key (npm.md §6).
  const jwk = publicKey.export({ format: 'jwk' });
  const q = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x ?? '', 'base64url'), Buffer.from(jwk.y ?? '', 'base64url')]);
  const lenPrefixed = (b: Buffer): Buffer => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    return Buffer.concat([len, b]);
  };
  const blob = Buffer.concat([lenPrefixed(Buffer.from('ecdsa-sha2-nistp256')), lenPrefixed(Buffer.from('nistp256')), lenPrefixed(q)]);
  const keyid = `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
  return { keyid, privateKey, publicDer };
}

export function basename(name: string): string {
  return name.startsWith('@') ? name.slice(name.indexOf('/') + 1) : name;
}

function defaultTime(i: number): string {
  return new Date(Date.UTC(2023, 0, 1 + i, 12, 0, 0)).toISOString();
}

export function buildPackage(pkg: FixturePackage, key: SigningKey): BuiltPackage {
  const versions = new Map<string, BuiltVersion>();
  const time: Record<string, string> = {};
  pkg.versions.forEach((v, i) => {
    const manifest: Record<string, unknown> = {
      name: pkg.name,
      version: v.version,
      description: `${pkg.name} fixture`,
      main: 'index.js',
      license: 'MIT',
      ...v.manifest,
    };
    const files = [...(v.files ?? [])];
    if (v.padBytes !== undefined && v.padBytes > 0) {
      files.push({ path: 'blob.bin', content: randomish(v.padBytes, `${pkg.name}@${v.version}`) });
    }
    const tarball = packageTarball(v.packageJson === undefined ? manifest : { ...manifest, ...v.packageJson }, files, v.layout);
    const filename = `${basename(pkg.name)}-${v.version}.tgz`;
    versions.set(v.version, { manifest, tarball, filename, provenance: v.provenance === true });
    time[v.version] = v.publishedAt ?? defaultTime(i);
  });
  const times = Object.values(time).sort();
  const stable = pkg.versions.filter((v) => !v.version.includes('-'));
  const last = stable[stable.length - 1] ?? pkg.versions[pkg.versions.length - 1];
  return {
    name: pkg.name,
    versions,
    time: { created: times[0] ?? defaultTime(0), modified: times[times.length - 1] ?? defaultTime(0), ...time },
    distTags: { ...(last === undefined ? {} : { latest: last.version }), ...pkg.distTags },
  };
}

/** Deterministic, incompressible-ish bytes. */
function randomish(size: number, seed: string): Buffer {
  const out = Buffer.alloc(size);
  let block = createHash('sha512').update(seed).digest();
  for (let off = 0; off < size; off += block.length) {
    block.copy(out, off);
    block = createHash('sha512').update(block).digest();
  }
  return out;
}

export function signatureOf(key: SigningKey, name: string, version: string, integrity: string): string {
  return sign('sha256', Buffer.from(`${name}@${version}:${integrity}`), key.privateKey).toString('base64');
}

/** The full document, with tarball URLs under `base` (ending in `/`). */
export function fullPackument(p: BuiltPackage, base: string, key: SigningKey): Record<string, unknown> {
  const versions: Record<string, unknown> = {};
  for (const [v, built] of p.versions) {
    const scoped = p.name.replace('/', '%2f');
    versions[v] = {
      ...built.manifest,
      _id: `${p.name}@${v}`,
      _npmUser: { name: 'fixture-publisher', email: 'publisher@example.invalid' },
      maintainers: [{ name: 'fixture-publisher', email: 'publisher@example.invalid' }],
      _nodeVersion: '24.0.0',
      _npmVersion: '11.0.0',
      dist: {
        tarball: `${base}${p.name}/-/${built.filename}`,
        shasum: built.tarball.shasum,
        integrity: built.tarball.integrity,
        fileCount: built.tarball.fileCount,
        unpackedSize: built.tarball.unpackedSize,
        signatures: [{ keyid: key.keyid, sig: signatureOf(key, p.name, v, built.tarball.integrity) }],
        ...(!built.provenance
          ? {}
          : { attestations: { url: `${base}-/npm/v1/attestations/${scoped}@${v}`, provenance: { predicateType: 'https://slsa.dev/provenance/v1' } } }),
      },
    };
  }
  return {
    _id: p.name,
    _rev: `${p.versions.size}-${createHash('md5').update(p.name).digest('hex')}`,
    name: p.name,
    description: `${p.name} fixture`,
    'dist-tags': p.distTags,
    versions,
    time: p.time,
    maintainers: [{ name: 'fixture-publisher', email: 'publisher@example.invalid' }],
    readme: `# ${p.name}\n\nA fixture package with \u00e9 unicode and \\"escapes\\".\n`,
    license: 'MIT',
  };
}

const CORGI_FIELDS = ['name', 'version', 'deprecated', 'dependencies', 'optionalDependencies', 'devDependencies', 'peerDependencies', 'peerDependenciesMeta', 'bundleDependencies', 'bin', 'directories', 'engines', 'os', 'cpu', 'libc', '_hasShrinkwrap', 'hasInstallScript', 'funding', 'acceptDependencies', 'dist'];

export function abbreviatedPackument(full: Record<string, unknown>): Record<string, unknown> {
  const versions: Record<string, unknown> = {};
  for (const [v, m] of Object.entries(full['versions'] as Record<string, Record<string, unknown>>)) {
    versions[v] = Object.fromEntries(CORGI_FIELDS.filter((f) => f in m).map((f) => [f, m[f]]));
  }
  return { name: full['name'], modified: (full['time'] as Record<string, string>)['modified'], 'dist-tags': full['dist-tags'], versions };
}
