/**
 * npm provenance from the test's own Sigstore (test/support/sigstore-pki.ts) for the `widget`
 * package of a signals e2e: the statement a publish would attest, putting its bundle beside a
 * version at the fixture registry, and reading back what Airlock found.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { TestContext } from 'node:test';
import { pino } from 'pino';
import type { FixturePackage } from '../../support/npm-registry/index.ts';
import type { TestAirlockOptions } from '../../support/start-airlock.ts';
import { hasOpenssl, type SignedBundle, type TestSigstore } from '../../support/sigstore-pki.ts';
import { daysAgo, signalsE2e, type SignalsE2e } from './support.ts';

export const PROVENANCE = 'https://slsa.dev/provenance/v1';
export const needsOpenssl = { skip: hasOpenssl() ? false : 'openssl is not installed' } as const;

/**
 * Airlock in front of a registry serving widget at `versions` (each listed with provenance,
 * published 100 days ago, `latest` the first), its repository trusting `sigstore`'s root from a
 * file as an operator would name it. Closed, and the file removed, after the test.
 */
export async function widgetTrusting(t: TestContext, sigstore: TestSigstore, versions: readonly string[]): Promise<SignalsE2e> {
  const dir = mkdtempSync(join(tmpdir(), 'airlock-sigstore-root-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const rootFile = join(dir, 'trusted_root.json');
  writeFileSync(rootFile, JSON.stringify(sigstore.trustedRoot));
  const s = await signalsE2e({
    packages: widgetWithProvenance(versions),
    config: { repository: { sigstoreTrustedRoot: rootFile } },
  });
  t.after(() => s.close());
  return s;
}

/** The app's log lines as JSON, for tests that wait on background work (TUF updates). */
export interface CapturedLog {
  readonly logger: NonNullable<TestAirlockOptions['logger']>;
  readonly lines: Array<{ msg?: string; from?: string; err?: string }>;
  /** How many times the trusted root was taken (at start, or through TUF). */
  rootUpdates(): number;
  /** How many times the registry keys were taken (at start, or through TUF). */
  keyUpdates(): number;
}

export function captureLog(): CapturedLog {
  const lines: CapturedLog['lines'] = [];
  const logger = pino({ level: 'info' }, new Writable({ write(chunk: Buffer, _enc, done) { for (const l of chunk.toString('utf8').split('\n')) if (l !== '') lines.push(JSON.parse(l)); done(); } }));
  const count = (msg: string): number => lines.filter((l) => l.msg === msg).length;
  return { logger, lines, rootUpdates: () => count('Sigstore trusted root updated'), keyUpdates: () => count('registry keys updated') };
}

/** widget at `versions`, each listed with provenance and published 100 days ago, `latest` the first. */
export function widgetWithProvenance(versions: readonly string[]): FixturePackage[] {
  return [{ name: 'widget', versions: versions.map((version) => ({ version, publishedAt: daysAgo(100), provenance: true })), distTags: { latest: versions[0] ?? '1.0.0' } }];
}

/** An SLSA provenance statement for widget@`version` with the tarball's hex sha512. */
export function provenanceStatement(version: string, sha512: string): unknown {
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: `pkg:npm/widget@${version}`, digest: { sha512 } }],
    predicateType: PROVENANCE,
    predicate: { buildDefinition: { buildType: 'https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1' }, runDetails: { builder: { id: 'https://github.com/actions/runner/github-hosted' } } },
  };
}

/** The hex sha512 of widget@`version`'s tarball as the fixture registry serves it. */
export async function tarballSha512(s: SignalsE2e, version: string): Promise<string> {
  const res = await fetch(`${s.registry.url}widget/-/widget-${version}.tgz`);
  assert.equal(res.status, 200);
  return createHash('sha512').update(Buffer.from(await res.arrayBuffer())).digest('hex');
}

/** Serves `bundle` as widget@`version`'s provenance attestation. */
export function putProvenance(s: SignalsE2e, version: string, bundle: SignedBundle): void {
  s.registry.putAttestations('widget', version, Buffer.from(JSON.stringify({ attestations: [{ predicateType: PROVENANCE, bundle: bundle.bundle }] })));
}

/** Signs widget@`version`'s provenance with `sigstore` (`options` as its dsseBundle takes them) and serves it. */
export async function attest(s: SignalsE2e, sigstore: TestSigstore, version: string, options?: Parameters<TestSigstore['dsseBundle']>[1]): Promise<SignedBundle> {
  const bundle = sigstore.dsseBundle(provenanceStatement(version, await tarballSha512(s, version)), options);
  putProvenance(s, version, bundle);
  return bundle;
}

export interface ArtifactDecision {
  readonly facts: Record<string, unknown>;
  readonly verdict: string;
}

/** Airlock's artifact-phase decision for widget@`version`, if it has made one. */
export async function artifactDecision(s: SignalsE2e, version: string): Promise<ArtifactDecision | undefined> {
  const purl = encodeURIComponent(`pkg:npm/widget@${version}`);
  const decisions = await s.api<{ items: Array<{ phase: string } & ArtifactDecision> }>('GET', `decisions?purl=${purl}`);
  return decisions.body.items.find((d) => d.phase === 'artifact');
}

/** The attestations fact of widget@`version`'s artifact decision (which must exist). */
export async function attestationFacts(s: SignalsE2e, version: string): Promise<{ status: string; error: string | null; verified: string[]; provenance: Record<string, unknown> | null }> {
  const facts = (await artifactDecision(s, version))?.facts['attestations'];
  assert.ok(facts !== undefined, `no artifact decision for widget@${version}`);
  return facts as { status: string; error: string | null; verified: string[]; provenance: Record<string, unknown> | null };
}
