/**
 * A Sigstore trusted root kept current through TUF, with the real npm client: the repository's
 * `sigstoreTrustedRoot` names a TUF repository (test/support/tuf-repo.ts, served over HTTP) and
 * the TUF root its chain starts from. Airlock follows the repository's key rotation and new
 * trusted roots, checks provenance against the newest verified one, and refuses a target the
 * targets role does not vouch for, keeping the root it had.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestSigstore, type TestSigstore } from '../../support/sigstore-pki.ts';
import { TestTufRepo } from '../../support/tuf-repo.ts';
import { attest, attestationFacts, captureLog, needsOpenssl, widgetWithProvenance } from './provenance.ts';
import { eventually, signalsE2e, type SignalsE2e } from './support.ts';

/** Two Sigstore deployments (the root published first, and the one after), a TUF repository and a folder, all gone after the test. */
function twoDeploymentsAndTuf(t: TestContext): { first: TestSigstore; second: TestSigstore; tuf: TestTufRepo; dir: string } {
  const first = createTestSigstore();
  const second = createTestSigstore();
  const tuf = new TestTufRepo();
  const dir = mkdtempSync(join(tmpdir(), 'airlock-tuf-e2e-'));
  t.after(async () => {
    first.close();
    second.close();
    await tuf.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { first, second, tuf, dir };
}

test('TUF: Airlock takes the trusted root a TUF repository publishes, follows its key rotation to a new root, and keeps the last good root when a target is not the one vouched for', needsOpenssl, async (t) => {
  const { first, second, tuf, dir } = twoDeploymentsAndTuf(t);
  tuf.publish('trusted_root.json', Buffer.from(JSON.stringify(first.trustedRoot)));
  const url = await tuf.serve();
  writeFileSync(join(dir, 'root.json'), tuf.initialRoot);

  // The app's log, to wait for the background updates.
  const { logger, lines, rootUpdates: updates } = captureLog();
  const s = await signalsE2e({
    packages: widgetWithProvenance(['1.0.0', '1.1.0', '1.2.0']),
    config: { repository: { sigstoreTrustedRoot: { tuf: url, initialRoot: join(dir, 'root.json'), refresh: '1s' } } },
    logger,
  });
  t.after(() => s.close());
  await eventually('the first trusted root from TUF', async () => (updates() >= 1 ? true : undefined));

  await attest(s, first, '1.0.0');
  const p = await s.project();
  const one = await p.npm(['pack', 'widget@1.0.0']);
  assert.equal(one.code, 0, one.output);
  assert.equal((await attestationFacts(s, '1.0.0')).status, 'verified');

  // The repository rotates every key (a new root, signed by the old root keys and the new) and
  // publishes another deployment's trusted root.
  tuf.rotate();
  tuf.publish('trusted_root.json', Buffer.from(JSON.stringify(second.trustedRoot)));
  await eventually('the rotated root', async () => (updates() >= 2 ? true : undefined));
  await attest(s, second, '1.1.0');
  const two = await p.npm(['pack', 'widget@1.1.0']);
  assert.equal(two.code, 0, two.output);
  assert.equal((await attestationFacts(s, '1.1.0')).status, 'verified');

  // An attacker swaps the target file behind the metadata (same length, one byte changed): its
  // hash is not the one listed.
  tuf.publish('trusted_root.json', Buffer.from(JSON.stringify(first.trustedRoot)));
  for (const [path, bytes] of tuf.files) {
    if (!path.startsWith('targets/')) continue;
    const swapped = Buffer.from(bytes);
    swapped[20] = (swapped[20] ?? 0) ^ 1;
    tuf.files.set(path, swapped);
  }
  await eventually('the refused update', async () => (lines.some((l) => l.msg?.startsWith('could not update the Sigstore trusted root') && /sha256 is not the one listed/.test(l.err ?? '')) ? true : undefined));
  assert.equal(updates(), 2, 'no unverified root was taken');
  await attest(s, second, '1.2.0');
  const three = await p.npm(['pack', 'widget@1.2.0']);
  assert.equal(three.code, 0, three.output);
  assert.equal((await attestationFacts(s, '1.2.0')).status, 'verified', 'still checked against the last verified root');
});

test('TUF: a stored root torn by a crash is put aside at the next start; the chain is walked again from the initial root and the newest trusted root is taken', needsOpenssl, async (t) => {
  const { first, second, tuf, dir } = twoDeploymentsAndTuf(t);
  tuf.rotate();
  tuf.publish('trusted_root.json', Buffer.from(JSON.stringify(first.trustedRoot)));
  const url = await tuf.serve();
  writeFileSync(join(dir, 'root.json'), tuf.initialRoot);
  const dataDir = join(dir, 'data');
  const start = async (log: ReturnType<typeof captureLog>): Promise<SignalsE2e> =>
    signalsE2e({
      packages: widgetWithProvenance(['1.0.0', '1.1.0']),
      config: { repository: { sigstoreTrustedRoot: { tuf: url, initialRoot: join(dir, 'root.json'), refresh: '1h' } } },
      logger: log.logger,
      dataDir,
    });

  const before = captureLog();
  const a = await start(before);
  await eventually('the first trusted root from TUF', async () => (before.rootUpdates() >= 1 ? true : undefined));
  await a.close();

  // The stored root (version 2) is left half-written, as a power loss can leave a file; the
  // repository meanwhile rotates again and publishes another deployment's trusted root.
  const stored = join(dataDir, 'sigstore-tuf', 'npm', 'root.json');
  const bytes = readFileSync(stored);
  writeFileSync(stored, bytes.subarray(0, bytes.length >> 1));
  tuf.rotate();
  tuf.publish('trusted_root.json', Buffer.from(JSON.stringify(second.trustedRoot)));

  const after = captureLog();
  const b = await start(after);
  t.after(() => b.close());
  // One update from the stored trusted root at start, one from TUF.
  await eventually('the new trusted root from TUF', async () => (after.rootUpdates() >= 2 ? true : undefined));
  const aside = after.lines.find((l) => l.msg === 'the stored TUF root does not verify; walking the chain of roots again');
  assert.match(aside?.err ?? '', /the stored root\.json is not JSON/);
  assert.equal(JSON.parse(readFileSync(stored, 'utf8')).signed.version, 3, 'the newest verified root is stored again');

  await attest(b, second, '1.1.0');
  const r = await (await b.project()).npm(['pack', 'widget@1.1.0']);
  assert.equal(r.code, 0, r.output);
  assert.equal((await attestationFacts(b, '1.1.0')).status, 'verified');
});
