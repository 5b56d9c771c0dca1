/**
 * Durations as people write them in configuration and on the command line: `30d`, `12h`,
 * `90m`, `45s`, `500ms`, `2w`, or combinations such as `1d12h`. Bounded (at most ten years).
 */
import { AirlockError } from '../core/index.ts';

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};
const PART_RE = /(\d{1,9})(ms|s|m|h|d|w)/gy;
export const MAX_DURATION_MS = 10 * 365 * 86_400_000;

export function parseDuration(text: string): number {
  const t = text.trim();
  if (t === '') throw new AirlockError('BAD_REQUEST', 'empty duration');
  PART_RE.lastIndex = 0;
  let total = 0;
  let pos = 0;
  for (let m = PART_RE.exec(t); m !== null; m = PART_RE.exec(t)) {
    total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
    pos = PART_RE.lastIndex;
  }
  if (pos !== t.length) {
    throw new AirlockError('BAD_REQUEST', `invalid duration ${JSON.stringify(text.slice(0, 40))} (expected e.g. 30d, 12h, 90m, 45s, 500ms)`);
  }
  if (total > MAX_DURATION_MS) throw new AirlockError('BAD_REQUEST', `duration ${text} is longer than ten years`);
  return total;
}

const FORMAT_UNITS = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]] as const;

/**
 * A whole number of milliseconds as `parseDuration` reads it back: in the largest unit of a
 * second or more that divides it (`90m`), else in parts from days down (`1d1ms`, `1s500ms`:
 * `parseDuration` takes at most 9 digits a part).
 */
export function formatDuration(ms: number): string {
  const whole = Math.max(0, Math.round(ms));
  for (const [unit, size] of FORMAT_UNITS) {
    if (size >= 1000 && whole >= size && whole % size === 0 && whole / size < 1e9) return `${whole / size}${unit}`;
  }
  if (whole < 1000) return `${whole}ms`;
  let rest = whole;
  let out = '';
  for (const [unit, size] of FORMAT_UNITS) {
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * size;
  }
  return out;
}

/**
 * An expiry given either as a duration from `now` (`30d`) or as an RFC 3339 time in the future.
 */
export function parseExpiry(text: string, now: Date): Date {
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const at = new Date(text);
    if (Number.isNaN(at.getTime())) throw new AirlockError('BAD_REQUEST', `invalid expiry time ${JSON.stringify(text.slice(0, 40))}`);
    if (at.getTime() <= now.getTime()) throw new AirlockError('BAD_REQUEST', 'expiry must be in the future');
    return at;
  }
  const ms = parseDuration(text);
  if (ms <= 0) throw new AirlockError('BAD_REQUEST', 'expiry must be in the future');
  return new Date(now.getTime() + ms);
}
