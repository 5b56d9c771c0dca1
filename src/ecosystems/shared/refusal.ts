/**
 * What every ecosystem's refusals say, whatever the client's error dialect: the policy's reasons
 * in one line, and the message for a package Airlock could not judge or store.
 */
import { AirlockError, type Reason } from '../../core/index.ts';
import type { GateDecision } from '../../gate/index.ts';

const MAX_REASONS_CHARS = 600;

export function reasonsText(reasons: readonly Reason[]): string {
  const text = reasons.map((r) => (r.rule === undefined ? r.message : `${r.message} [${r.rule}]`)).join('; ');
  const oneLine = text.replace(/\s+/g, ' ').trim();
  if (oneLine === '') return 'no reason given';
  return oneLine.length > MAX_REASONS_CHARS ? `${oneLine.slice(0, MAX_REASONS_CHARS - 1)}…` : oneLine;
}

/**
 * Airlock could not judge `subject` (a package, or `name@version`), or could not store the file
 * it must judge, because something of its own failed: nothing is served (fail closed), and the
 * client is told that this is no verdict on the package and that asking again may work (npm
 * retries a 503 by itself).
 */
export function undecided(subject: string, cause: string, failed: 'judge' | 'store' = 'judge'): AirlockError {
  const why = cause.replace(/\s+/g, ' ').trim().slice(0, MAX_REASONS_CHARS);
  return new AirlockError(
    'UNAVAILABLE',
    `Airlock could not ${failed} ${subject} just now, so it serves nothing of it: ${why}. This is not a policy decision: try again later, and tell Airlock's operator if it goes on`,
    { details: { subject } },
  );
}


/**
 * The error for a non-allow decision about a version, which `label` names as the ecosystem's
 * tools write it (npm's `name@1.0`, pip's `name==1.0`): what, why, and for a quarantine its id
 * and the command that releases it.
 */
export function versionRefusal(label: string, name: string, version: string, decision: GateDecision): AirlockError {
  const id = decision.quarantineId;
  const details = { name, version, quarantineId: id, source: decision.source };
  const verdict = decision.verdict;
  switch (verdict.kind) {
    case 'quarantine':
      return new AirlockError(
        'QUARANTINED',
        `${label} is quarantined by Airlock: ${reasonsText(verdict.reasons)}. Quarantine id ${id ?? '(none)'}; ` +
          `to use it, ask an approver to review it: airlock quarantine release ${id ?? '<id>'} --reason "<why it is safe>"`,
        { details },
      );
    case 'block':
      // The rejection's reason already names the reviewer, their reason and the quarantine id.
      if (decision.source === 'rejection') return new AirlockError('BLOCKED', `${label} is blocked by Airlock: ${reasonsText(verdict.reasons)}`, { details });
      return new AirlockError('BLOCKED', `${label} is blocked by Airlock policy: ${reasonsText(verdict.reasons)}`, { details });
    case 'allow':
      return new AirlockError('INTERNAL', `a refusal was asked for an allowed version (${label})`);
  }
}
