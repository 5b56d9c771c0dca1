/**
 * The times S3 and the AWS credential services write (`2025-03-14T09:26:53.000Z`, an offset in
 * place of the Z at most), read strictly. `new Date` is no reader of what an endpoint sends: it
 * rolls a day the month does not have over into the next month (`02-30` is 2 March) and reads a
 * time without a zone in the server's own zone, so a listing's LastModified (from which the
 * sweep counts a blob's grace period) or a credential's expiry would be read as a time the
 * answer never said.
 */

const ISO_TIME = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(?:Z|([+-])(\d\d):(\d\d))$/;

/** The time `text` says; null when it is not one written so, or names a day, hour or offset that does not exist. */
export function parseIsoTime(text: string): Date | null {
  const m = ISO_TIME.exec(text);
  if (m === null) return null;
  const [year, month, day, hour, minute, second, offsetHours, offsetMinutes] = [m[1], m[2], m[3], m[4], m[5], m[6], m[9] ?? '0', m[10] ?? '0'].map(Number) as [number, number, number, number, number, number, number, number];
  if (hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return null;
  const at = new Date(0);
  at.setUTCFullYear(year, month - 1, day);
  // A month or day out of range moves the date on: it is then not the one written.
  if (at.getUTCFullYear() !== year || at.getUTCMonth() !== month - 1 || at.getUTCDate() !== day) return null;
  const offsetMs = (m[8] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  return new Date(at.getTime() + ((hour * 60 + minute) * 60 + second) * 1000 + Number((m[7] ?? '').padEnd(3, '0').slice(0, 3)) - offsetMs);
}
