/** `input.facts.requested_while_missing`, from the missing-name ledger. */
import type { MissingNameLedger } from '../../storage/ports/index.ts';
import { requestedWhileMissingFacts } from '../missing.ts';
import { asJson, dateFact, type SignalCollector } from './types.ts';

export function missingCollector(deps: { readonly ledger: MissingNameLedger }): SignalCollector {
  return {
    id: 'signals.requested_while_missing',
    async collect(subject, _phase, facts) {
      const rec = await deps.ledger.getMissing(subject.ecosystem, subject.name);
      return { requested_while_missing: asJson(requestedWhileMissingFacts(rec, dateFact(facts, 'package_created_at'))) };
    },
  };
}
