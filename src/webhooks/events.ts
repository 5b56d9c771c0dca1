/**
 * Which audit actions a webhook takes: a list of patterns, each an action (`package.publish`), a
 * family (`quarantine.*`) or everything (`*`); a pattern starting with `!` leaves out what it
 * matches (`["*", "!decision.allow"]`). An action is taken when a plain pattern matches it and no
 * `!` pattern does, whatever the order.
 */
import { AirlockError } from '../core/index.ts';

const PATTERN = /^!?(\*|[a-z0-9_-]{1,64}(\.[a-z0-9_-]{1,64}){0,7}(\.\*)?)$/;

export type EventFilter = (action: string) => boolean;

function matcher(pattern: string): EventFilter {
  if (pattern === '*') return () => true;
  if (pattern.endsWith('.*')) {
    const prefix = pattern.slice(0, -1);
    return (action) => action.startsWith(prefix);
  }
  return (action) => action === pattern;
}

/** Checks a pattern's form; the error names what is wrong with it. */
export function checkEventPattern(pattern: string): string | null {
  if (PATTERN.test(pattern)) return null;
  return `${JSON.stringify(pattern.slice(0, 80))} is not an event pattern: an action such as quarantine.open, a family such as quarantine.*, or *, optionally after ! to leave it out`;
}

export function eventFilter(patterns: readonly string[]): EventFilter {
  const take: EventFilter[] = [];
  const leave: EventFilter[] = [];
  for (const p of patterns) {
    const problem = checkEventPattern(p);
    if (problem !== null) throw new AirlockError('BAD_REQUEST', problem);
    if (p.startsWith('!')) leave.push(matcher(p.slice(1)));
    else take.push(matcher(p));
  }
  return (action) => take.some((m) => m(action)) && !leave.some((m) => m(action));
}
