/**
 * `input.facts.age`: upstream dates from the adapter's facts (`published_at`,
 * `package_created_at`), first sightings from the first-seen store. One store round trip per
 * package, and none when every version is already known to this process. Sightings are kept as
 * epoch milliseconds, bounded by the number of versions remembered (not packages: one package
 * can list thousands).
 */
import type { FirstSeenStore } from '../../storage/ports/index.ts';
import { ageFacts, sharedIso } from '../age.ts';
import { asJson, dateFact, packageOf, type CachingCollector } from './types.ts';
import { TtlCache } from './ttl-cache.ts';

export interface AgeCollectorDeps {
  readonly firstSeen: FirstSeenStore;
}

export interface AgeCollectorOptions {
  readonly ttlMs: number;
  /** Versions whose first sighting is remembered (default 100,000; ~80 bytes each). */
  readonly maxVersions?: number;
}

interface Seen {
  /** epoch ms, or null */
  readonly package: number | null;
  readonly versions: Map<string, number>;
}

function dateOf(ms: number | null | undefined): Date | null {
  return ms === null || ms === undefined ? null : new Date(ms);
}

export function ageCollector(deps: AgeCollectorDeps, options: AgeCollectorOptions): CachingCollector {
  const known = new TtlCache<string, Seen>(options.maxVersions ?? 100_000, options.ttlMs, (s) => 1 + s.versions.size);
  return {
    id: 'signals.age',
    cache: known,
    async collect(req) {
      const pkg = packageOf(req);
      if (pkg === null) return [];
      const key = `${pkg.ecosystem}\0${pkg.name}`;
      const nowMs = req.now.getTime();
      let seen = known.get(key, nowMs);
      let changed = seen === undefined;
      if (seen === undefined) {
        // Not in memory: what the store already knows of the versions judged, so that only new
        // ones are written (an artifact judgement asks for one version of a package that may
        // list thousands). Remembering part of a package is safe: a version missing from memory
        // is marked seen again, and the store keeps the earlier date.
        const first = await deps.firstSeen.firstSeen(pkg.ecosystem, pkg.name, req.candidates.map((c) => c.subject.version));
        const versions = new Map<string, number>();
        for (const [v, d] of first.versions) versions.set(v, d.getTime());
        seen = { package: first.package?.getTime() ?? null, versions };
      }
      const unknown = new Set<string>();
      for (const c of req.candidates) if (!seen.versions.has(c.subject.version)) unknown.add(c.subject.version);
      if (unknown.size > 0) {
        const marked = await deps.firstSeen.markSeen(pkg.ecosystem, pkg.name, [...unknown], req.now);
        // Keyed by the candidates' own version strings (shared with the adapter's records).
        for (const v of unknown) {
          const d = marked.get(v);
          if (d !== undefined) seen.versions.set(v, d.getTime());
        }
        if (seen.package === null || seen.package > nowMs) seen = { package: nowMs, versions: seen.versions };
        changed = true;
      }
      if (changed) known.set(key, seen, nowMs);
      const s = seen as Seen;
      const packageFirstSeen = dateOf(s.package);
      // Every version of a package usually shares its creation date: parse it once.
      let createdText: string | null = null;
      let created: Date | null = null;
      const iso = sharedIso();
      return req.candidates.map((c) => {
        const text = c.facts['package_created_at'];
        if (typeof text !== 'string' || text !== createdText) {
          created = dateFact(c.facts, 'package_created_at');
          createdText = typeof text === 'string' ? text : null;
        }
        return {
          age: asJson(
            ageFacts(
              {
                packagePublished: created,
                versionPublished: dateFact(c.facts, 'published_at'),
                packageFirstSeen,
                versionFirstSeen: dateOf(s.versions.get(c.subject.version)),
                now: req.now,
              },
              iso,
            ),
          ),
        };
      });
    },
  };
}
