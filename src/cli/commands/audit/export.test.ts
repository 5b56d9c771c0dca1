import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { AdminClient } from '../../../api/client.ts';
import { SegmentError } from '../../../gate/audit-evidence/index.ts';
import { AUDIT_GENESIS_HASH, auditEventHash } from '../../../storage/ports/index.ts';
import { exportSegment } from './export.ts';
import type { Target } from './target.ts';

const base = { seq: 1, at: '2026-03-01T12:00:00.000Z', actor: 'policy', action: 'decision.allow', subject: 'pkg:npm/a@1.0.0', details: { ok: 'ünï' } };
const hash = auditEventHash(1, AUDIT_GENESIS_HASH, { ...base, at: new Date(base.at) });
const HEADER = `${JSON.stringify({ format: 'airlock-audit-segment', version: 1, airlockVersion: '0.1.0', exportedAt: base.at, range: { since: null, until: null, after: null, through: null }, headSeq: 1, anchor: { seq: 0, hash: AUDIT_GENESIS_HASH }, through: 1 })}\n`;
const EVENT = `${JSON.stringify({ ...base, prevHash: AUDIT_GENESIS_HASH, hash })}\n`;
const TRAILER = `${JSON.stringify({ end: 'airlock-audit-segment', count: 1, firstSeq: 1, lastSeq: 1, lastHash: hash, actors: {} })}\n`;

/** A server whose export sends `chunks`, then fails when `fail` says so. */
function server(chunks: readonly string[], fail = false): Target {
  const client = {
    async auditExport() {
      return (async function* () {
        for (const c of chunks) yield new TextEncoder().encode(c);
        if (fail) throw new Error('connection reset');
      })();
    },
  } as unknown as AdminClient;
  return { kind: 'server', client };
}

function io() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const text = { out: '', err: '' };
  stdout.on('data', (d: Buffer) => (text.out += d.toString()));
  stderr.on('data', (d: Buffer) => (text.err += d.toString()));
  return { io: { stdout, stderr, env: {}, cwd: process.cwd() }, text };
}

const NONE = { since: null, until: null, after: null, through: null };

test('export: --out gets exactly the segment the server sent, once it is whole', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-export-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const out = join(dir, 'segment.jsonl');
  const { io: cli, text } = io();
  // Chunks that split lines, and a character in two.
  const whole = HEADER + EVENT + TRAILER;
  const bytes = Buffer.from(whole);
  const cut = bytes.indexOf(Buffer.from('ü')) + 1;
  const parts = [bytes.subarray(0, 7), bytes.subarray(7, cut), bytes.subarray(cut)];
  const target: Target = { kind: 'server', client: { auditExport: async () => (async function* () { yield* parts; })() } as unknown as AdminClient };
  assert.equal(await exportSegment(target, NONE, out, cli), 0);
  assert.equal(await readFile(out, 'utf8'), whole);
  assert.match(text.out, /^exported 1 event, seq 1–1 to .*segment\.jsonl; anchor seq 0 hash 0{64}; last hash [0-9a-f]{64}\n$/);
  assert.deepEqual(await readdir(dir), ['segment.jsonl'], 'no temporary file left');
});

test('export: a segment cut short, or a failure mid-way, leaves no file (and no temporary one)', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-export-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const out = join(dir, 'segment.jsonl');
  await assert.rejects(exportSegment(server([HEADER, EVENT]), NONE, out, io().io), (err: unknown) => err instanceof SegmentError && /without its trailer/.test(err.message));
  await assert.rejects(exportSegment(server([HEADER, EVENT], true), NONE, out, io().io), /connection reset/);
  await assert.rejects(exportSegment(server(['not json\n', EVENT, TRAILER]), NONE, out, io().io), /line 1 is not JSON/);
  assert.deepEqual(await readdir(dir), []);
});

test('export: without --out, the segment goes to stdout and the summary to stderr', async () => {
  const { io: cli, text } = io();
  assert.equal(await exportSegment(server([HEADER, EVENT, TRAILER]), NONE, undefined, cli), 0);
  assert.equal(text.out, HEADER + EVENT + TRAILER);
  assert.match(text.err, /^exported 1 event, seq 1–1; anchor seq 0/);
});
