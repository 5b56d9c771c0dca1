/**
 * Civil time arithmetic (proleptic Gregorian, any year) and IANA time zones through `Intl`
 * (no tzdata files are read). Instants are Unix nanoseconds as bigint.
 */

export const NS_PER_SECOND = 1_000_000_000n;
export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

export interface Civil {
  readonly year: number;
  readonly month: number; // 1..12
  readonly day: number; // 1..31
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly nanosecond: number;
}

/** Days since 1970-01-01 of a civil date (month and day may be out of range; they normalise). */
export function daysFromCivil(year: number, month: number, day: number): number {
  // Normalise month into 1..12 first (Go's Date does the same).
  let y = year + Math.floor((month - 1) / 12);
  const m = ((((month - 1) % 12) + 12) % 12) + 1;
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (m + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + 1 - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468 + (day - 1);
}

export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const y = yoe + era * 400;
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { year: m <= 2 ? y + 1 : y, month: m, day: d };
}

export function isLeap(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

export function daysIn(month: number, year: number): number {
  if (month === 2) return isLeap(year) ? 29 : 28;
  return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] as number;
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
}

/** Civil fields of an instant shifted by offsetSeconds. */
export function civilOf(ns: bigint, offsetSeconds: number): Civil & { weekday: number; yday: number } {
  const secs = floorDiv(ns, NS_PER_SECOND);
  const nanos = Number(ns - secs * NS_PER_SECOND);
  const local = secs + BigInt(offsetSeconds);
  const days = Number(floorDiv(local, 86400n));
  const sod = Number(local - BigInt(days) * 86400n);
  const c = civilFromDays(days);
  const weekday = (((days + 4) % 7) + 7) % 7;
  const yday = days - daysFromCivil(c.year, 1, 1) + 1;
  return {
    ...c,
    hour: Math.floor(sod / 3600),
    minute: Math.floor((sod % 3600) / 60),
    second: sod % 60,
    nanosecond: nanos,
    weekday,
    yday,
  };
}

/** Unix seconds of civil fields taken as UTC (fields may be out of range; they normalise). */
export function secondsFromCivil(c: Civil): bigint {
  const days = daysFromCivil(c.year, c.month, c.day);
  return BigInt(days) * 86400n + BigInt(c.hour * 3600 + c.minute * 60 + c.second);
}

export class UnknownZoneError extends Error {}

/** A time zone: a fixed offset or an IANA zone resolved through Intl. */
export interface Zone {
  readonly name: string;
  offsetAt(unixSeconds: bigint): number;
  abbreviationAt(unixSeconds: bigint): string;
}

export const UTC: Zone = { name: 'UTC', offsetAt: () => 0, abbreviationAt: () => 'UTC' };

export function fixedZone(name: string, offset: number): Zone {
  return { name, offsetAt: () => offset, abbreviationAt: () => name };
}

const MAX_ZONES = 256;
/** Resolved zones by name: a bounded memo of Intl formatters (pure, shared by evaluations). */
const zones = new Map<string, Zone>();

/** Intl accepts years up to ±275760; clamp far instants (only used for offset lookup). */
function clampForIntl(unixSeconds: bigint): number {
  const max = 8_000_000_000_000n;
  const s = unixSeconds > max ? max : unixSeconds < -max ? -max : unixSeconds;
  return Number(s) * 1000;
}

/**
 * ICU names a zone's abbreviation only in locales where it is customary (JST in ja-JP, CEST in
 * en-GB …); tzdata, which Go prints, has them everywhere. Ask the locales likely to know.
 */
function abbreviationLocales(zone: string): string[] {
  const region: [RegExp, string][] = [
    [/^Europe\/Dublin$/, 'en-IE'],
    [/^Europe\//, 'en-GB'],
    [/^Asia\/(Kolkata|Calcutta)$/, 'en-IN'],
    [/^Australia\//, 'en-AU'],
    [/^Pacific\/(Auckland|Chatham)$/, 'en-NZ'],
    [/^Africa\/(Johannesburg|Maseru|Mbabane)$/, 'en-ZA'],
    [/^Asia\/Tokyo$/, 'ja-JP'],
    [/^Asia\/Hong_Kong$/, 'en-HK'],
    [/^Asia\/Jakarta$/, 'id-ID'],
    [/^America\//, 'en-CA'],
  ];
  const out = ['en-US'];
  for (const [re, locale] of region) if (re.test(zone)) out.push(locale);
  return out;
}

function intlZone(name: string): Zone {
  let fmt: Intl.DateTimeFormat;
  let abbr: Intl.DateTimeFormat[];
  try {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    abbr = abbreviationLocales(name).map((l) => new Intl.DateTimeFormat(l, { timeZone: name, timeZoneName: 'short' }));
  } catch {
    throw new UnknownZoneError(`unknown time zone ${name}`);
  }
  const offsetAt = (unixSeconds: bigint): number => {
    const ms = clampForIntl(unixSeconds);
    const parts: Record<string, string> = {};
    for (const p of fmt.formatToParts(ms)) parts[p.type] = p.value;
    let year = Number(parts.year);
    if (parts.era === 'BC' || parts.era === 'B') year = 1 - year;
    const local = daysFromCivil(year, Number(parts.month), Number(parts.day)) * 86400 + Number(parts.hour) * 3600 + Number(parts.minute) * 60 + Number(parts.second);
    return local - Math.floor(ms / 1000);
  };
  const abbreviationAt = (unixSeconds: bigint): string => {
    const ms = clampForIntl(unixSeconds);
    for (const f of abbr) {
      const text = f.formatToParts(ms).find((p) => p.type === 'timeZoneName')?.value ?? '';
      if (/^[A-Z]{2,5}$/.test(text) && text !== 'GMT') return text;
      if (text === 'GMT' || text === 'UTC') return text;
    }
    // Zones without an abbreviation print their offset, as tzdata spells it ("+0530", "-03");
    // an offset with seconds is a zone's local mean time before standard time ("LMT").
    const off = offsetAt(unixSeconds);
    if (off % 60 !== 0) return 'LMT';
    const abs = Math.abs(off);
    const hh = String(Math.floor(abs / 3600)).padStart(2, '0');
    const mm = Math.floor((abs % 3600) / 60);
    return `${off < 0 ? '-' : '+'}${hh}${mm === 0 ? '' : String(mm).padStart(2, '0')}`;
  };
  return { name, offsetAt, abbreviationAt };
}

export function loadZone(name: string): Zone {
  if (name === '' || name === 'UTC') return UTC;
  const hit = zones.get(name);
  if (hit !== undefined) return hit;
  const zone = name === 'Local' ? intlZone(new Intl.DateTimeFormat().resolvedOptions().timeZone) : intlZone(name);
  if (zones.size >= MAX_ZONES) {
    const oldest = zones.keys().next().value;
    if (oldest !== undefined) zones.delete(oldest);
  }
  zones.set(name, zone);
  return zone;
}

/** Go's time.Date: civil fields in a zone → instant (ns), resolving DST like Go. */
export function instantOf(c: Civil, zone: Zone): bigint {
  const unix = secondsFromCivil(c);
  const first = zone.offsetAt(unix);
  let offset = first;
  if (first !== 0) {
    const second = zone.offsetAt(unix - BigInt(first));
    if (second !== first) offset = second;
  }
  return (unix - BigInt(offset)) * NS_PER_SECOND + BigInt(c.nanosecond);
}
