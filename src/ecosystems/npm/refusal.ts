/**
 * The messages a client sees when Airlock will not serve a version: what, why, and what to do
 * next. One line each (npm prints `error` after the status line), with the quarantine id and the
 * release command for quarantines.
 */
import { AirlockError, type Reason } from '../../core/index.ts';
import type { GateDecision } from '../../gate/index.ts';

const MAX_REASONS_CHARS = 600;

function reasonsText(reasons: readonly Reason[]): string {
  const text = reasons.map((r) => (r.rule === undefined ? r.message : `${r.message} [${r.rule}]`)).join('; ');
  const oneLine = text.replace(/\s+/g, ' ').trim();
  if (oneLine === '') return 'no reason given';
  return oneLine.length > MAX_REASONS_CHARS ? `${oneLine.slice(0, MAX_REASONS_CHARS - 1)}…` : oneLine;
}

/** The error for a non-allow decision about `name@version`. */
export function refusalError(name: string, version: string, decision: GateDecision): AirlockError {
  const id = decision.quarantineId;
  const details = { name, version, quarantineId: id, source: decision.source };
  const verdict = decision.verdict;
  switch (verdict.kind) {
    case 'quarantine':
      return new AirlockError(
        'QUARANTINED',
        `${name}@${version} is quarantined by Airlock: ${reasonsText(verdict.reasons)}. Quarantine id ${id ?? '(none)'}; ` +
          `to use it, ask an approver to review it: airlock quarantine release ${id ?? '<id>'} --reason "<why it is safe>"`,
        { details },
      );
    case 'block':
      if (decision.source === 'rejection') {
        return new AirlockError('BLOCKED', `${name}@${version} was rejected by an Airlock reviewer (quarantine ${id ?? '?'}): ${reasonsText(verdict.reasons)}`, { details });
      }
      return new AirlockError('BLOCKED', `${name}@${version} is blocked by Airlock policy: ${reasonsText(verdict.reasons)}`, { details });
    case 'allow':
      return new AirlockError('INTERNAL', `refusalError called for an allowed version of ${name}@${version}`);
  }
}

/** An allowed tarball Airlock could not inspect is still refused (fail closed). */
export function uninspectableError(name: string, version: string, why: string): AirlockError {
  return new AirlockError('BLOCKED', `${name}@${version} is blocked by Airlock: its tarball could not be inspected (${why.slice(0, 200)})`, {
    details: { name, version },
  });
}
