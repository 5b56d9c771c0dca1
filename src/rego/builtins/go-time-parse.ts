/** Go's time.Parse (default location UTC) over reference-time layouts. */
import { getNum, lookupName, MONTHS, nextChunk, parseError, TimeParseError, WEEKDAYS, type Std } from './go-time-layout.ts';
import { goQuote } from './term-text.ts';
import { daysFromCivil, daysIn, NS_PER_SECOND, secondsFromCivil } from './go-time-zone.ts';

function isDigit(s: string, i: number): boolean {
  const c = s[i];
  return c !== undefined && c >= '0' && c <= '9';
}

/** Nanoseconds from a fraction like ".123" (separator included, at most 9 digits used). */
function parseNanos(v: string, n: number): number {
  let digits = v.slice(1, Math.min(n, 10));
  digits = digits.padEnd(9, '0');
  return Number(digits);
}

function parseOffset(v: string, std: string): [number, string] | null {
  const body = std.slice(1);
  const sign = v[0];
  if (sign !== '+' && sign !== '-') return null;
  let hh: string;
  let mm = '00';
  let ss = '00';
  let len: number;
  switch (body) {
    case '07':
      if (!/^[+-]\d{2}/.test(v)) return null;
      hh = v.slice(1, 3);
      len = 3;
      break;
    case '0700':
      if (!/^[+-]\d{4}/.test(v)) return null;
      [hh, mm] = [v.slice(1, 3), v.slice(3, 5)];
      len = 5;
      break;
    case '07:00':
      if (!/^[+-]\d{2}:\d{2}/.test(v)) return null;
      [hh, mm] = [v.slice(1, 3), v.slice(4, 6)];
      len = 6;
      break;
    case '070000':
      if (!/^[+-]\d{6}/.test(v)) return null;
      [hh, mm, ss] = [v.slice(1, 3), v.slice(3, 5), v.slice(5, 7)];
      len = 7;
      break;
    default:
      if (!/^[+-]\d{2}:\d{2}:\d{2}/.test(v)) return null;
      [hh, mm, ss] = [v.slice(1, 3), v.slice(4, 6), v.slice(7, 9)];
      len = 9;
      break;
  }
  if (Number(hh) > 24) throw new TimeParseError('time zone offset hour');
  if (Number(mm) > 60) throw new TimeParseError('time zone offset minute');
  if (Number(ss) > 60) throw new TimeParseError('time zone offset second');
  const off = (Number(hh) * 3600 + Number(mm) * 60 + Number(ss)) * (sign === '-' ? -1 : 1);
  return [off, v.slice(len)];
}

/** A zone abbreviation like MST, CEST, GMT+3 (Go's parseTimeZone, simplified). */
function zoneName(v: string): number {
  const m = /^(GMT[+-]\d{1,2}|[A-Z]{3,5}|ChST|MeST)/.exec(v);
  return m === null ? 0 : m[0].length;
}

/** The shape nearly every RFC 3339 timestamp has: `2024-05-01T12:00:00Z`, `…:00.123+02:00`. */
const RFC3339_COMMON = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;

/**
 * time.Parse(RFC3339, value) → Unix ns for the common shape with every field in range, read
 * directly; null for anything else, which the general `parseTime` then accepts or refuses with
 * Go's message. Both give the same instant wherever this one answers (a test compares them).
 */
export function parseRfc3339Common(value: string): bigint | null {
  const m = RFC3339_COMMON.exec(value);
  if (m === null) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = Number(m[6]);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(month, year) || hour > 23 || minute > 59 || second > 59) return null;
  let offset = 0;
  if (m[8] === undefined) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return null;
    offset = (oh * 3600 + om * 60) * (m[9] === '-' ? -1 : 1);
  }
  const nsec = m[7] === undefined ? 0 : Number(m[7].padEnd(9, '0'));
  const secs = secondsFromCivil({ year, month, day, hour, minute, second, nanosecond: 0 }) - BigInt(offset);
  return secs * NS_PER_SECOND + BigInt(nsec);
}

/** time.Parse(layout, value) → Unix ns. Zone abbreviations other than UTC/GMT±h count as offset 0, as in Go. */
export function parseTime(layout: string, value: string): bigint {
  const origLayout = layout;
  const origValue = value;
  let year = 0;
  let month = -1;
  let day = -1;
  let yday = -1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let nsec = 0;
  let pmSet = false;
  let amSet = false;
  let offset: number | null = null;
  const range = (what: string): TimeParseError => parseError(origValue, origLayout, '', '', `: ${what} out of range`);
  for (;;) {
    const { prefix, std, suffix } = nextChunk(layout);
    const stdText = typeof std === 'object' && std !== null ? `${std.sep}${std.frac.repeat(std.digits)}` : (std ?? '');
    const layoutElem = layout.slice(prefix.length, layout.length - suffix.length);
    if (!value.startsWith(prefix)) throw parseError(origValue, origLayout, value, prefix);
    value = value.slice(prefix.length);
    if (std === null) {
      if (value.length > 0) throw parseError(origValue, origLayout, '', '', `: extra text: ${goQuote(value)}`);
      break;
    }
    layout = suffix;
    const hold = value;
    const fail = (): TimeParseError => parseError(origValue, origLayout, hold, layoutElem || stdText);
    if (typeof std === 'object') {
      if (std.frac === '0') {
        const n = 1 + std.digits;
        if (value.length < n || (value[0] !== '.' && value[0] !== ',') || !/^\d+$/.test(value.slice(1, n))) throw fail();
        nsec = parseNanos(value, n);
        value = value.slice(n);
      } else {
        if (value.length < 2 || (value[0] !== '.' && value[0] !== ',') || !isDigit(value, 1)) continue;
        let i = 0;
        while (i < 9 && isDigit(value, i + 1)) i++;
        nsec = parseNanos(value, 1 + i);
        value = value.slice(1 + i);
      }
      continue;
    }
    const s: Std = std;
    switch (s) {
      case '2006': {
        if (value.length < 4 || !/^\d{4}/.test(value)) throw fail();
        year = Number(value.slice(0, 4));
        value = value.slice(4);
        break;
      }
      case '06': {
        if (!/^\d{2}/.test(value)) throw fail();
        const y = Number(value.slice(0, 2));
        year = y >= 69 ? y + 1900 : y + 2000;
        value = value.slice(2);
        break;
      }
      case 'January':
      case 'Jan': {
        const names = s === 'Jan' ? MONTHS.map((m) => m.slice(0, 3)) : MONTHS;
        const r = lookupName(names, value);
        if (r === null) throw fail();
        month = r[0] + 1;
        value = r[1];
        break;
      }
      case 'Monday':
      case 'Mon': {
        const names = s === 'Mon' ? WEEKDAYS.map((m) => m.slice(0, 3)) : WEEKDAYS;
        const r = lookupName(names, value);
        if (r === null) throw fail();
        value = r[1];
        break;
      }
      case '1':
      case '01': {
        const r = getNum(value, s === '01');
        if (r === null) throw fail();
        if (r[0] <= 0 || r[0] > 12) throw range('month');
        [month, value] = r;
        break;
      }
      case '2':
      case '_2':
      case '02': {
        if (s === '_2' && value[0] === ' ') value = value.slice(1);
        const r = getNum(value, s === '02');
        if (r === null) throw fail();
        [day, value] = r;
        break;
      }
      case '__2':
      case '002': {
        let v = value;
        if (s === '__2') v = v.replace(/^ {1,2}/, '');
        const m = /^\d{1,3}/.exec(v);
        if (m === null || (s === '002' && m[0].length !== 3)) throw fail();
        yday = Number(m[0]);
        value = v.slice(m[0].length);
        break;
      }
      case '15': {
        const r = getNum(value, false);
        if (r === null) throw fail();
        if (r[0] > 23) throw range('hour');
        [hour, value] = r;
        break;
      }
      case '3':
      case '03': {
        const r = getNum(value, s === '03');
        if (r === null) throw fail();
        if (r[0] > 12) throw range('hour');
        [hour, value] = r;
        break;
      }
      case '4':
      case '04': {
        const r = getNum(value, s === '04');
        if (r === null) throw fail();
        if (r[0] > 59) throw range('minute');
        [minute, value] = r;
        break;
      }
      case '5':
      case '05': {
        const r = getNum(value, s === '05');
        if (r === null) throw fail();
        if (r[0] > 59) throw range('second');
        [second, value] = r;
        // A fraction after the seconds is accepted even if the layout has none.
        if (value.length >= 2 && (value[0] === '.' || value[0] === ',') && isDigit(value, 1)) {
          const next = nextChunk(layout).std;
          if (typeof next === 'object' && next !== null) break;
          let n = 2;
          while (isDigit(value, n)) n++;
          nsec = parseNanos(value, n);
          value = value.slice(n);
        }
        break;
      }
      case 'PM':
      case 'pm': {
        const p = value.slice(0, 2);
        const want = s === 'PM' ? ['PM', 'AM'] : ['pm', 'am'];
        if (p === want[0]) pmSet = true;
        else if (p === want[1]) amSet = true;
        else throw fail();
        value = value.slice(2);
        break;
      }
      case 'MST': {
        if (value.startsWith('UTC')) {
          offset = 0;
          value = value.slice(3);
          break;
        }
        const n = zoneName(value);
        if (n === 0) throw fail();
        const gmt = /^GMT([+-]\d{1,2})$/.exec(value.slice(0, n));
        offset = gmt === null ? 0 : Number(gmt[1]) * 3600;
        value = value.slice(n);
        break;
      }
      default: {
        if (s.startsWith('Z') && value[0] === 'Z') {
          offset = 0;
          value = value.slice(1);
          break;
        }
        let r: [number, string] | null;
        try {
          r = parseOffset(value, s);
        } catch (e) {
          if (e instanceof TimeParseError) throw range(e.message);
          throw e;
        }
        if (r === null) throw fail();
        [offset, value] = r;
      }
    }
  }
  if (pmSet && hour < 12) hour += 12;
  else if (amSet && hour === 12) hour = 0;
  if (yday >= 0) {
    const leap = daysIn(2, year) === 29;
    if (yday < 1 || yday > (leap ? 366 : 365)) throw range('day-of-year');
    const days = daysFromCivil(year, 1, 1) + yday - 1;
    const jan1 = daysFromCivil(year, 1, 1);
    let m = 1;
    let rem = days - jan1 + 1;
    while (rem > daysIn(m, year)) {
      rem -= daysIn(m, year);
      m++;
    }
    if (month >= 0 && month !== m) throw range('day-of-year');
    if (day >= 0 && day !== rem) throw range('day-of-year');
    month = m;
    day = rem;
  } else {
    if (month < 0) month = 1;
    if (day < 0) day = 1;
  }
  if (day < 1 || day > daysIn(month, year)) throw range('day');
  const secs = secondsFromCivil({ year, month, day, hour, minute, second, nanosecond: 0 }) - BigInt(offset ?? 0);
  return secs * NS_PER_SECOND + BigInt(nsec);
}
