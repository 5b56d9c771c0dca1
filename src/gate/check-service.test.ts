import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makePurl, type Reason, type Verdict } from '../core/index.ts';
import { CheckService, type Explainer } from './check-service.ts';
import type { Explained } from './judgement.ts';
import { PackageSources, type ReferenceCheck } from './package-sources.ts';
import type { VersionCandidate } from './types.ts';

const NOW = new Date('2025-01-01T00:00:00Z');
const REQUEST = { tokenId: null, role: null, userAgent: null, agent: null, ip: null, requestId: null };

function explained(version: string, verdict: Verdict): Explained {
  const candidate: VersionCandidate = { subject: { repo: 'hub', ecosystem: 'oci', name: 'acme/app', version, purl: makePurl('oci', 'acme/app', version) }, facts: { image: { digest: version } } };
  return { candidate, decision: { verdict, source: 'policy', quarantineId: null }, policyVerdict: verdict, policyHash: 'h', facts: candidate.facts, now: NOW };
}

const allow = (warnings: Reason[] = []): Verdict => ({ kind: 'allow', warnings });
const hold = (kind: 'block' | 'quarantine', rule: string): Verdict => ({ kind, reasons: [{ message: `held by ${rule}`, rule }], warnings: [] });

/** A source that resolves references: what each reference judges to, as given. */
function service(answers: Record<string, ReferenceCheck | Error>): { check: CheckService; asked: (string | null)[] } {
  const asked: (string | null)[] = [];
  const sources = new PackageSources();
  sources.register({
    repo: 'hub',
    ecosystem: 'oci',
    canonicalName: (name) => name,
    async checkReference(_name, reference) {
      asked.push(reference);
      const a = answers[reference ?? 'latest'];
      if (a === undefined) throw new Error('unexpected reference');
      if (a instanceof Error) throw a;
      return a;
    },
  });
  const gate: Explainer = {
    explain: () => Promise.reject(new Error('a reference source is not asked for a listing')),
    explainArtifact: () => Promise.reject(new Error('the source judges')),
  };
  return { check: new CheckService({ sources, gate, clock: () => NOW }), asked };
}

const target = (version: string | null) => ({ ecosystem: 'oci' as const, name: 'acme/app', version, repo: 'hub' });

test('a reference is judged by its source: the index allowed, a platform image held, the result is the strictest, with its rules', async () => {
  const judged: ReferenceCheck = {
    status: 'judged',
    explained: explained('sha256:index', allow([{ message: 'w', rule: 'image.signature_unverifiable' }])),
    phase: 'artifact',
    notJudged: 'no layer is fetched',
    parts: [
      { label: 'linux/amd64', explained: explained('sha256:amd64', hold('quarantine', 'cooldown')) },
      { label: 'linux/arm64', explained: explained('sha256:arm64', hold('block', 'blocklist')) },
      { label: 'linux/s390x', explained: explained('sha256:s390x', hold('block', 'image.signature_required')) },
    ],
  };
  const { check, asked } = service({ latest: judged });
  const r = await check.check(target(null), REQUEST);
  assert.deepEqual(asked, [null]);
  assert.equal(r.status, 'judged');
  assert.equal(r.version, 'sha256:index');
  assert.equal(r.verdict, 'block');
  assert.deepEqual(r.decidedBy, ['blocklist', 'image.signature_required']);
  assert.deepEqual(r.policy?.verdict, 'allow', "the policy's own verdict is the index's");
  assert.deepEqual(r.warnings.map((w) => w.rule), ['image.signature_unverifiable']);
  assert.equal(r.phase, 'artifact');
  assert.equal(r.notJudged, 'no layer is fetched');
  assert.deepEqual(r.parts?.map((p) => [p.label, p.verdict, p.decidedBy.join()]), [
    ['linux/amd64', 'quarantine', 'cooldown'],
    ['linux/arm64', 'block', 'blocklist'],
    ['linux/s390x', 'block', 'image.signature_required'],
  ]);
});

test('an image without parts keeps its own verdict; missing references and failures have their statuses, in order', async () => {
  const { check } = service({
    v1: { status: 'judged', explained: explained('sha256:one', hold('quarantine', 'cooldown')), phase: 'metadata', notJudged: null, parts: [] },
    nope: { status: 'version-not-found', message: 'acme/app:nope does not exist in hub' },
    gone: { status: 'package-not-found', message: 'no such image repository' },
    down: new Error('upstream down'),
  });
  const rs = await check.checkMany([target('v1'), target('nope'), target('gone'), target('down')], REQUEST);
  assert.deepEqual(rs.map((r) => [r.status, r.verdict, r.message]), [
    ['judged', 'quarantine', null],
    ['version-not-found', null, 'acme/app:nope does not exist in hub'],
    ['package-not-found', null, 'no such image repository'],
    ['error', null, 'the reference could not be looked up'],
  ]);
  assert.equal(rs[0]?.parts, null);
  assert.equal(rs[0]?.phase, 'metadata');
});

test("where only the parts are held (a Hub commit's files), a quarantine of what the reference names does not decide; a block does; the same reason of many parts is said once", async () => {
  const file = (path: string, verdict: Verdict, notJudged: string | null = null) => {
    const e = explained('sha256:commit', verdict);
    return { label: path, explained: { ...e, facts: { ...e.facts, model_file: { path } } }, notJudged };
  };
  const { check } = service({
    held: {
      status: 'judged',
      explained: explained('sha256:commit', hold('quarantine', 'signals.requested_while_missing')),
      phase: 'metadata',
      notJudged: 'scanned when downloaded',
      parts: [file('a.bin', allow(), 'its bytes are scanned when it is downloaded'), file('b.json', allow())],
      ownQuarantineHolds: false,
    },
    cooling: {
      status: 'judged',
      explained: explained('sha256:commit', hold('quarantine', 'cooldown')),
      phase: 'metadata',
      notJudged: null,
      parts: [file('a.bin', hold('quarantine', 'cooldown')), file('b.json', hold('quarantine', 'cooldown')), file('c.py', hold('quarantine', 'model.remote_code'))],
      ownQuarantineHolds: false,
    },
    blocked: { status: 'judged', explained: explained('sha256:commit', hold('block', 'blocklist')), phase: 'metadata', notJudged: null, parts: [], ownQuarantineHolds: false },
  });
  const [held, cooling, blocked] = await check.checkMany([target('held'), target('cooling'), target('blocked')], REQUEST);
  assert.equal(held?.verdict, 'allow', 'the files, each allowed, are served whatever the commit says');
  assert.equal(held?.policy?.verdict, 'quarantine');
  assert.deepEqual(held?.parts?.map((p) => [p.label, p.verdict, p.notJudged, p.facts]), [
    ['a.bin', 'allow', 'its bytes are scanned when it is downloaded', { model_file: { path: 'a.bin' } }],
    ['b.json', 'allow', null, { model_file: { path: 'b.json' } }],
  ]);
  assert.equal(cooling?.verdict, 'quarantine');
  assert.deepEqual(cooling?.decidedBy, ['cooldown', 'model.remote_code']);
  assert.deepEqual(cooling?.reasons.map((r) => r.rule), ['cooldown', 'model.remote_code'], 'the cooldown of three files, said once');
  assert.equal(blocked?.verdict, 'block');
  assert.deepEqual(blocked?.decidedBy, ['blocklist']);
  assert.equal(blocked?.parts, null);
});
