import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStorage, type Storage } from '../../storage/index.ts';
import { AUDIT_GENESIS_HASH, auditEventHash, type AuditEventInput } from '../../storage/ports/index.ts';
import { SegmentError } from './errors.ts';
import type { SegmentRange } from './format.ts';
import { verifiedSegment } from './index.ts';
import type { LiveTrail, SegmentSummary } from './verify.ts';
import { openAuditSegment, tokenDirectory } from './writer.ts';

const T0 = Date.parse('2026-03-01T12:00:00.000Z');
const minute = (m: number): string => new Date(T0 + m * 60_000).toISOString();
const NONE: SegmentRange = { since: null, until: null, after: null, through: null };

async function storeWith(t: TestContext, events: number): Promise<Storage> {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-segment-'));
  const storage = await openStorage({ dataDir: dir, blobs: { driver: 'fs', fsync: false } });
  t.after(async () => {
    await storage.close();
    await rm(dir, { recursive: true, force: true });
  });
  for (let i = 0; i < events; i++) await storage.metadata.appendAudit(input(i));
  return storage;
}

function input(m: number, over: Partial<AuditEventInput> = {}): AuditEventInput {
  return { at: new Date(T0 + m * 60_000), actor: m % 2 === 0 ? 'policy' : 'token:T1', action: 'decision.allow', subject: `pkg:npm/p${m}@1.0.0`, details: { m, reason: `r${m}` }, ...over };
}

async function lines(storage: Storage, range: Partial<SegmentRange> = {}, pageSize?: number): Promise<string[]> {
  const segment = await openAuditSegment(storage.metadata, { ...NONE, ...range }, { clock: () => new Date(T0), actors: tokenDirectory(() => storage.metadata.listTokens()), ...(pageSize === undefined ? {} : { pageSize }) });
  const out: string[] = [];
  for await (const line of segment.lines()) out.push(line);
  return out;
}

function live(storage: Storage): LiveTrail {
  return (after) => storage.metadata.listAudit({ afterSeq: after, limit: 3 });
}

async function verify(text: readonly string[], liveTrail: LiveTrail | null = null): Promise<SegmentSummary> {
  const { items, verification } = verifiedSegment((async function* () { yield* text; })(), { live: liveTrail });
  for await (const _ of items);
  return verification.summary;
}

async function broken(text: readonly string[], pattern: RegExp, where: { line: number; seq?: number }, liveTrail: LiveTrail | null = null): Promise<void> {
  await assert.rejects(verify(text, liveTrail), (err: unknown) => {
    assert.ok(err instanceof SegmentError, String(err));
    assert.match(err.message, pattern);
    assert.deepEqual({ line: err.line, seq: err.seq }, { line: where.line, seq: where.seq ?? null });
    return true;
  });
}

type Obj = Record<string, unknown>;
const parse = (l: string): Obj => JSON.parse(l) as Obj;
const line = (o: unknown): string => `${JSON.stringify(o)}\n`;

/** The segment rewritten from event index `from` on, every hash recomputed: consistent in itself. */
function rewritten(text: readonly string[], from: number, change: (e: Obj) => Obj): string[] {
  const out = [...text];
  let prev = (parse(text[from] as string)['prevHash']) as string;
  for (let i = from; i < text.length - 1; i++) {
    const e = i === from ? change(parse(text[i] as string)) : parse(text[i] as string);
    const hash = auditEventHash(e['seq'] as number, prev, { at: new Date(e['at'] as string), actor: e['actor'] as string, action: e['action'] as string, subject: e['subject'] as string, details: e['details'] as never });
    out[i] = line({ ...e, prevHash: prev, hash });
    prev = hash;
  }
  out[text.length - 1] = line({ ...parse(text.at(-1) as string), lastHash: prev });
  return out;
}

test('segment: a range by time, by seq or both resolves to one run of seqs, never past the head', async (t) => {
  const storage = await storeWith(t, 10); // seq 1..10 at minutes 0..9
  const covered = async (range: Partial<SegmentRange>): Promise<[number, number]> => {
    const s = await verify(await lines(storage, range));
    return [s.header.anchor.seq, s.header.through];
  };
  assert.deepEqual(await covered({}), [0, 10], 'the whole trail, from the genesis');
  assert.deepEqual(await covered({ since: minute(3), until: minute(7) }), [3, 7], 'minutes 3 to 6 (until is exclusive): seqs 4 to 7, anchored at 3');
  assert.deepEqual(await covered({ since: minute(2.5) }), [3, 10]);
  assert.deepEqual(await covered({ until: minute(0) }), [0, 0], 'nothing before the first event');
  assert.deepEqual(await covered({ after: 2, through: 5 }), [2, 5]);
  assert.deepEqual(await covered({ since: minute(1), after: 4, through: 8, until: minute(7) }), [4, 7], 'times and seqs together: what both allow');
  assert.deepEqual(await covered({ since: minute(60) }), [10, 10], 'after the last event: none, anchored at the head');
  assert.deepEqual(await covered({ after: 50 }), [10, 10]);
  assert.deepEqual(await covered({ through: 50 }), [0, 10]);
  const [first] = await storage.metadata.listAudit({ afterSeq: 2, limit: 1 });
  const s = await verify(await lines(storage, { after: 3 }));
  assert.deepEqual(s.header.anchor, { seq: 3, hash: first?.hash }, 'the anchor is the event just before the first exported');
  await assert.rejects(lines(storage, { since: minute(5), until: minute(1) }), /until is before since/);
  await assert.rejects(lines(storage, { after: 5, through: 1 }), /through is before after/);
  await assert.rejects(lines(storage, { since: 'yesterday' }), /since: "yesterday" is not an ISO 8601 instant/);
});

test('segment: the lines are the header, each event as stored, the trailer with its tokens', async (t) => {
  const storage = await storeWith(t, 0);
  await storage.metadata.putToken({ id: 'T1', hash: 'c'.repeat(64), role: 'approver', label: 'reviewer', createdAt: new Date(T0), expiresAt: null, revokedAt: null, scope: null, exchangedFrom: null });
  for (let i = 0; i < 3; i++) await storage.metadata.appendAudit(input(i));
  const text = await lines(storage);
  assert.equal(text.length, 5);
  assert.ok(text.every((l) => l.endsWith('\n') && !l.slice(0, -1).includes('\n')));
  const stored = await storage.metadata.listAudit({ limit: 10 });
  assert.deepEqual(text.slice(1, -1).map(parse), stored.map((e) => ({ ...e, at: e.at.toISOString() })));
  assert.deepEqual(Object.keys(parse(text[1] as string)), ['seq', 'at', 'actor', 'action', 'subject', 'details', 'prevHash', 'hash']);
  assert.deepEqual(parse(text[4] as string), {
    end: 'airlock-audit-segment',
    count: 3,
    firstSeq: 1,
    lastSeq: 3,
    lastHash: stored[2]?.hash,
    actors: { 'token:T1': { label: 'reviewer', role: 'approver', createdAt: new Date(T0).toISOString(), revokedAt: null } },
  });
  const header = parse(text[0] as string);
  assert.equal(header['format'], 'airlock-audit-segment');
  assert.equal(header['version'], 1);
  assert.match(String(header['airlockVersion']), /^\d+\.\d+\.\d+/);
  assert.deepEqual(header['anchor'], { seq: 0, hash: AUDIT_GENESIS_HASH });
});

test('segment: events appended while it is written are not in it (the head as the export began)', async (t) => {
  const storage = await storeWith(t, 5);
  const segment = await openAuditSegment(storage.metadata, NONE, { clock: () => new Date(), actors: async () => new Map(), pageSize: 2 });
  const text: string[] = [];
  for await (const l of segment.lines()) {
    text.push(l);
    await storage.metadata.appendAudit(input(100 + text.length));
  }
  const s = await verify(text, live(storage));
  assert.deepEqual([s.header.headSeq, s.count, s.trailer.lastSeq], [5, 5, 5]);
  assert.ok((await storage.metadata.listAudit({ afterSeq: 5, limit: 100 })).length >= 5, 'events were appended meanwhile');
});

test('segment: verifies offline and against the live trail; a rewritten segment verifies only offline', async (t) => {
  const storage = await storeWith(t, 8);
  const text = await lines(storage, { after: 2 });
  const s = await verify(text);
  assert.deepEqual([s.count, s.header.anchor.seq, s.last.seq, s.live], [6, 2, 8, false]);
  assert.equal((await verify(text, live(storage))).live, true);

  // Event seq 5 rewritten, and every hash after it recomputed: consistent in itself, so only the
  // live trail can tell.
  const forged = rewritten(text, 3, (e) => ({ ...e, details: { m: 4, reason: 'nothing to see' } }));
  assert.equal((await verify(forged)).count, 6);
  await broken(forged, /^line 4 \(seq 5\): differs from the live trail \(hash there [0-9a-f]{64}, in the segment [0-9a-f]{64}\): the trail was rewritten since the export$/, { line: 4, seq: 5 }, live(storage));

  // Of another trail: the anchor does not match.
  const other = await storeWith(t, 0);
  for (let i = 0; i < 8; i++) await other.metadata.appendAudit(input(i, { actor: 'elsewhere' }));
  await storage.metadata.appendAudit(input(50));
  await other.metadata.appendAudit(input(51));
  const elsewhere = await lines(other, { after: 8 });
  await broken(elsewhere, /^line 1: the anchor, seq 8, does not match the live trail/, { line: 1, seq: 8 }, live(storage));

  // Past the live head: events the trail does not have.
  const ahead = await lines(other, { after: 7 });
  const shorter = await storeWith(t, 0);
  for (let i = 0; i < 8; i++) await shorter.metadata.appendAudit(input(i, { actor: 'elsewhere' }));
  await broken(ahead, /^line 3 \(seq 9\): the live trail has no event 9$/, { line: 3, seq: 9 }, live(shorter));
});

test('segment: each kind of damage is named by its line and seq', async (t) => {
  const storage = await storeWith(t, 6);
  const text = await lines(storage, { after: 1 }); // header, seqs 2..6, trailer
  const edited = text.map((l, i) => (i === 3 ? l.replace('"reason":"r3"', '"reason":"approved"') : l));
  assert.notDeepEqual(edited, text);
  await broken(edited, /^line 4 \(seq 4\): the event content does not match its hash \(altered\)/, { line: 4, seq: 4 });
  await broken(text.filter((_, i) => i !== 2), /^line 3 \(seq 4\): an event is missing or was inserted: expected 3, found 4$/, { line: 3, seq: 4 });
  await broken(text.filter((_, i) => i !== 1), /^line 2 \(seq 3\): an event is missing or was inserted \(the first event must follow the anchor, seq 1\)/, { line: 2, seq: 3 });
  await broken(text.filter((_, i) => i !== 5), /^line 6: the trailer counts 5 events; the segment holds 4/, { line: 6 });
  await broken(text.slice(0, -1), /^the segment ends at line 6 without its trailer/, { line: 6 });
  // The last event dropped and the trailer made to agree: the header still says where it ends.
  const shortened = [...text.slice(0, 5), line({ ...parse(text[6] as string), count: 4, lastSeq: 5, lastHash: parse(text[4] as string)['hash'] })];
  await broken(shortened, /^line 6: the trailer ends at seq 5, but the header covers seqs up to 6/, { line: 6 });
  const badAnchor = [line({ ...parse(text[0] as string), anchor: { seq: 1, hash: 'f'.repeat(64) } }), ...text.slice(1)];
  await broken(badAnchor, /^line 2 \(seq 2\): the link to the previous event does not match \(the first event must follow the anchor, seq 1\)/, { line: 2, seq: 2 });
  const badLast = [...text.slice(0, -1), line({ ...parse(text[6] as string), lastHash: 'e'.repeat(64) })];
  await broken(badLast, /^line 7: the trailer names last hash e{64}; the last event's is [0-9a-f]{64}$/, { line: 7 });
  const badGenesis = await lines(storage);
  await broken([line({ ...parse(badGenesis[0] as string), anchor: { seq: 0, hash: 'a'.repeat(64) } }), ...badGenesis.slice(1)], /anchor is seq 0, but its hash is not the genesis value/, { line: 1 });
  const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
  await broken([text[0] as string, (text[1] as string).replace('"details":{', `"details":{"deep":${deep},`), ...text.slice(2)], /^line 2 \(seq 2\): the event cannot be hashed/, { line: 2, seq: 2 });
});
