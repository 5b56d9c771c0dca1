/**
 * Builds real wheels (PEP 427): the package, then `<dist>-<ver>.dist-info/` with `METADATA`,
 * `WHEEL`, an optional `entry_points.txt` and a `RECORD` that lists every file with its sha256
 * (urlsafe base64, no padding) and size, and itself with neither.
 */
import { createHash } from 'node:crypto';
import { coreMetadata, initOf, moduleOf, type DistributionSpec } from './core-metadata.ts';
import { fileNameComponent } from './names.ts';
import { buildZip } from '../../../src/scan/packages/test-archives.ts';

export interface WheelSpec extends DistributionSpec {
  /** `entry_points.txt` content, e.g. `[console_scripts]\nfoo = foo:main\n`. */
  readonly entryPoints?: string;
  /** The compatibility tag (`python-abi-platform`); `py3-none-any` by default. */
  readonly tag?: string;
  /** A build tag (`1`, `2b`): a new file name for the same version (PEP 427), in the name and in WHEEL. */
  readonly build?: string;
}

export interface BuiltWheel {
  /** `<name_with_underscores>-<version>[-<build>]-<tag>.whl`, the tag `py3-none-any` by default */
  readonly filename: string;
  readonly bytes: Buffer;
  /** The exact `METADATA` bytes inside the wheel (what an index serves as `<file>.metadata`). */
  readonly metadata: Buffer;
}

function recordHash(data: Uint8Array): string {
  return `sha256=${createHash('sha256').update(data).digest('base64url')}`;
}

/** A RECORD field, quoted the way Python's csv module quotes. */
function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function buildWheel(spec: WheelSpec): BuiltWheel {
  const dist = fileNameComponent(spec.name);
  const info = `${dist}-${spec.version}.dist-info`;
  const metadata = coreMetadata(spec);
  const files: Array<{ path: string; content: Uint8Array }> = [{ path: `${moduleOf(spec)}/__init__.py`, content: Buffer.from(initOf(spec)) }];
  for (const [path, content] of Object.entries(spec.files ?? {})) files.push({ path, content: Buffer.from(content) });
  files.push({ path: `${info}/METADATA`, content: metadata });
  const tag = spec.tag ?? 'py3-none-any';
  const build = spec.build === undefined ? '' : `Build: ${spec.build}\n`;
  files.push({ path: `${info}/WHEEL`, content: Buffer.from(`Wheel-Version: 1.0\nGenerator: airlock-test-fixture (1.0)\nRoot-Is-Purelib: true\n${build}Tag: ${tag}\n\n`) });
  if (spec.entryPoints !== undefined) files.push({ path: `${info}/entry_points.txt`, content: Buffer.from(spec.entryPoints) });
  const record = [...files.map((f) => `${csvField(f.path)},${recordHash(f.content)},${f.content.length}`), `${csvField(`${info}/RECORD`)},,`].join('\n');
  const members = [...files, { path: `${info}/RECORD`, content: Buffer.from(`${record}\n`) }].map((f) => ({ name: f.path, data: f.content }));
  return { filename: `${dist}-${spec.version}${spec.build === undefined ? '' : `-${spec.build}`}-${tag}.whl`, bytes: buildZip(members), metadata };
}
