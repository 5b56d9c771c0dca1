/**
 * Go's reference-time layouts (`2006-01-02T15:04:05Z07:00`): formatting and parsing with
 * time.Format / time.Parse semantics and error texts.
 */
import { goQuote } from './term-text.ts';
import { civilOf, NS_PER_SECOND, type Zone } from './go-time-zone.ts';

export const NAMED_LAYOUTS: Readonly<Record<string, string>> = {
  ANSIC: 'Mon Jan _2 15:04:05 2006',
  UnixDate: 'Mon Jan _2 15:04:05 MST 2006',
  RubyDate: 'Mon Jan 02 15:04:05 -0700 2006',
  RFC822: '02 Jan 06 15:04 MST',
  RFC822Z: '02 Jan 06 15:04 -0700',
  RFC850: 'Monday, 02-Jan-06 15:04:05 MST',
  RFC1123: 'Mon, 02 Jan 2006 15:04:05 MST',
  RFC1123Z: 'Mon, 02 Jan 2006 15:04:05 -0700',
  RFC3339: '2006-01-02T15:04:05Z07:00',
  RFC3339Nano: '2006-01-02T15:04:05.999999999Z07:00',
};

export const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
export const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

export type Std =
  | 'Jan' | 'January' | 'Mon' | 'Monday' | 'MST'
  | '01' | '02' | '03' | '04' | '05' | '06' | '002'
  | '1' | '15' | '2' | '2006' | '_2' | '__2' | '3' | '4' | '5' | 'PM' | 'pm'
  | '-070000' | '-07:00:00' | '-0700' | '-07:00' | '-07'
  | 'Z070000' | 'Z07:00:00' | 'Z0700' | 'Z07:00' | 'Z07'
  | { frac: '0' | '9'; digits: number; sep: string };

interface Chunk {
  readonly prefix: string;
  readonly std: Std | null;
  readonly suffix: string;
}

function isLower(c: string | undefined): boolean {
  return c !== undefined && c >= 'a' && c <= 'z';
}

/** Go's nextStdChunk. */
export function nextChunk(layout: string): Chunk {
  for (let i = 0; i < layout.length; i++) {
    const c = layout[i] as string;
    const rest = layout.slice(i);
    const at = (std: Std, len: number): Chunk => ({ prefix: layout.slice(0, i), std, suffix: layout.slice(i + len) });
    switch (c) {
      case 'J':
        if (rest.startsWith('Jan')) {
          if (rest.startsWith('January')) return at('January', 7);
          if (!isLower(rest[3])) return at('Jan', 3);
        }
        break;
      case 'M':
        if (rest.startsWith('Mon')) {
          if (rest.startsWith('Monday')) return at('Monday', 6);
          if (!isLower(rest[3])) return at('Mon', 3);
        }
        if (rest.startsWith('MST')) return at('MST', 3);
        break;
      case '0':
        if (rest.length >= 2 && rest[1]! >= '1' && rest[1]! <= '6') return at(rest.slice(0, 2) as Std, 2);
        if (rest.startsWith('002')) return at('002', 3);
        break;
      case '1':
        if (rest[1] === '5') return at('15', 2);
        return at('1', 1);
      case '2':
        if (rest.startsWith('2006')) return at('2006', 4);
        return at('2', 1);
      case '_':
        if (rest[1] === '2') {
          if (rest.startsWith('_2006')) return { prefix: layout.slice(0, i + 1), std: '2006', suffix: layout.slice(i + 5) };
          return at('_2', 2);
        }
        if (rest.startsWith('__2')) return at('__2', 3);
        break;
      case '3':
      case '4':
      case '5':
        return at(c, 1);
      case 'P':
        if (rest[1] === 'M') return at('PM', 2);
        break;
      case 'p':
        if (rest[1] === 'm') return at('pm', 2);
        break;
      case '-':
      case 'Z':
        for (const s of ['070000', '07:00:00', '0700', '07:00', '07']) {
          if (rest.startsWith(c + s)) return at((c + s) as Std, s.length + 1);
        }
        break;
      case '.':
      case ',':
        if (rest[1] === '0' || rest[1] === '9') {
          const ch = rest[1];
          let j = 1;
          while (rest[j] === ch) j++;
          if (!(rest[j] !== undefined && rest[j]! >= '0' && rest[j]! <= '9')) {
            return at({ frac: ch, digits: j - 1, sep: c }, j);
          }
        }
        break;
      default:
        break;
    }
  }
  return { prefix: layout, std: null, suffix: '' };
}

export function pad(n: number, width: number): string {
  const s = String(Math.abs(n)).padStart(width, '0');
  return n < 0 ? `-${s}` : s;
}

/** time.Format */
export function formatTime(ns: bigint, zone: Zone, layout: string): string {
  const secs = ns / NS_PER_SECOND - (ns % NS_PER_SECOND < 0n ? 1n : 0n);
  const offset = zone.offsetAt(secs);
  const t = civilOf(ns, offset);
  let out = '';
  let rest = layout;
  while (rest !== '') {
    const { prefix, std, suffix } = nextChunk(rest);
    out += prefix;
    if (std === null) break;
    rest = suffix;
    if (typeof std === 'object') {
      let digits = pad(t.nanosecond, 9).slice(0, std.digits);
      if (std.frac === '9') {
        // Truncate to the layout's digits, then drop trailing zeros (Go's appendNano).
        digits = digits.replace(/0+$/, '');
        if (digits === '') continue;
      }
      out += std.sep + digits;
      continue;
    }
    switch (std) {
      case '06':
        out += pad(((t.year % 100) + 100) % 100, 2);
        break;
      case '2006':
        out += pad(t.year, 4);
        break;
      case 'Jan':
        out += (MONTHS[t.month - 1] as string).slice(0, 3);
        break;
      case 'January':
        out += MONTHS[t.month - 1];
        break;
      case '1':
        out += t.month;
        break;
      case '01':
        out += pad(t.month, 2);
        break;
      case 'Mon':
        out += (WEEKDAYS[t.weekday] as string).slice(0, 3);
        break;
      case 'Monday':
        out += WEEKDAYS[t.weekday];
        break;
      case '2':
        out += t.day;
        break;
      case '_2':
        out += String(t.day).padStart(2, ' ');
        break;
      case '02':
        out += pad(t.day, 2);
        break;
      case '__2':
        out += String(t.yday).padStart(3, ' ');
        break;
      case '002':
        out += pad(t.yday, 3);
        break;
      case '15':
        out += pad(t.hour, 2);
        break;
      case '3':
        out += t.hour % 12 === 0 ? 12 : t.hour % 12;
        break;
      case '03':
        out += pad(t.hour % 12 === 0 ? 12 : t.hour % 12, 2);
        break;
      case '4':
        out += t.minute;
        break;
      case '04':
        out += pad(t.minute, 2);
        break;
      case '5':
        out += t.second;
        break;
      case '05':
        out += pad(t.second, 2);
        break;
      case 'PM':
        out += t.hour >= 12 ? 'PM' : 'AM';
        break;
      case 'pm':
        out += t.hour >= 12 ? 'pm' : 'am';
        break;
      case 'MST': {
        const name = zone.abbreviationAt(secs);
        if (name !== '') out += name;
        else out += formatOffset(offset, '-0700');
        break;
      }
      default:
        out += formatOffset(offset, std);
    }
  }
  return out;
}

function formatOffset(offset: number, std: string): string {
  if (offset === 0 && std.startsWith('Z')) return 'Z';
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const hh = pad(Math.floor(abs / 3600), 2);
  const mm = pad(Math.floor((abs % 3600) / 60), 2);
  const ss = pad(abs % 60, 2);
  const body = std.slice(1);
  switch (body) {
    case '07':
      return sign + hh;
    case '0700':
      return sign + hh + mm;
    case '07:00':
      return `${sign}${hh}:${mm}`;
    case '070000':
      return sign + hh + mm + ss;
    default:
      return `${sign}${hh}:${mm}:${ss}`;
  }
}

export class TimeParseError extends Error {}

export function parseError(value: string, layout: string, valueElem: string, layoutElem: string, message = ''): TimeParseError {
  if (message !== '') return new TimeParseError(`parsing time ${goQuote(value)}${message}`);
  return new TimeParseError(
    `parsing time ${goQuote(value)} as ${goQuote(layout)}: cannot parse ${goQuote(valueElem)} as ${goQuote(layoutElem)}`,
  );
}

export function getNum(v: string, fixed: boolean): [number, string] | null {
  if (!/^[0-9]/.test(v)) return null;
  if (!/^[0-9]{2}/.test(v)) return fixed ? null : [Number(v[0]), v.slice(1)];
  return [Number(v.slice(0, 2)), v.slice(2)];
}

export function lookupName(names: readonly string[], v: string): [number, string] | null {
  for (let i = 0; i < names.length; i++) {
    const n = names[i] as string;
    if (v.length >= n.length && v.slice(0, n.length).toLowerCase() === n.toLowerCase()) return [i, v.slice(n.length)];
  }
  return null;
}
