/**
 * Time builtins: Go layouts, IANA zones (Intl), durations, int64 nanosecond range.
 * Expected answers come from OPA (v0.70 as a development oracle); rows marked "newer OPA"
 * follow the behaviour the conformance suite pins for current OPA.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NAMED_LAYOUTS } from './go-time-layout.ts';
import { parseRfc3339Common, parseTime } from './go-time-parse.ts';
import { builtinErr, table, typeError } from './test-kit.ts';
import { seededRandom } from '../../../test/support/seeded-random.ts';

table('time', [
  ['time.parse_rfc3339_ns("2020-01-01T00:00:00Z")', '1577836800000000000'],
  ['time.parse_rfc3339_ns("2020-01-01T00:00:00.123456789+02:00")', '1577829600123456789'],
  ['time.parse_rfc3339_ns("2020-01-01 00:00:00Z")', builtinErr('time.parse_rfc3339_ns: parsing time "2020-01-01 00:00:00Z" as "2006-01-02T15:04:05Z07:00": cannot parse " 00:00:00Z" as "T"')],
  ['time.parse_ns("2006-01-02", "2021-07-04")', '1625356800000000000'],
  ['time.parse_ns("Jan 2 2006", "Feb 29 2021")', builtinErr('time.parse_ns: parsing time "Feb 29 2021": day out of range')],
  ['time.parse_ns("2006-01-02 15:04:05.000", "2021-07-04 10:11:12.345")', '1625393472345000000'],
  ['time.parse_ns("2006-01-02 15:04:05", "2021-07-04 10:11:12.345")', '1625393472345000000'],
  ['time.parse_ns("Mon, 02 Jan 2006 15:04:05 MST", "Tue, 03 Feb 2009 11:00:00 PST")', '1233658800000000000'],
  ['time.parse_ns("RFC1123", "Tue, 03 Feb 2009 11:00:00 UTC")', '1233658800000000000'],
  ['time.parse_ns("3:04PM", "5:06AM")', builtinErr('time.parse_ns: time outside of valid range')],
  ['time.parse_ns("2006-01-02T15:04:05Z07:00", "2021-07-04T10:11:12")', builtinErr('time.parse_ns: parsing time "2021-07-04T10:11:12" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "Z07:00"')],
  ['time.parse_ns("2006-002", "2021-032")', '1612137600000000000'],
  ['time.parse_ns("02/01/06", "31/12/99")', '946598400000000000'],
  ['time.parse_ns("2006-01-02", "2021-13-01")', builtinErr('time.parse_ns: parsing time "2021-13-01": month out of range')],
  ['time.parse_duration_ns("1h2m3.5s")', '3723500000000'],
  ['time.parse_duration_ns("-1.5µs")', '-1500'],
  ['time.parse_duration_ns("300ms")', '300000000'],
  ['time.parse_duration_ns("0")', '0'],
  ['time.parse_duration_ns("1d")', builtinErr('time.parse_duration_ns: time: unknown unit "d" in duration "1d"')],
  // Names every JavaScript object has are no units, and no named layouts.
  ['time.parse_duration_ns("1constructor")', builtinErr('time.parse_duration_ns: time: unknown unit "constructor" in duration "1constructor"')],
  ['time.parse_duration_ns("2__proto__")', builtinErr('time.parse_duration_ns: time: unknown unit "__proto__" in duration "2__proto__"')],
  ['time.parse_ns("constructor", "x")', builtinErr('time.parse_ns: parsing time "x" as "constructor": cannot parse "x" as "constructor"')],
  ['time.format([0, "UTC", "toString"])', '"toString"'],
  ['time.format([0, "UTC", "__proto__"])', '"__proto__"'],
  ['time.parse_duration_ns("")', builtinErr('time.parse_duration_ns: time: invalid duration ""')],
  ['time.format(0)', '"1970-01-01T00:00:00Z"'],
  ['time.format([1625393472000000000, "Europe/Paris"])', '"2021-07-04T12:11:12+02:00"'],
  ['time.format([1625393472000000000, "UTC", "Monday, 02-Jan-06 15:04:05 MST"])', '"Sunday, 04-Jul-21 10:11:12 UTC"'],
  ['time.format([1625393472123456789, "UTC", "2006-01-02T15:04:05.000000Z07:00"])', '"2021-07-04T10:11:12.123456Z"'],
  ['time.format([1625393472123000000, "UTC", "15:04:05.999 PM pm"])', '"10:11:12.123 AM am"'],
  ['time.format([1625393472000000000, "America/New_York", "RFC1123"])', '"Sun, 04 Jul 2021 06:11:12 EDT"'],
  ['time.format([1625393472000000000, "Europe/Paris", "RFC850"])', '"Sunday, 04-Jul-21 12:11:12 CEST"'],
  ['time.format([1625393472000000000, "UTC", "ANSIC"])', '"Sun Jul  4 10:11:12 2021"'],
  ['time.format([1625393472000000000, "UTC", "002 __2 _2 Jan January Mon"])', '"185 185  4 Jul July Sun"'],
  ['time.format([-1, "UTC"])', '"1969-12-31T23:59:59.999999999Z"'],
  ['time.date([1625393472000000000, "Pacific/Auckland"])', '[2021,7,4]'],
  ['time.date(-86400000000000)', '[1969,12,31]'],
  ['time.clock([1625393472000000000, "Asia/Kolkata"])', '[15,41,12]'],
  ['time.weekday(0)', '"Thursday"'],
  ['time.weekday([0, "America/Los_Angeles"])', '"Wednesday"'],
  ['time.add_date(1625393472000000000, 0, 1, 31)', '1630750272000000000'],
  ['time.add_date(1625393472000000000, -1, 0, 0)', '1593857472000000000'],
  ['time.add_date(1582977600000000000, 1, 0, 0)', '1614600000000000000'],
  ['time.diff(1625393472000000000, 0)', '[51,6,3,10,11,12]'],
  ['time.diff([0, "Asia/Tokyo"], [1625393472000000000, "America/New_York"])', '[51,6,3,10,11,12]'],
  ['time.date([0, "Not/AZone"])', builtinErr('time.date: unknown time zone Not/AZone')],
  ['time.date(1.5)', builtinErr('time.date: timestamp too big')],
  ['time.date(92233720368547758070)', builtinErr('time.date: timestamp too big')],
  // newer OPA, or Airlock-specific (see comments)
  ['time.now_ns()', '1700000000000000000'],
  ['time.parse_ns("2006-01-02T15:04:05Z07:00", "1677-09-21T00:12:43.145224191-00:00")', builtinErr('time.parse_ns: time outside of valid range')],
  ['time.parse_rfc3339_ns("2262-04-11T23:47:16.854775807-00:00")', '9223372036854775807'],
  ['time.add_date(-9223372036854775808, 0, 0, -1)', builtinErr('time.add_date: time outside of valid range')],
  ['time.format([1670006453141828752, "Asia/Kolkata", "RFC1123Z"])', '"Sat, 03 Dec 2022 00:10:53 +0530"'],
  ['time.date(json.unmarshal("\\"x\\""))', typeError('time.date: operand 1 must be either number (ns) or [number (ns), string (tz)] but got string')],
]);

table('time (layout details)', [
  ['time.format([-2933805434099919740, "America/New_York", "01MST15"])', '"01LMT17"'],
  ['time.format([-2035578887930529271, "Asia/Tokyo", ",000505.9PM"])', '",001212AM"'],
  ['time.format([-3849501577005908752, "America/New_York", ".000TMST-03,000"])', '".994TLMT-09,994"'],
]);

table('time (parse validation)', [
  ['time.parse_rfc3339_ns("2021-07-04T10:00:00+25:00")', builtinErr('time.parse_rfc3339_ns: parsing time "2021-07-04T10:00:00+25:00": time zone offset hour out of range')],
  ['time.parse_rfc3339_ns("2021-07-04T10:00:00.1234567891Z")', '1625392800123456789'],
]);
function general(value: string): bigint | null {
  try {
    return parseTime(NAMED_LAYOUTS.RFC3339 as string, value);
  } catch {
    return null;
  }
}

/** Integers in [0, n) from the shared seeded generator, so a failure names a reproducible input. */
function rng(seed: number): (n: number) => number {
  const next = seededRandom(seed);
  return (n) => Math.floor(next() * n);
}

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

test('time.parse_rfc3339_ns: the common-shape reader agrees with the general parser wherever it answers', () => {
  const r = rng(20261121);
  let answered = 0;
  let refused = 0;
  for (let i = 0; i < 20_000; i++) {
    const frac = r(4) === 0 ? '' : `${r(8) === 0 ? ',' : '.'}${'1234567890'.slice(0, r(11))}`;
    const zone = ['Z', 'z', '', `+${pad(r(26), 2)}:${pad(r(62), 2)}`, `-${pad(r(26), 2)}:${pad(r(62), 2)}`, '+0530'][r(6)] as string;
    const year = r(10) === 0 ? r(10_000) : 1960 + r(100);
    const value = `${pad(year, 4)}-${pad(r(14), 2)}-${pad(r(33), 2)}T${pad(r(26), 2)}:${pad(r(62), 2)}:${pad(r(62), 2)}${frac}${zone}`;
    const fast = parseRfc3339Common(value);
    if (fast === null) {
      refused++;
      continue;
    }
    answered++;
    assert.equal(fast, general(value), value);
  }
  assert.ok(answered > 2_000 && refused > 2_000, `both paths exercised (${answered} read directly, ${refused} left to the general parser)`);
});

test('time.parse_rfc3339_ns: registry timestamps take the direct path; odd shapes are left to the general parser', () => {
  assert.equal(parseRfc3339Common('2024-05-01T12:00:00.123Z'), 1714564800123000000n);
  assert.equal(parseRfc3339Common('1970-01-01T00:00:00Z'), 0n);
  assert.equal(parseRfc3339Common('2024-05-01T14:00:00+02:00'), 1714564800000000000n);
  assert.equal(parseRfc3339Common('2024-02-29T00:00:00Z'), general('2024-02-29T00:00:00Z'));
  for (const odd of ['2023-02-29T00:00:00Z', '2024-05-01T24:00:00Z', '2024-05-01T12:00:00,5Z', '2024-05-01T12:00:00.1234567891Z', '2024-05-01 12:00:00Z', '2024-05-01T12:00:00+24:00', '2024-05-01T12:00:00']) {
    assert.equal(parseRfc3339Common(odd), null, odd);
  }
  assert.equal(general('2024-05-01T12:00:00,5Z'), 1714564800500000000n, 'Go accepts a comma; the general parser handles it');
});
