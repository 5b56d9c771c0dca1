/**
 * The messages a client sees when Airlock will not serve a version: what, why, and what to do
 * next. One line each (npm prints `error` after the status line), with the quarantine id and the
 * release command for quarantines.
 */
import type { AirlockError } from '../../core/index.ts';
import { versionRefusal } from '../shared/refusal.ts';

export { reasonsText, undecided } from '../shared/refusal.ts';
import type { GateDecision } from '../../gate/index.ts';
import type { Withheld } from './package-view.ts';

/** The error for a non-allow decision about `name@version`. */
export function refusalError(name: string, version: string, decision: GateDecision): AirlockError {
  return versionRefusal(`${name}@${version}`, name, version, decision);
}

const MAX_LISTED_VERSIONS = 12;

/**
 * npm's `policyRestrictions.message`: npm-pick-manifest prints it as
 * `Could not download <name>@<wanted> due to policy violations:\n<message>` when the version a
 * client asks for (a pinned install) is one Airlock withholds.
 */
export function withheldMessage(name: string, withheld: ReadonlyMap<string, Withheld>, tarballUrl: (version: string) => string): string {
  const lines: string[] = [];
  let n = 0;
  for (const [version, w] of withheld) {
    if (n++ >= MAX_LISTED_VERSIONS) break;
    if (w.kind === 'block') {
      lines.push(`${name}@${version} is blocked by Airlock policy: ${w.reasons}`);
    } else if (w.quarantineId !== null) {
      lines.push(`${name}@${version} is quarantined by Airlock: ${w.reasons}. Quarantine id ${w.quarantineId}; to use it, ask an approver to review it: airlock quarantine release ${w.quarantineId} --reason "<why it is safe>"`);
    } else {
      lines.push(`${name}@${version} is quarantined by Airlock: ${w.reasons}. No review is open yet: requesting ${tarballUrl(version)} opens one, then ask an approver to release it (airlock quarantine list)`);
    }
  }
  if (withheld.size > MAX_LISTED_VERSIONS) lines.push(`… and ${withheld.size - MAX_LISTED_VERSIONS} more withheld versions`);
  return lines.join('\n');
}
