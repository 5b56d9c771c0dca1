import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseListPage } from './list-page.ts';
import { XmlError } from './xml.ts';

const page = (lastModified: string): string =>
  `<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>k</Key><Size>1</Size><LastModified>${lastModified}</LastModified></Contents></ListBucketResult>`;

test('list page: LastModified is read as written, in its zone, to the millisecond', () => {
  const at = (text: string): string => (parseListPage(page(text)).objects[0]?.lastModified as Date).toISOString();
  assert.equal(at('2025-03-14T09:26:53.000Z'), '2025-03-14T09:26:53.000Z');
  assert.equal(at('2025-03-14T09:26:53Z'), '2025-03-14T09:26:53.000Z');
  assert.equal(at('2024-02-29T23:59:59.123456789Z'), '2024-02-29T23:59:59.123Z');
  assert.equal(at('2025-03-14T11:26:53.5+02:00'), '2025-03-14T09:26:53.500Z');
  assert.equal(at('2025-03-14T00:00:00-05:30'), '2025-03-14T05:30:00.000Z');
});

test('list page: a LastModified that names no time (a day the month lacks, no zone, hour 24) is refused, not rolled over or read in local time', () => {
  // The sweep counts a blob's grace period from it: 30 February read as 2 March, or a zoneless
  // time read in the server's zone, is a time the store never said.
  for (const text of ['2025-02-30T00:00:00Z', '2025-02-29T00:00:00Z', '2025-04-31T12:00:00Z', '2025-01-01T00:00:00', '2025-01-01T24:00:00Z', '2025-01-01T00:00:00+24:00', '2025-01-01T00:00Z', '2025-13-01T00:00:00Z', '+002025-01-01T00:00:00Z', '2025-01-01T00:00:00z']) {
    assert.throws(() => parseListPage(page(text)), (err: unknown) => err instanceof XmlError && err.message === `<LastModified> "${text}" is not an ISO 8601 time with its zone`, text);
  }
});
