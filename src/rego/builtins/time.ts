/**
 * Time builtins: nanosecond timestamps (int64 range, as bigint), Go layouts, IANA zones via
 * Intl, Go durations. `time.now_ns` is the evaluation's fixed clock (ctx.nowNs).
 */
import { ownMember } from '../../core/index.ts';
import { fromBigInt, isInteger, toBigInt } from '../number.ts';
import type { Value } from '../value.ts';
import { anyOf, arg, arrayOf, builtinError, fn, int, isRNumber, str, typeError } from './args.ts';
import { DurationError, parseDuration } from './go-duration.ts';
import { formatTime, NAMED_LAYOUTS, TimeParseError, WEEKDAYS } from './go-time-layout.ts';
import { parseRfc3339Common, parseTime } from './go-time-parse.ts';
import {
  civilOf,
  daysIn,
  INT64_MAX,
  INT64_MIN,
  instantOf,
  loadZone,
  NS_PER_SECOND,
  UnknownZoneError,
  UTC,
  type Zone,
} from './go-time-zone.ts';
import type { BuiltinDecl } from './types.ts';

const TZ_OPERAND = 'either number (ns) or [number (ns), string (tz)]';

interface TzTime {
  readonly ns: bigint;
  readonly zone: Zone;
  readonly layout: string;
}

function tzTime(name: string, v: Value): TzTime {
  let n: Value;
  let zone = UTC;
  let layout = '';
  if (Array.isArray(v)) {
    const a = v as readonly Value[];
    if (a.length === 0) throw typeError(name, 1, v, TZ_OPERAND);
    n = a[0] as Value;
    if (!isRNumber(n)) throw typeError(name, 1, n, 'number');
    if (a.length > 1) {
      const tz = a[1] as Value;
      if (typeof tz !== 'string') throw typeError(name, 1, tz, 'string');
      try {
        zone = loadZone(tz);
      } catch (e) {
        if (e instanceof UnknownZoneError) throw builtinError(name, e.message);
        throw e;
      }
    }
    if (a.length > 2) {
      const l = a[2] as Value;
      if (typeof l !== 'string') throw typeError(name, 1, l, 'string');
      layout = l;
    }
  } else if (isRNumber(v)) n = v;
  else throw typeError(name, 1, v, TZ_OPERAND);
  const ns = isInteger(n) ? toBigInt(n) : null;
  if (ns === null || ns < INT64_MIN || ns > INT64_MAX) throw builtinError(name, 'timestamp too big');
  return { ns, zone, layout };
}

function safeNs(name: string, ns: bigint): Value {
  if (ns < INT64_MIN || ns > INT64_MAX) throw builtinError(name, 'time outside of valid range');
  return fromBigInt(ns);
}

function offsetOf(t: TzTime): number {
  const secs = t.ns / NS_PER_SECOND - (t.ns % NS_PER_SECOND < 0n ? 1n : 0n);
  return t.zone.offsetAt(secs);
}

function local(t: TzTime): ReturnType<typeof civilOf> {
  return civilOf(t.ns, offsetOf(t));
}

function parseNs(args: readonly Value[]): Value {
  const layoutArg = str('time.parse_ns', args, 0);
  const value = str('time.parse_ns', args, 1);
  const layout = ownMember(NAMED_LAYOUTS, layoutArg) ?? layoutArg;
  try {
    return safeNs('time.parse_ns', parseTime(layout, value));
  } catch (e) {
    if (e instanceof TimeParseError) throw builtinError('time.parse_ns', e.message);
    throw e;
  }
}

function parseRfc3339(args: readonly Value[]): Value {
  const value = str('time.parse_rfc3339_ns', args, 0);
  try {
    return safeNs('time.parse_rfc3339_ns', parseRfc3339Common(value) ?? parseTime(NAMED_LAYOUTS.RFC3339 as string, value));
  } catch (e) {
    if (e instanceof TimeParseError) throw builtinError('time.parse_rfc3339_ns', e.message);
    throw e;
  }
}

function format(args: readonly Value[]): Value {
  const t = tzTime('time.format', arg(args, 0));
  const layout = t.layout === '' ? (NAMED_LAYOUTS.RFC3339Nano as string) : (ownMember(NAMED_LAYOUTS, t.layout) ?? t.layout);
  return formatTime(t.ns, t.zone, layout);
}

function addDate(args: readonly Value[]): Value {
  const t = tzTime('time.add_date', arg(args, 0));
  const years = int('time.add_date', args, 1);
  const months = int('time.add_date', args, 2);
  const days = int('time.add_date', args, 3);
  const c = local(t);
  const ns = instantOf({ ...c, year: c.year + years, month: c.month + months, day: c.day + days }, t.zone);
  return safeNs('time.add_date', ns);
}

/** Calendar difference (years, months, days, hours, minutes, seconds), as OPA computes it. */
function diff(args: readonly Value[]): Value {
  let a = tzTime('time.diff', arg(args, 0));
  let b = tzTime('time.diff', arg(args, 1));
  b = { ...b, zone: a.zone };
  if (a.ns > b.ns) [a, b] = [b, a];
  const x = local(a);
  const y = local(b);
  let year = y.year - x.year;
  let month = y.month - x.month;
  let day = y.day - x.day;
  let hour = y.hour - x.hour;
  let min = y.minute - x.minute;
  let sec = y.second - x.second;
  if (sec < 0) {
    sec += 60;
    min--;
  }
  if (min < 0) {
    min += 60;
    hour--;
  }
  if (hour < 0) {
    hour += 24;
    day--;
  }
  if (day < 0) {
    day += daysIn(x.month, x.year);
    month--;
  }
  if (month < 0) {
    month += 12;
    year--;
  }
  return [year, month, day, hour, min, sec];
}

const TZ_ARG = anyOf('number', arrayOf(anyOf('number', 'string')));

export const TIME_BUILTINS: readonly BuiltinDecl[] = [
  fn('time.now_ns', [], 'number', (_args, ctx) => fromBigInt(ctx.nowNs), true),
  fn('time.parse_ns', ['string', 'string'], 'number', parseNs),
  fn('time.parse_rfc3339_ns', ['string'], 'number', parseRfc3339),
  fn('time.parse_duration_ns', ['string'], 'number', (args) => {
    try {
      return fromBigInt(parseDuration(str('time.parse_duration_ns', args, 0)));
    } catch (e) {
      if (e instanceof DurationError) throw builtinError('time.parse_duration_ns', e.message);
      throw e;
    }
  }),
  fn('time.format', [TZ_ARG], 'string', format),
  fn('time.date', [TZ_ARG], arrayOf('number'), (args) => {
    const c = local(tzTime('time.date', arg(args, 0)));
    return [c.year, c.month, c.day];
  }),
  fn('time.clock', [TZ_ARG], arrayOf('number'), (args) => {
    const c = local(tzTime('time.clock', arg(args, 0)));
    return [c.hour, c.minute, c.second];
  }),
  fn('time.weekday', [TZ_ARG], 'string', (args) => WEEKDAYS[local(tzTime('time.weekday', arg(args, 0))).weekday] as string),
  fn('time.add_date', ['number', 'number', 'number', 'number'], 'number', addDate),
  fn('time.diff', [TZ_ARG, TZ_ARG], arrayOf('number'), diff),
];
