/**
 * PEP 740 attestations of PyPI files, with the real pip and the built-in policy: the index lists a
 * provenance object for a file, Airlock fetches it and checks every attestation against the
 * repository's Sigstore trusted root and the bytes it verified. The Sigstore deployment is the
 * test's own (test/support/sigstore-pki.ts), named to Airlock as `sigstoreTrustedRoot`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestSigstore, hasOpenssl, WORKFLOW } from '../../support/sigstore-pki.ts';
import { buildWheel, pythonImport } from '../../support/pypi-index/index.ts';
import { pypiProvenance } from '../../support/pypi-index/provenance.ts';
import { OLD, pypiE2e } from './support.ts';

const needsOpenssl = { skip: hasOpenssl() ? false : 'openssl is not installed' } as const;

test('a file whose attestation verifies installs with its publisher in the facts; one attesting other bytes is blocked, and pip says why', needsOpenssl, async (t) => {
  const sigstore = createTestSigstore();
  t.after(() => sigstore.close());
  const dir = mkdtempSync(join(tmpdir(), 'airlock-e2e-pypi-root-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const rootFile = join(dir, 'trusted_root.json');
  writeFileSync(rootFile, JSON.stringify(sigstore.trustedRoot));

  const s = await pypiE2e({ config: { sigstoreTrustedRoot: rootFile } });
  t.after(() => s.close());
  const good = buildWheel({ name: 'plover-sign', version: '1.0' });
  s.index.addFile('plover-sign', { filename: good.filename, bytes: good.bytes, metadata: good.metadata, uploadTime: OLD, provenance: pypiProvenance(sigstore, good) });
  const other = buildWheel({ name: 'plover-sign', version: '1.1' });
  const swapped = buildWheel({ name: 'plover-sign', version: '1.1', init: 'VERSION = "1.1"\nimport os  # not what was signed\n' });
  s.index.addFile('plover-sign', { filename: swapped.filename, bytes: swapped.bytes, metadata: swapped.metadata, uploadTime: OLD, provenance: pypiProvenance(sigstore, other) });

  const ok = await s.install('plover-sign==1.0');
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(await pythonImport(ok.target, 'plover_sign'), '1.0');
  const res = await fetch(`${s.airlock.url}/-/api/decisions?purl=${encodeURIComponent('pkg:pypi/plover-sign@1.0')}`, { headers: { authorization: `Bearer ${s.airlock.adminToken}` } });
  const decisions = JSON.stringify(await res.json());
  assert.match(decisions, /"attestations":\{"status":"verified"/);
  assert.ok(decisions.includes(`"subject_alternative_name":"${WORKFLOW.san}"`), decisions.slice(0, 2000));

  const bad = await s.install('plover-sign==1.1');
  assert.notEqual(bad.code, 0);
  assert.match(
    bad.stdout + bad.stderr,
    /plover-sign==1\.1 is blocked by Airlock policy: plover-sign==1\.1: its attestations do not check out \(bundle 0, attestation 0 is not for this file: its \S+ statement attests a file with sha256 [0-9a-f]{64}, not the one served \(sha256 [0-9a-f]{64}\)\) \[integrity\.attestation_invalid\]/,
  );
});
