/**
 * Fuzz targets of the tar readers reached through their public entry points: npm's streaming
 * `TarReader` (fed in uneven chunks, as a tarball arrives) and policy bundle archives. Model
 * archives and sdists are fuzzed through the scanner and the distribution inspector
 * (`targets/scan.ts`). Each refuses a bad archive with its own error.
 */
import { gzipSync } from 'node:zlib';
import { TarFormatError, TarReader } from '../../../src/ecosystems/npm/tar-reader.ts';
import { readBundleArchive } from '../../../src/policy/bundle-archive.ts';
import { AirlockError } from '../../../src/core/errors.ts';
import { TarHeaderError } from '../../../src/core/tar/header.ts';
import { tar } from '../../support/npm-registry/index.ts';
import { ownError, type FuzzTarget } from '../../support/fuzz/target.ts';

const PACKAGE = tar([
  { path: 'package.json', content: '{"name":"demo","version":"1.0.0","scripts":{"postinstall":"node x.js"}}' },
  { path: 'index.js', content: 'module.exports = 1;\n'.repeat(40) },
  { path: 'bin', content: '', type: 'directory' },
  { path: 'bin/cli.js', content: '#!/usr/bin/env node\n', mode: 0o755 },
  { path: 'link', content: '', type: 'symlink', linkTarget: 'index.js' },
]);

const npmTar: FuzzTarget = {
  seeds: () => [PACKAGE],
  run: (input) => {
    const reader = new TarReader({ maxEntries: 1000, maxTotalBytes: 1 << 24, maxExtendedHeaderBytes: 1 << 16 }, { entry: () => {}, data: () => {}, end: () => {} });
    // Uneven chunks: header and data boundaries fall mid-chunk.
    for (let at = 0, step = 1; at < input.length; at += step, step = (step * 7 + 3) % 997) reader.push(input.subarray(at, at + step));
    reader.finish();
    return undefined;
  },
  accepts: ownError(TarFormatError, TarHeaderError),
};

const BUNDLE = tar([
  { path: '.manifest', content: '{"revision":"1","roots":["airlock"]}' },
  { path: 'airlock/policy.rego', content: 'package airlock\n\ndeny contains "x" if { input.phase == "never" }\n' },
  { path: 'airlock/data.json', content: '{"threshold": 3}' },
]);

const bundle: FuzzTarget = {
  seeds: () => [gzipSync(BUNDLE), BUNDLE],
  run: async (input) => {
    await readBundleArchive(Buffer.from(input));
    return undefined;
  },
  accepts: ownError(AirlockError),
};

export const targets: Record<string, FuzzTarget> = { 'npm-tar': npmTar, 'policy-bundle-archive': bundle };
