/**
 * The benchmark workload: the lockfile in ../shared/bench/npm-workload and a local copy of every
 * packument and tarball it needs, fetched once from the configured npm registry into
 * bench/.cache/npm (git-ignored).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const WORKLOAD_DIR = join(import.meta.dirname, '..', '..', '..', 'shared', 'bench', 'npm-workload');
export const CACHE_DIR = join(import.meta.dirname, '..', '.cache', 'npm');

/** The packument both `bench:npm` and `bench:npm:replay --hot` load hot (full document, gzip, as npm asks). */
export const HOT_PACKUMENT = 'lodash';
export const HOT_PACKUMENT_HEADERS: Readonly<Record<string, string>> = { accept: 'application/json', 'accept-encoding': 'gzip' };
/** Connections of those hot loads (`bench:npm`'s default; `--connections` changes it there). */
export const HOT_CONNECTIONS = 32;
/** The hot ~1 MB tarball `bench:npm` loads. */
export const HOT_TARBALL = { name: 'react-dom', version: '18.3.1' } as const;

export interface LockedPackage {
  readonly name: string;
  readonly version: string;
  readonly integrity: string;
}

export function lockedPackages(): LockedPackage[] {
  const lock = JSON.parse(readFileSync(join(WORKLOAD_DIR, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string; integrity?: string; link?: boolean }>;
  };
  const out: LockedPackage[] = [];
  const seen = new Set<string>();
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '' || entry.link === true) continue;
    const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    if (entry.version === undefined || entry.integrity === undefined) throw new Error(`lockfile entry without version/integrity: ${path}`);
    const key = `${name}@${entry.version}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ name, version: entry.version, integrity: entry.integrity });
  }
  return out;
}

export function packumentFile(name: string): string {
  return join(CACHE_DIR, 'packuments', `${encodeURIComponent(name)}.json`);
}

export function tarballFile(name: string, version: string): string {
  return join(CACHE_DIR, 'tarballs', `${encodeURIComponent(name)}@${version}.tgz`);
}

export function registryUrl(): string {
  const fromEnv = process.env['AIRLOCK_BENCH_REGISTRY'];
  const url = fromEnv ?? execFileSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' }).trim();
  return url.endsWith('/') ? url : `${url}/`;
}

export function writeAtomic(file: string, data: Uint8Array): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

export async function get(url: string, accept = 'application/json'): Promise<Uint8Array> {
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fetch(url, { headers: { accept } });
      if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
      return new Uint8Array(await res.arrayBuffer());
    } catch (err) {
      if (attempt >= 4) throw err;
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
  }
}

async function pool<T>(items: readonly T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await fn(item);
      }
    }),
  );
}

/** Fetch whatever is missing from the cache; returns the number of files downloaded. */
export async function ensureWorkloadCache(log: (line: string) => void): Promise<number> {
  const pkgs = lockedPackages();
  const names = [...new Set(pkgs.map((p) => p.name))];
  const missingDocs = names.filter((n) => !existsSync(packumentFile(n)));
  const missingTgz = pkgs.filter((p) => !existsSync(tarballFile(p.name, p.version)));
  if (missingDocs.length === 0 && missingTgz.length === 0) return 0;
  const registry = registryUrl();
  log(`fetching ${missingDocs.length} packuments and ${missingTgz.length} tarballs from the configured registry into ${CACHE_DIR}`);
  await pool(missingDocs, 16, async (name) => {
    const body = await get(`${registry}${name.replace('/', '%2f')}`);
    JSON.parse(Buffer.from(body).toString('utf8'));
    writeAtomic(packumentFile(name), body);
  });
  await pool(missingTgz, 16, async (p) => {
    const doc = JSON.parse(readFileSync(packumentFile(p.name), 'utf8')) as { versions: Record<string, { dist: { tarball: string } }> };
    const v = doc.versions[p.version];
    if (v === undefined) throw new Error(`${p.name}@${p.version} is not in its packument`);
    const body = await get(v.dist.tarball);
    const [algo, b64] = p.integrity.split('-', 2) as [string, string];
    const got = createHash(algo).update(body).digest('base64');
    if (got !== b64) throw new Error(`integrity mismatch for ${p.name}@${p.version}`);
    writeAtomic(tarballFile(p.name, p.version), body);
  });
  return missingDocs.length + missingTgz.length;
}
