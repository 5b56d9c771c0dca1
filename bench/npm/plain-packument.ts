/**
 * The plain way to turn an upstream packument into the abbreviated one a client installs from:
 * JSON.parse the whole document, copy each version's install-relevant fields, rewrite tarball
 * URLs, JSON.stringify. The bare proxy (bare-proxy.ts) serves with it, and `bench:npm:packuments`
 * sets Airlock's index pass and rendering beside it.
 */
import { CORGI_FIELDS } from '../../src/ecosystems/npm/packument-index.ts';

export interface PlainDist {
  readonly url: string;
  readonly integrity: string;
  readonly shasum: string;
}

type Manifest = { [k: string]: unknown; dist?: { tarball?: string; integrity?: string; shasum?: string } };

export interface PlainPackument {
  readonly body: Buffer;
  /** What each version promised about its tarball, by tarball file name. */
  readonly dists: ReadonlyMap<string, PlainDist>;
}

/** The abbreviated document of `raw` (the full upstream packument), tarballs under `base`. */
export function plainAbbreviated(name: string, raw: Buffer, base: string): PlainPackument {
  const full = JSON.parse(raw.toString('utf8')) as { 'dist-tags'?: unknown; time?: { modified?: string }; versions?: Record<string, Manifest> };
  const versions: Record<string, Manifest> = {};
  const dists = new Map<string, PlainDist>();
  for (const [version, m] of Object.entries(full.versions ?? {})) {
    const out: Manifest = {};
    for (const k of CORGI_FIELDS) if (k !== 'dist' && m[k] !== undefined) out[k] = m[k];
    const tarball = String(m.dist?.tarball ?? '');
    const file = tarball.slice(tarball.lastIndexOf('/') + 1);
    out.dist = { ...m.dist, tarball: `${base}${name}/-/${file}` };
    versions[version] = out;
    dists.set(file, { url: tarball, integrity: String(m.dist?.integrity ?? ''), shasum: String(m.dist?.shasum ?? '') });
  }
  const body = Buffer.from(JSON.stringify({ name, 'dist-tags': full['dist-tags'], modified: full.time?.modified, time: full.time, versions }));
  return { body, dists };
}
