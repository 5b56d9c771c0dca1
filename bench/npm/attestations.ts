/**
 * `npm run bench:npm:attestations`: what checking a version's Sigstore attestations costs per
 * tarball, on real data: the sigstore@1.0.0 tarball (test/fixtures) and its real attestation
 * bundles (sigstore-js's, in ../shared/protocols/fixtures: keyless, v0.1–v0.3, with and without
 * inclusion proofs), checked as the artifact phase checks them (`checkAttestations`: certificate
 * chain, DSSE signature, transparency-log entry, statement subject). Side by side, in the same
 * rounds, the baseline: the sha512 of the same tarball, the digest check every tarball gets.
 * Bundles are parsed from their JSON text each time, as the check does.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { NpmPackageName } from '../../src/core/index.ts';
import { checkAttestations } from '../../src/ecosystems/npm/attestations.ts';
import { NO_REGISTRY_KEYS, publicGoodTrustedRoot } from '../../src/verify/index.ts';
import { wholeNumber } from '../options.ts';
import { median } from '../stats.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '7' }, checks: { type: 'string', default: '200' } } });
const rounds = wholeNumber(values.rounds, 'rounds');
const checks = wholeNumber(values.checks, 'checks');

const BUNDLES = join(import.meta.dirname, '..', '..', '..', 'shared', 'protocols', 'fixtures', 'sigstore-js-bundles');
const PUBLISH = 'https://github.com/npm/attestation/tree/main/specs/publish/v0.1';
const tarball = readFileSync(join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'npm', 'sigstore-1.0.0.tgz'));
const sha512 = createHash('sha512').update(tarball).digest('hex');
const documents = readdirSync(BUNDLES)
  .filter((f) => f.endsWith('.sigstore'))
  .sort()
  .map((f) => Buffer.from(JSON.stringify({ attestations: [{ predicateType: PUBLISH, bundle: JSON.parse(readFileSync(join(BUNDLES, f), 'utf8')) }] })));
const trust = { root: publicGoodTrustedRoot(), keys: NO_REGISTRY_KEYS };

const ms = { sha512: [] as number[], attestations: [] as number[] };
for (let r = 0; r < rounds; r++) {
  let t = performance.now();
  for (let i = 0; i < checks; i++) createHash('sha512').update(tarball).digest();
  ms.sha512.push(performance.now() - t);
  t = performance.now();
  for (let i = 0; i < checks; i++) {
    const result = checkAttestations('sigstore' as NpmPackageName, '1.0.0', 'pkg:npm/sigstore@1.0.0', sha512, { bytes: documents[i % documents.length] ?? Buffer.alloc(0) }, trust);
    if (result.status !== 'verified') throw new Error(`attestation ${i % documents.length}: ${result.error}`);
  }
  ms.attestations.push(performance.now() - t);
}

const line = (label: string, xs: number[]): string => `  ${label.padEnd(48)} ${median(xs).toFixed(1).padStart(7)} ms   ${((median(xs) * 1000) / checks).toFixed(1).padStart(7)} µs per tarball   rounds: ${xs.map((x) => x.toFixed(1)).join(', ')}`;
process.stdout.write(
  [
    `attestations of sigstore@1.0.0 (${(tarball.length / 1024).toFixed(1)} KiB tarball, ${documents.length} real bundles in turn), ${checks} checks per round, ${rounds} rounds, median per round`,
    line('baseline: sha512 of the tarball bytes', ms.sha512),
    line('airlock: attestation document checked', ms.attestations),
    `  checking: ${(median(ms.attestations) / median(ms.sha512)).toFixed(2)}x the sha512 baseline`,
    '',
  ].join('\n'),
);
