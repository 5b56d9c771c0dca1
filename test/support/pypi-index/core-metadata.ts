/**
 * What a fixture distribution is, and its core metadata (`METADATA` in a wheel, `PKG-INFO` in an
 * sdist) as Metadata-Version 2.1 text.
 */
import { fileNameComponent } from './names.ts';

export interface DistributionSpec {
  /** The project name as published, e.g. `Foo-Bar` (file names and URLs are derived from it). */
  readonly name: string;
  readonly version: string;
  /** The import package (a folder with `__init__.py`); default: the name with `_` for separators, lower-case. */
  readonly module?: string;
  /** `__init__.py`; default `VERSION = "<version>"`. */
  readonly init?: string | Uint8Array;
  /** More files, path (from the archive root, e.g. `foo/data.txt`) → content. */
  readonly files?: Readonly<Record<string, string | Uint8Array>>;
  /** `Requires-Dist` lines, e.g. `bar>=1.0`. */
  readonly requiresDist?: readonly string[];
  readonly requiresPython?: string;
  /** Default `Fixture package <name>`. */
  readonly summary?: string;
}

export function moduleOf(spec: DistributionSpec): string {
  return spec.module ?? fileNameComponent(spec.name);
}

export function initOf(spec: DistributionSpec): string | Uint8Array {
  return spec.init ?? `VERSION = ${JSON.stringify(spec.version)}\n`;
}

export function coreMetadata(spec: DistributionSpec): Buffer {
  const lines = ['Metadata-Version: 2.1', `Name: ${spec.name}`, `Version: ${spec.version}`, `Summary: ${spec.summary ?? `Fixture package ${spec.name}`}`];
  if (spec.requiresPython !== undefined) lines.push(`Requires-Python: ${spec.requiresPython}`);
  for (const r of spec.requiresDist ?? []) lines.push(`Requires-Dist: ${r}`);
  return Buffer.from(`${lines.join('\n')}\n\n`, 'utf8');
}
