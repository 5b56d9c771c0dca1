import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAirlockError, makePurl, type Ecosystem, type Verdict } from '../core/index.ts';
import { CheckService, type Explainer } from './check-service.ts';
import { PackageSources, type PackageListing } from './package-sources.ts';
import type { VersionCandidate } from './types.ts';

const NOW = new Date('2025-01-01T00:00:00Z');
const REQUEST = { tokenId: null, role: null, userAgent: null, agent: null, ip: null, requestId: null };

const allow: Verdict = { kind: 'allow', warnings: [] };
const hold = (kind: 'block' | 'quarantine', rule: string): Verdict => ({ kind, reasons: [{ message: `held by ${rule}`, rule }], warnings: [] });

/**
 * A listing source of one package whose versions the gate judges as `verdicts` says (others
 * allowed); `yanked` versions carry the fact (true, or the reason PyPI gives). Records every round of judgements.
 */
function service(ecosystem: Ecosystem, verdicts: Record<string, Verdict>, listed: readonly string[], servedLatest: string | null, yanked: readonly string[] | ReadonlyMap<string, string> = [], listsWithheld = false, deprecated: readonly string[] = []) {
  const rounds: string[][] = [];
  const candidates: VersionCandidate[] = listed.map((version) => ({
    subject: { repo: 'r', ecosystem, name: 'pkg', version, purl: makePurl(ecosystem, 'pkg', version) },
    facts: {
      ...(yanked instanceof Map ? (yanked.has(version) ? { yanked: yanked.get(version) } : {}) : (yanked as readonly string[]).includes(version) ? { yanked: true } : {}),
      deprecated: deprecated.includes(version) ? 'use 2.x' : null,
    },
  }));
  const listing: PackageListing = { candidates, unusable: new Map(), latest: listed.at(-1) ?? null, servedLatest, listsWithheld };
  const sources = new PackageSources();
  sources.register({ repo: 'r', ecosystem, canonicalName: (n) => n, listing: async () => listing });
  const gate: Explainer = {
    async explain(wanted) {
      rounds.push(wanted.map((c) => c.subject.version));
      return wanted.map((candidate) => {
        const verdict = verdicts[candidate.subject.version] ?? allow;
        return { candidate, decision: { verdict, source: 'policy' as const, quarantineId: verdict.kind === 'quarantine' ? `q-${candidate.subject.version}` : null }, policyVerdict: verdict, policyHash: 'h', facts: candidate.facts, now: NOW };
      });
    },
    explainArtifact: () => Promise.reject(new Error('not asked')),
  };
  return { check: new CheckService({ sources, gate, clock: () => NOW }), rounds };
}

const target = (ecosystem: Ecosystem, range: string) => ({ ecosystem, name: 'pkg', version: null, range, repo: 'r' });

test('an npm range resolves to the newest satisfying version the gate allows, naming the newer one held and why', async () => {
  const { check } = service('npm', { '4.18.0': hold('quarantine', 'cooldown') }, ['4.16.0', '4.17.0', '4.17.21', '4.18.0', '5.0.0'], '5.0.0');
  const r = await check.check(target('npm', '^4.17.0'), REQUEST);
  assert.deepEqual([r.status, r.requested, r.version, r.verdict, r.resolvesTo], ['judged', '^4.17.0', '4.17.21', 'allow', '4.17.21']);
  assert.deepEqual(r.range && { ...r.range, newest: r.range.newest && [r.range.newest.version, r.range.newest.verdict, r.range.newest.decidedBy, r.range.newest.quarantineId] }, {
    range: '^4.17.0',
    satisfying: 3,
    newest: ['4.18.0', 'quarantine', ['cooldown'], 'q-4.18.0'],
  });
});

test("npm takes its latest tag when it satisfies the range: the served latest, though a newer allowed version satisfies too", async () => {
  const { check } = service('npm', {}, ['1.0.0', '1.1.0', '1.2.0'], '1.1.0');
  const r = await check.check(target('npm', '^1.0.0'), REQUEST);
  assert.deepEqual([r.version, r.verdict, r.range?.newest?.version, r.range?.newest?.verdict], ['1.1.0', 'allow', '1.2.0', 'allow']);
});

test('npm passes over deprecated versions, its latest tag too, while an undeprecated one satisfies (npm-pick-manifest)', async () => {
  const { check } = service('npm', {}, ['1.0.0', '1.1.0', '1.2.0', '1.3.0'], '1.2.0', [], false, ['1.2.0', '1.3.0']);
  const [some, only] = await check.checkMany([target('npm', '^1.0.0'), target('npm', '>=1.2.0')], REQUEST);
  assert.deepEqual([some?.version, some?.resolvesTo, some?.range?.newest?.version], ['1.1.0', '1.1.0', '1.3.0']);
  assert.deepEqual([only?.version, only?.resolvesTo], ['1.3.0', '1.3.0'], 'all deprecated: the newest, not the deprecated latest tag');
});

test('when the gate allows no satisfying version, the newest is judged, held, with its reasons; none satisfying is version-not-found', async () => {
  const { check } = service('npm', { '2.0.0': hold('block', 'blocklist'), '2.1.0': hold('quarantine', 'cooldown') }, ['1.0.0', '2.0.0', '2.1.0'], '1.0.0');
  const [held, none] = await check.checkMany([target('npm', '2.x'), target('npm', '>=3')], REQUEST);
  assert.deepEqual([held?.status, held?.version, held?.verdict, held?.resolvesTo, held?.range?.satisfying, held?.range?.newest], ['judged', '2.1.0', 'quarantine', null, 2, null]);
  assert.deepEqual(held?.decidedBy, ['cooldown']);
  assert.deepEqual([none?.status, none?.verdict, none?.message], ['version-not-found', null, 'none of the 3 versions of pkg Airlock can serve satisfies >=3']);
});

test('with withheld versions listed (blockedVersions: show), npm picks as usual and the install fails on a held version', async () => {
  const { check, rounds } = service('npm', { '1.2.0': hold('quarantine', 'cooldown') }, ['1.0.0', '1.1.0', '1.2.0'], '1.1.0', [], true);
  const [tagged, held] = await check.checkMany([target('npm', '^1.0.0'), target('npm', '>=1.2.0')], REQUEST);
  assert.deepEqual([tagged?.version, tagged?.verdict, tagged?.resolvesTo, tagged?.range?.newest?.version], ['1.1.0', 'allow', '1.1.0', '1.2.0']);
  assert.deepEqual([held?.version, held?.verdict, held?.resolvesTo, held?.range?.newest], ['1.2.0', 'quarantine', null, null]);
  assert.deepEqual(rounds, [['1.1.0', '1.2.0'], ['1.2.0']], 'only the picked and the newest version are judged');
});

test('a PyPI specifier resolves as pip picks: yanked versions left out, the newest allowed within the specifier', async () => {
  const { check } = service('pypi', { '2.5': hold('quarantine', 'cooldown') }, ['1.9', '2.0', '2.3', '2.4', '2.5', '3.0'], '3.0', ['2.4']);
  const r = await check.check(target('pypi', '>=2,<3'), REQUEST);
  assert.deepEqual([r.version, r.verdict, r.range?.satisfying, r.range?.newest?.version, r.range?.newest?.verdict], ['2.3', 'allow', 3, '2.5', 'quarantine']);
  // Yanked with a reason (PEP 592's `data-yanked="broken build"`): left out all the same.
  const { check: why } = service('pypi', {}, ['2.0', '2.3', '2.4'], '2.4', new Map([['2.4', 'broken build']]));
  const y = await why.check(target('pypi', '>=2,<3'), REQUEST);
  assert.deepEqual([y.version, y.range?.satisfying], ['2.3', 2]);
});

test('a PyPI pin that only a yanked version satisfies resolves to it, as pip takes it (PEP 592); a range does not', async () => {
  const { check } = service('pypi', {}, ['2.0', '2.3', '2.4'], '2.3', ['2.4', '2.0']);
  const [pin, exact, range, wildcard] = await check.checkMany([target('pypi', '==2.4'), target('pypi', '===2.4'), target('pypi', '>=2.4'), target('pypi', '==2.4.*')], REQUEST);
  assert.deepEqual([pin?.status, pin?.version, pin?.resolvesTo, pin?.range?.satisfying], ['judged', '2.4', '2.4', 1]);
  assert.deepEqual([exact?.version, exact?.resolvesTo], ['2.4', '2.4']);
  assert.deepEqual([range?.status, wildcard?.status], ['version-not-found', 'version-not-found']);
  // Where an unyanked version satisfies the pin too, the yanked ones stay out.
  const [either] = await check.checkMany([target('pypi', '==2.0')], REQUEST);
  assert.deepEqual([either?.version, either?.range?.satisfying], ['2.0', 1]);
});

test('with every final release in the specifier withheld, pip falls back to an allowed pre-release within it', async () => {
  const { check } = service('pypi', { '2.0': hold('quarantine', 'cooldown'), '2.1': hold('quarantine', 'cooldown') }, ['1.0', '2.0', '2.1', '2.2b1', '3.0a1'], '1.0');
  const r = await check.check(target('pypi', '>=2,<3'), REQUEST);
  assert.deepEqual([r.version, r.verdict, r.resolvesTo, r.range?.newest?.version, r.range?.newest?.verdict], ['2.2b1', 'allow', '2.2b1', '2.1', 'quarantine']);
  // Listed (blockedVersions: show), the final releases are there to take, and the install fails on one.
  const { check: shown } = service('pypi', { '2.0': hold('quarantine', 'cooldown'), '2.1': hold('quarantine', 'cooldown') }, ['1.0', '2.0', '2.1', '2.2b1'], '1.0', [], true);
  const s = await shown.check(target('pypi', '>=2,<3'), REQUEST);
  assert.deepEqual([s.version, s.verdict, s.resolvesTo], ['2.1', 'quarantine', null]);
});

test('versions are judged newest first a round at a time, until one is allowed', async () => {
  const listed = Array.from({ length: 40 }, (_, i) => `1.${i}.0`);
  const held = Object.fromEntries(listed.slice(10).map((v) => [v, hold('quarantine', 'cooldown')]));
  const { check, rounds } = service('npm', held, listed, '1.9.0');
  const r = await check.check(target('npm', '>=1.10.0'), REQUEST);
  assert.equal(r.verdict, 'quarantine', 'none of 1.10.0 and newer is allowed');
  assert.deepEqual(rounds.map((x) => x.length), [16, 14]);
  const { check: early, rounds: few } = service('npm', { '1.39.0': hold('quarantine', 'cooldown') }, listed, null);
  assert.equal((await early.check(target('npm', '^1.0.0'), REQUEST)).version, '1.38.0');
  assert.deepEqual(few.map((x) => x.length), [16]);
});

test('a range that cannot be read fails the whole call with INVALID_VERSION, as a bad name does', async () => {
  const { check } = service('pypi', {}, ['1.0'], '1.0');
  await assert.rejects(check.checkMany([target('pypi', '>=1'), target('pypi', '=>1')], REQUEST), (err: unknown) => isAirlockError(err, 'INVALID_VERSION') && /"=>1" is not a clause/.test(err.message));
});
