/**
 * Where a lockfile's registry packages are downloaded from. `npm ci` fetches each from its
 * `resolved` URL as written, and sends to the registry it is configured with only the public
 * registry's own URLs (`replace-registry-host`). So a lockfile edited to point one entry at
 * another server, or at another package's tarball under the right name (lockfile injection),
 * installs code past Airlock, and checking names and versions alone does not notice. An entry is
 * the registry's when its URL is under one of the registry's bases (this server's repositories, or
 * the upstream the checked one proxies) and names that package's own tarball (`<name>/-/<name>-<version>.tgz`).
 */
import type { LockedSource } from './lockfile.ts';

export interface SourceFinding extends LockedSource {
  readonly why: string;
}

/** localhost, 127.0.0.0/8 and ::1: the machine itself, whichever name the lockfile or --server used. */
function loopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/**
 * Whether `url` is under `base`: the same origin, or both on this machine's loopback with the same
 * scheme and port (npm set to `http://localhost:8080/npm/` writes that host into the lockfile,
 * and the check's server is `http://127.0.0.1:8080` by default).
 */
function under(url: URL, base: URL): boolean {
  const sameOrigin = url.origin === base.origin || (url.protocol === base.protocol && url.port === base.port && loopback(url.hostname) && loopback(base.hostname));
  return sameOrigin && url.pathname.startsWith(base.pathname);
}

/** The entries downloaded from outside the registry, or from a tarball that is not theirs. */
export function lockfileSources(sources: readonly LockedSource[], registries: readonly URL[]): SourceFinding[] {
  const out: SourceFinding[] = [];
  for (const s of sources) {
    let url: URL;
    try {
      url = new URL(s.resolved);
    } catch {
      out.push({ ...s, why: 'not a URL' });
      continue;
    }
    const base = registries.find((b) => under(url, b));
    if (base === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
      out.push({ ...s, why: `downloaded from ${url.origin === 'null' ? url.protocol : url.origin}, not the registry` });
      continue;
    }
    let rel: string;
    try {
      rel = decodeURIComponent(url.pathname.slice(base.pathname.length));
    } catch {
      rel = url.pathname.slice(base.pathname.length);
    }
    const basename = s.name.slice(s.name.lastIndexOf('/') + 1);
    const expected = `${s.name}/-/${basename}-${s.version}.tgz`;
    if (rel !== expected) out.push({ ...s, why: `resolved to ${rel.slice(0, 200)}, not ${s.name}@${s.version}'s tarball` });
  }
  return out;
}

/**
 * The one repository of this server a lockfile was resolved through (every entry resolved to a
 * repository here is under it), or null: none, or several.
 */
export function resolvedThrough(sources: readonly LockedSource[], repositories: readonly { readonly name: string; readonly base: URL }[]): string | null {
  const seen = new Set<string>();
  for (const s of sources) {
    let url: URL;
    try {
      url = new URL(s.resolved);
    } catch {
      continue;
    }
    const repo = repositories.find((r) => under(url, r.base));
    if (repo !== undefined) seen.add(repo.name);
  }
  return seen.size === 1 ? ([...seen][0] as string) : null;
}
