/**
 * `input.facts.requested_while_missing`, from the missing-name ledger: one lookup per package.
 * A package that was requested while missing and is being judged now exists upstream: the
 * ledger stamps when it appeared (once).
 */
import type { MissingNameLedger, MissingNameRecord } from '../../storage/ports/index.ts';
import { NOT_REQUESTED_WHILE_MISSING, requestedWhileMissingFacts } from '../missing.ts';
import { asJson, dateFact, packageOf, type CachingCollector } from './types.ts';
import { TtlCache } from './ttl-cache.ts';

const NOT_REQUESTED = Object.freeze({ requested_while_missing: asJson(NOT_REQUESTED_WHILE_MISSING) });

export interface MissingCollector extends CachingCollector {
  /** Forget cached ledger records (read them again at the next judgement). */
  clear(): void;
}

export function missingCollector(deps: { readonly ledger: MissingNameLedger }, options: { readonly ttlMs: number; readonly maxPackages?: number }): MissingCollector {
  const records = new TtlCache<string, { readonly rec: MissingNameRecord | null }>(options.maxPackages ?? 20_000, options.ttlMs);
  return {
    id: 'signals.requested_while_missing',
    cache: records,
    clear: () => records.clear(),
    async collect(req) {
      const pkg = packageOf(req);
      if (pkg === null) return [];
      const key = `${pkg.ecosystem}\0${pkg.name}`;
      const nowMs = req.now.getTime();
      let cached = records.get(key, nowMs);
      if (cached === undefined) {
        let rec = await deps.ledger.getMissing(pkg.ecosystem, pkg.name);
        if (rec !== null && rec.appearedAt === null) {
          await deps.ledger.markAppeared(pkg.ecosystem, pkg.name, req.now);
          rec = { ...rec, appearedAt: req.now };
        }
        cached = { rec };
        records.set(key, cached, nowMs);
      }
      const rec = cached.rec;
      // Never requested while missing (nearly every package): one shared object for every version.
      if (rec === null) return req.candidates.map(() => NOT_REQUESTED);
      return req.candidates.map((c) => ({
        requested_while_missing: asJson(requestedWhileMissingFacts(rec, dateFact(c.facts, 'package_created_at'))),
      }));
    },
  };
}
