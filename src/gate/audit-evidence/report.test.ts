import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openStorage, type Storage } from '../../storage/index.ts';
import type { AuditEventInput } from '../../storage/ports/index.ts';
import { verifiedSegment } from './index.ts';
import { ReportBuilder, type AuditReport } from './report.ts';
import { AUDIT_KINDS, SECTIONS } from './report-kinds.ts';
import { openAuditSegment, tokenDirectory } from './writer.ts';

const T0 = Date.parse('2026-03-01T12:00:00.000Z');
const at = (m: number): Date => new Date(T0 + m * 60_000);

async function store(t: TestContext): Promise<Storage> {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-report-'));
  const storage = await openStorage({ dataDir: dir, blobs: { driver: 'fs', fsync: false } });
  t.after(async () => {
    await storage.close();
    await rm(dir, { recursive: true, force: true });
  });
  return storage;
}

async function reportOf(storage: Storage, since: string | null = null): Promise<AuditReport> {
  const segment = await openAuditSegment(storage.metadata, { since, until: null, after: null, through: null }, { clock: () => at(100), actors: tokenDirectory(() => storage.metadata.listTokens()) });
  const { items, verification } = verifiedSegment(segment.lines());
  const builder = new ReportBuilder();
  for await (const item of items) if (item.kind === 'event') builder.add(item.event);
  return builder.finish(verification.summary, at(200));
}

test('report: decisions counted by ecosystem and verdict; reviews, exceptions, policy, tokens and hosted writes listed with who and why', async (t) => {
  const storage = await store(t);
  const m = storage.metadata;
  const ev = (minute: number, actor: string, action: string, subject: string, details: AuditEventInput['details'] = {}): Promise<unknown> => m.appendAudit({ at: at(minute), actor, action, subject, details });
  await m.putToken(
    { id: 'T1', hash: 'c'.repeat(64), role: 'approver', label: 'reviewer', createdAt: at(0), expiresAt: null, revokedAt: null, scope: null, exchangedFrom: null },
    { at: at(0), actor: 'system', action: 'token.create', subject: 'T1', details: { role: 'approver', label: 'reviewer', expiresAt: null } },
  );
  await ev(1, 'policy', 'decision.allow', 'pkg:npm/a@1.0.0');
  await ev(2, 'policy', 'decision.allow', 'pkg:npm/%40s/b@1.0.0');
  await ev(3, 'policy', 'decision.quarantine', 'pkg:npm/c@1.0.0');
  await ev(3, 'policy', 'quarantine.open', 'Q1', { repo: 'npm', purl: 'pkg:npm/c@1.0.0', reasons: [{ message: 'install scripts', rule: 'scripts' }] });
  await ev(4, 'policy', 'decision.block', 'pkg:pypi/d@2.0');
  await ev(5, 'token:T1', 'quarantine.release', 'Q1', { repo: 'npm', purl: 'pkg:npm/c@1.0.0', reason: 'the postinstall only prints', expiresAt: '2026-04-01T00:00:00.000Z' });
  await ev(6, 'token:T1', 'quarantine.reject', 'Q2', { repo: 'npm', purl: 'pkg:npm/e@1.0.0', reason: 'typosquat' });
  await ev(7, 'token:T1', 'exception.create', 'X1', { ecosystem: 'npm', name: 'f', version: null, rules: ['cooldown'], reason: 'urgent fix', expiresAt: null });
  await ev(8, 'system', 'policy.reload', 'e'.repeat(64), { trigger: 'files changed' });
  await ev(9, 'token:T9', 'package.publish', 'pkg:npm/%40acme/lib@1.0.0', { repo: 'internal', version: '1.0.0', tags: ['latest'], sha512: 'x', size: 10 });
  await ev(10, 'token:T9', 'package.yank', 'pkg:pypi/acme@1.1', { repo: 'internal-py', version: '1.1', files: ['a.whl'], reason: 'rounds wrong' });
  await ev(11, 'system', 'token.revoke', 'T1');
  await ev(12, 'policy', 'something.new', 'x');

  const r = await reportOf(storage);
  assert.deepEqual(r.decisions, { total: 4, byEcosystem: { npm: { allowed: 2, quarantined: 1, blocked: 0 }, pypi: { allowed: 0, quarantined: 0, blocked: 1 } } });
  const q = r.sections.quarantine;
  assert.deepEqual(q.counts, { held: 1, released: 1, rejected: 1 });
  const release = q.entries.find((e) => e.action === 'quarantine.release');
  assert.deepEqual(release, {
    seq: 7,
    at: at(5).toISOString(),
    action: 'quarantine.release',
    what: 'released',
    subject: 'Q1',
    details: { purl: 'pkg:npm/c@1.0.0', repo: 'npm', reason: 'the postinstall only prints', expiresAt: '2026-04-01T00:00:00.000Z' },
    by: { actor: 'token:T1', label: 'reviewer', role: 'approver', source: 'token.create' },
  });
  assert.equal(r.sections.exceptions.entries[0]?.details['reason'], 'urgent fix');
  assert.deepEqual(r.sections.policy.counts, { 'policy loaded': 1 });
  assert.deepEqual(r.sections.tokens.counts, { created: 1, revoked: 1 });
  assert.deepEqual(r.sections.hosted.entries.map((e) => [e.what, e.subject, e.by.label]), [['published', 'pkg:npm/%40acme/lib@1.0.0', null], ['yanked', 'pkg:pypi/acme@1.1', null]]);
  assert.deepEqual(r.sections.hosted.entries[1]?.details, { repo: 'internal-py', version: '1.1', reason: 'rounds wrong' });
  assert.deepEqual(r.other, { 'something.new': 1 });
  const [last] = await m.listAudit({ afterSeq: 13, limit: 1 });
  assert.deepEqual(r.chain, { anchor: { seq: 0, hash: '0'.repeat(64) }, firstSeq: 1, lastSeq: 14, lastHash: last?.hash, verified: 'offline' });
  assert.deepEqual([r.events, r.firstAt, r.lastAt], [14, at(0).toISOString(), at(12).toISOString()]);
  assert.deepEqual(Object.keys(r.sections), SECTIONS.map((s) => s.id));

  // A period after the token was created: who it was comes from the gateway's token records.
  const later = await reportOf(storage, at(4).toISOString());
  assert.deepEqual(later.sections.quarantine.entries.map((e) => [e.what, e.by]), [
    ['released', { actor: 'token:T1', label: 'reviewer', role: 'approver', source: 'gateway records' }],
    ['rejected', { actor: 'token:T1', label: 'reviewer', role: 'approver', source: 'gateway records' }],
  ]);
  assert.deepEqual(later.decisions.byEcosystem, { pypi: { allowed: 0, quarantined: 0, blocked: 1 } });
});

test('report: a token exchanged for a CI job\'s ID token is listed with the issuer, subject and rule it was granted by', async (t) => {
  const storage = await store(t);
  const oidc = { issuer: 'https://token.actions.githubusercontent.com', subject: 'repo:acme/app:ref:refs/heads/main', rule: 'release' };
  await storage.metadata.appendAudit({ at: at(1), actor: `oidc:${oidc.subject}`, action: 'token.create', subject: 'T7', details: { role: 'publisher', label: 'oidc:acme/app@refs/heads/main', expiresAt: at(16).toISOString(), oidc } });
  const [entry] = (await reportOf(storage)).sections.tokens.entries;
  assert.deepEqual(entry?.details['oidc'], oidc);
  assert.equal(entry?.by.actor, `oidc:${oidc.subject}`);
});

/** Every `action: '…'` the code writes, from its source. */
function writtenActions(): Set<string> {
  const src = resolve(import.meta.dirname, '..', '..');
  const found = new Set<string>();
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'conformance' && e.name !== 'fixtures') walk(full);
      } else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) {
        for (const m of readFileSync(full, 'utf8').matchAll(/\baction: '([a-z]+\.[a-z.-]+)'/g)) found.add(m[1] as string);
      }
    }
  };
  walk(src);
  return found;
}

test('report kinds: every audit action the code writes has its place in the report', () => {
  const written = writtenActions();
  assert.ok(written.size >= 15, `found ${written.size} actions`);
  // Written through templates: decision.${verdict}, package.${yank|unyank}.
  for (const a of ['decision.allow', 'decision.quarantine', 'decision.block', 'package.yank', 'package.unyank']) written.add(a);
  const unknown = [...written].filter((a) => !Object.hasOwn(AUDIT_KINDS, a));
  assert.deepEqual(unknown, [], 'add them to AUDIT_KINDS in report-kinds.ts');
  const stale = Object.keys(AUDIT_KINDS).filter((a) => !written.has(a));
  assert.deepEqual(stale, [], 'actions the report maps that nothing writes any more');
});
