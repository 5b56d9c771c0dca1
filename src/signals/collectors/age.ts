/**
 * `input.facts.age`: upstream dates from the adapter's facts (`published_at`,
 * `package_created_at`), first sightings from the first-seen store. One store round trip per
 * package, and none when every version is already known to this process.
 */
import type { FirstSeenStore } from '../../storage/ports/index.ts';
import { ageFacts } from '../age.ts';
import { asJson, dateFact, packageOf, type SignalCollector } from './types.ts';
import { TtlCache } from './ttl-cache.ts';

export interface AgeCollectorDeps {
  readonly firstSeen: FirstSeenStore;
}

interface Seen {
  readonly package: Date | null;
  readonly versions: Map<string, Date>;
}

export function ageCollector(deps: AgeCollectorDeps, options: { readonly ttlMs: number; readonly maxPackages?: number }): SignalCollector {
  const known = new TtlCache<string, Seen>(options.maxPackages ?? 20_000, options.ttlMs);
  return {
    id: 'signals.age',
    async collect(req) {
      const pkg = packageOf(req);
      if (pkg === null) return [];
      const key = `${pkg.ecosystem}\0${pkg.name}`;
      const nowMs = req.now.getTime();
      let seen = known.get(key, nowMs);
      const versions = req.candidates.map((c) => c.subject.version);
      const unknown = seen === undefined ? versions : versions.filter((v) => !seen?.versions.has(v));
      if (unknown.length > 0) {
        const marked = await deps.firstSeen.markSeen(pkg.ecosystem, pkg.name, [...new Set(unknown)], req.now);
        if (seen === undefined) {
          const first = await deps.firstSeen.firstSeen(pkg.ecosystem, pkg.name);
          seen = { package: first.package, versions: new Map(first.versions) };
        }
        for (const [v, d] of marked) seen.versions.set(v, d);
        known.set(key, seen, nowMs);
      }
      const s = seen as Seen;
      return req.candidates.map((c) => ({
        age: asJson(
          ageFacts({
            packagePublished: dateFact(c.facts, 'package_created_at'),
            versionPublished: dateFact(c.facts, 'published_at'),
            packageFirstSeen: s.package,
            versionFirstSeen: s.versions.get(c.subject.version) ?? null,
            now: req.now,
          }),
        ),
      }));
    },
  };
}
