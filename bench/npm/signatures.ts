/**
 * `npm run bench:npm:signatures`: what checking registry signatures adds to a cold install's
 * tarballs, over the workload's real tarballs (every locked package, once). The workload's cached
 * packuments carry no `dist.signatures` (the registry this machine reaches leaves them out), so the
 * benchmark signs each `name@version:integrity` with a P-256 key of its own, as the registry does,
 * and trusts that key. Side by side, in the same rounds:
 *  - the baseline: the sha512 of each tarball's bytes, the digest check every tarball already gets;
 *  - Airlock: `checkRegistrySignature` for each version (one ECDSA P-256 verification);
 *  - and the check when no signature names a trusted key (what the default costs for an upstream
 *    that signs with other keys, or not at all).
 * Each round runs the three over every tarball in turn; the report gives the median per round.
 */
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { registryKeySet, registryKeysOf, checkRegistrySignature } from '../../src/verify/index.ts';
import { wholeNumber } from '../options.ts';
import { median } from '../stats.ts';
import { ensureWorkloadCache, lockedPackages, tarballFile } from './workload.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '7' } } });
const rounds = wholeNumber(values.rounds, 'rounds');

const log = (line: string): void => void process.stderr.write(`${line}\n`);
const fetched = await ensureWorkloadCache(log);
if (fetched > 0) log(`cached ${fetched} files`);

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const keyid = 'SHA256:bench';
const trusted = registryKeySet(registryKeysOf({ keys: [{ keyid, key: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'), expires: null }] }, 'bench'), 'npm:signatures');
const publishedAt = '2026-01-01T00:00:00.000Z';
const seen = new Set<string>();
const items = lockedPackages()
  .filter((p) => !seen.has(`${p.name}@${p.version}`) && seen.add(`${p.name}@${p.version}`))
  .map((p) => {
    const sig = sign('sha256', Buffer.from(`${p.name}@${p.version}:${p.integrity}`), privateKey).toString('base64');
    return { ...p, bytes: readFileSync(tarballFile(p.name, p.version)), dist: { integrity: p.integrity, signatures: [{ keyid, sig }] }, other: { integrity: p.integrity, signatures: [{ keyid: 'SHA256:other', sig }] } };
  });
const totalBytes = items.reduce((n, i) => n + i.bytes.length, 0);

const ms = { sha512: [] as number[], verify: [] as number[], untrusted: [] as number[] };
for (let r = 0; r < rounds; r++) {
  let t = performance.now();
  for (const i of items) createHash('sha512').update(i.bytes).digest();
  ms.sha512.push(performance.now() - t);
  t = performance.now();
  for (const i of items) {
    if (checkRegistrySignature(i.name, i.version, i.dist, publishedAt, trusted).status !== 'verified') throw new Error(`${i.name}@${i.version}: its signature did not verify`);
  }
  ms.verify.push(performance.now() - t);
  t = performance.now();
  for (const i of items) checkRegistrySignature(i.name, i.version, i.other, publishedAt, trusted);
  ms.untrusted.push(performance.now() - t);
}

const n = items.length;
const line = (label: string, xs: number[]): string => `  ${label.padEnd(44)} ${median(xs).toFixed(1).padStart(7)} ms   ${((median(xs) * 1000) / n).toFixed(1).padStart(6)} µs per tarball   rounds: ${xs.map((x) => x.toFixed(1)).join(', ')}`;
process.stdout.write(
  [
    `registry signatures over the workload's ${n} tarballs (${(totalBytes / 1024 / 1024).toFixed(1)} MiB), ${rounds} rounds, median per round`,
    line('baseline: sha512 of the tarball bytes', ms.sha512),
    line('airlock: signature by a trusted key checked', ms.verify),
    line('airlock: no signature by a trusted key', ms.untrusted),
    `  checking: ${(median(ms.verify) / median(ms.sha512)).toFixed(2)}x the sha512 baseline`,
    '',
  ].join('\n'),
);
