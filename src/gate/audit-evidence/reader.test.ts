import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AUDIT_GENESIS_HASH, auditEventHash } from '../../storage/ports/index.ts';
import { SegmentError } from './errors.ts';
import { SEGMENT_FORMAT } from './format.ts';
import { splitLines } from './lines.ts';
import { readSegment, type SegmentItem } from './reader.ts';

const H = 'ab'.repeat(32);
const header = { format: SEGMENT_FORMAT, version: 1, airlockVersion: '0.1.0', exportedAt: '2026-03-01T12:00:00.000Z', range: { since: '2026-03-01T00:00:00Z', until: null, after: null, through: null }, headSeq: 1, anchor: { seq: 0, hash: AUDIT_GENESIS_HASH }, through: 1 };
const base = { seq: 1, at: '2026-03-01T12:00:00.000Z', actor: 'policy', action: 'decision.allow', subject: 'pkg:npm/a@1.0.0', details: { phase: 'artifact' } };
const event = { ...base, prevHash: AUDIT_GENESIS_HASH, hash: auditEventHash(1, AUDIT_GENESIS_HASH, { ...base, at: new Date(base.at) }) };
const trailer = { end: SEGMENT_FORMAT, count: 1, firstSeq: 1, lastSeq: 1, lastHash: event.hash, actors: { 'token:T1': { label: 'ci', role: 'approver', createdAt: null, revokedAt: null } } };

function file(...lines: unknown[]): string {
  return lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n';
}

async function read(text: string): Promise<SegmentItem[]> {
  const out: SegmentItem[] = [];
  for await (const item of readSegment(splitLines((async function* () { yield text; })()))) out.push(item);
  return out;
}

async function refused(text: string, pattern: RegExp, where: { line: number; seq?: number }): Promise<void> {
  await assert.rejects(read(text), (err: unknown) => {
    assert.ok(err instanceof SegmentError, String(err));
    assert.match(err.message, pattern);
    assert.equal(err.line, where.line);
    assert.equal(err.seq, where.seq ?? null);
    return true;
  });
}

test('reader: a well-formed segment reads as its header, events and trailer', async () => {
  const items = await read(file(header, event, trailer));
  assert.deepEqual(items.map((i) => [i.kind, i.line]), [['header', 1], ['event', 2], ['trailer', 3]]);
  const e = items[1];
  assert.ok(e?.kind === 'event');
  assert.deepEqual(e.event, { ...event, at: new Date(event.at) });
  assert.ok(items[2]?.kind === 'trailer' && items[2].trailer.actors['token:T1']?.role === 'approver');
});

test('reader: what is not a segment header, or a version this Airlock does not read', async () => {
  await refused('', /^the segment is empty: no header$/, { line: 1 });
  await refused(file({ hello: 1 }), /^line 1 is not the header of an Airlock audit segment/, { line: 1 });
  await refused(file([1, 2]), /^line 1 is not a JSON object$/, { line: 1 });
  await refused(file({ ...header, version: 2 }, trailer), /^line 1: the header names format version 2; this Airlock reads version 1$/, { line: 1 });
  await refused(file({ ...header, version: '1' }), /names format version "1"/, { line: 1 });
  // Named by kind or cut, never whole: JSON.stringify of a list nested 100,000 deep threw a RangeError.
  await refused(file(`{"format":"${SEGMENT_FORMAT}","version":${'['.repeat(100_000)}${']'.repeat(100_000)}}`), /^line 1: the header names format version a list; this Airlock reads version 1$/, { line: 1 });
  await refused(file({ ...header, version: { toString: 1 } }), /names format version an object;/, { line: 1 });
  await refused(file({ ...header, version: undefined }), /names format version nothing;/, { line: 1 });
  await refused(file({ ...header, version: `2${'0'.repeat(1_000_000)}` }), /^line 1: the header names format version "20{19}…"; this Airlock reads version 1$/, { line: 1 });
  await refused(file({ ...header, anchor: { seq: 0, hash: 'zz' } }), /^line 1: the header's anchor has a hash that is not 64 lowercase hex digits$/, { line: 1 });
  await refused(file({ ...header, anchor: { seq: -1, hash: H } }), /anchor has no seq \(an integer, at least 0\)/, { line: 1 });
  await refused(file({ ...header, through: 5 }), /through 5 past the head it names \(1\)/, { line: 1 });
  await refused(file({ ...header, anchor: { seq: 1, hash: H }, through: 0 }), /through 0 before its anchor's seq 1/, { line: 1 });
  await refused(file({ ...header, exportedAt: 'yesterday' }), /exportedAt that is not a UTC instant/, { line: 1 });
  await refused(file({ ...header, range: { ...header.range, after: 'x' } }), /range has no after/, { line: 1 });
});

test('reader: malformed lines are named by number (and seq, once known)', async () => {
  await refused(file(header, '{"seq": 1,', trailer), /^line 2 is not JSON \(/, { line: 2 });
  await refused(file(header, '', trailer), /^line 2 is empty$/, { line: 2 });
  await refused(file(header, 'null', trailer), /^line 2 is not a JSON object$/, { line: 2 });
  await refused(file(header, { ...event, extra: true }, trailer), /^line 2 \(seq 1\): the event has a field no audit event has \("extra"\)/, { line: 2, seq: 1 });
  const { details: _, ...noDetails } = event;
  await refused(file(header, noDetails, trailer), /^line 2 \(seq 1\): the event has no details$/, { line: 2, seq: 1 });
  await refused(file(header, { ...event, seq: 0 }, trailer), /^line 2 \(seq 0\): the event has no seq \(an integer, at least 1\)$/, { line: 2, seq: 0 });
  await refused(file(header, { ...event, seq: 1.5 }, trailer), /^line 2: the event has no seq/, { line: 2 });
  await refused(file(header, { ...event, at: '2026-03-01T12:00:00Z' }, trailer), /^line 2 \(seq 1\): the event has a at that is not a UTC instant as Airlock writes it/, { line: 2, seq: 1 });
  await refused(file(header, { ...event, hash: H.toUpperCase() }, trailer), /has a hash that is not 64 lowercase hex digits/, { line: 2, seq: 1 });
  await refused(file(header, { ...event, actor: 7 }, trailer), /the event has no text actor/, { line: 2, seq: 1 });
});

test('reader: the trailer must be last and well formed, and a segment without one is incomplete', async () => {
  await refused(file(header, event), /^the segment ends at line 2 without its trailer: it is incomplete/, { line: 2 });
  await refused(file(header), /^the segment ends at line 1 without its trailer/, { line: 1 });
  await refused(file(header, trailer, event), /^line 3 follows the trailer \(line 2\)/, { line: 3 });
  await refused(file(header, event, { ...trailer, end: 'other' }), /^line 3: the trailer is not an Airlock audit segment's/, { line: 3 });
  await refused(file(header, event, { ...trailer, lastHash: 'x' }), /^line 3: the trailer has a lastHash that is not 64 lowercase hex digits/, { line: 3 });
  await refused(file(header, event, { ...trailer, actors: { 'token:T1': { label: 1 } } }), /trailer's actor "token:T1" has no text label/, { line: 3 });
  await refused(file(header, event, { ...trailer, count: -1 }), /trailer has no count/, { line: 3 });
  await refused(file(header, event, trailer, ''), /^line 4 follows the trailer/, { line: 4 });
});

test('reader: a hostile line is bounded by the line limit, whatever it holds', async () => {
  const first = `${JSON.stringify(header)}\n`;
  const limit = first.length + 8;
  const items = splitLines((async function* () { yield first; yield `{"seq":1,"details":"${'x'.repeat(limit)}`; })(), limit);
  await assert.rejects(async () => { for await (const _ of readSegment(items)); }, (err: unknown) => err instanceof SegmentError && err.message === `line 2 is longer than ${limit} bytes` && err.line === 2);
});
