/**
 * The floor: a local registry serving the workload's real packuments (tarball URLs re-based onto
 * itself) and tarballs from memory, pre-gzipped, with ETags — plus one synthetic package with a
 * 200 MB tarball for the memory test. Run as a child process; prints `{"url": …}` when ready.
 */
import { createHash, randomFillSync } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { parseNpmPackageName } from '../../src/core/index.ts';
import { tarballFilename, tarballPath } from '../../src/ecosystems/npm/urls.ts';
import { FixtureRegistry, tar } from '../../test/support/npm-registry/index.ts';
import { CACHE_DIR, lockedPackages, packumentFile, tarballFile } from './workload.ts';
import { join } from 'node:path';

export const HUGE_PACKAGE = 'airlock-bench-huge';
export const HUGE_BYTES = 200 * 1024 * 1024;

type Manifest = { dist?: { tarball?: string } };

function hugeTarball(): Buffer {
  const content = Buffer.allocUnsafe(HUGE_BYTES);
  randomFillSync(content);
  const manifest = JSON.stringify({ name: HUGE_PACKAGE, version: '1.0.0', license: 'MIT' });
  return gzipSync(tar([{ path: 'package/package.json', content: manifest }, { path: 'package/blob.bin', content }]), { level: 1 });
}

async function main(): Promise<void> {
  const port = Number(process.argv[2] ?? '0');
  const registry = await FixtureRegistry.start([], port, { recordRequests: false });
  const base = registry.url;
  const names = new Set(lockedPackages().map((p) => p.name));
  for (const file of readdirSync(join(CACHE_DIR, 'packuments'))) {
    const name = decodeURIComponent(file.replace(/\.json$/, ''));
    if (!names.has(name)) continue;
    const doc = JSON.parse(readFileSync(packumentFile(name), 'utf8')) as { versions?: Record<string, Manifest> };
    const npmName = parseNpmPackageName(name);
    for (const [v, m] of Object.entries(doc.versions ?? {})) {
      if (m.dist !== undefined) m.dist.tarball = base + tarballPath(npmName, v);
    }
    registry.putRawPackument(name, Buffer.from(JSON.stringify(doc)));
  }
  for (const p of lockedPackages()) {
    registry.putTarball(p.name, tarballFilename(parseNpmPackageName(p.name), p.version), readFileSync(tarballFile(p.name, p.version)));
  }
  const huge = hugeTarball();
  registry.putTarball(HUGE_PACKAGE, `${HUGE_PACKAGE}-1.0.0.tgz`, huge);
  const hugeDoc = {
    _id: HUGE_PACKAGE,
    name: HUGE_PACKAGE,
    'dist-tags': { latest: '1.0.0' },
    versions: {
      '1.0.0': {
        name: HUGE_PACKAGE,
        version: '1.0.0',
        license: 'MIT',
        dist: {
          tarball: `${base}${HUGE_PACKAGE}/-/${HUGE_PACKAGE}-1.0.0.tgz`,
          integrity: `sha512-${createHash('sha512').update(huge).digest('base64')}`,
          shasum: createHash('sha1').update(huge).digest('hex'),
        },
      },
    },
    time: { created: '2020-01-01T00:00:00.000Z', modified: '2020-01-01T00:00:00.000Z', '1.0.0': '2020-01-01T00:00:00.000Z' },
  };
  registry.putRawPackument(HUGE_PACKAGE, Buffer.from(JSON.stringify(hugeDoc)));
  process.stdout.write(`${JSON.stringify({ url: base, hugeBytes: huge.length })}\n`);
  const stop = (): void => {
    void registry.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (import.meta.main) await main();
