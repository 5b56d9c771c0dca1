/**
 * Builds real source distributions: `<name>-<version>.tar.gz` (PEP 625 name) holding
 * `<name>-<version>/` with `PKG-INFO`, the build files and the package source, which a real pip
 * builds with setuptools.
 */
import { gzipSync } from 'node:zlib';
import { tar, type TarFile } from '../npm-registry/tarball.ts';
import { coreMetadata, initOf, moduleOf, type DistributionSpec } from './core-metadata.ts';
import { fileNameComponent } from './names.ts';

export interface SdistSpec extends DistributionSpec {
  /**
   * How it builds. `pyproject` (default): `pyproject.toml` with `[build-system]` (setuptools) and
   * `[project]`. `both`: `pyproject.toml` with only `[build-system]`, metadata in `setup.py`.
   * `setup.py`: a legacy sdist without `pyproject.toml` — pip 23 then wants `setuptools>=40.8.0`
   * and `wheel` from the index to build it.
   */
  readonly build?: 'pyproject' | 'both' | 'setup.py';
}

export interface BuiltSdist {
  readonly filename: string;
  readonly bytes: Buffer;
}

const str = (s: string): string => JSON.stringify(s); // a TOML basic string / Python string literal

function pyprojectToml(spec: SdistSpec, withProject: boolean): string {
  const lines = ['[build-system]', 'requires = ["setuptools>=61"]', 'build-backend = "setuptools.build_meta"', ''];
  if (!withProject) return `${lines.join('\n')}`;
  const mod = moduleOf(spec);
  lines.push('[project]', `name = ${str(spec.name)}`, `version = ${str(spec.version)}`, `description = ${str(spec.summary ?? `Fixture package ${spec.name}`)}`);
  if (spec.requiresPython !== undefined) lines.push(`requires-python = ${str(spec.requiresPython)}`);
  lines.push(`dependencies = [${(spec.requiresDist ?? []).map(str).join(', ')}]`, '');
  lines.push('[tool.setuptools.packages.find]', `include = [${str(mod)}, ${str(`${mod}.*`)}]`, '');
  return lines.join('\n');
}

function setupPy(spec: SdistSpec): string {
  const mod = moduleOf(spec);
  const args = [
    `name=${str(spec.name)}`,
    `version=${str(spec.version)}`,
    `description=${str(spec.summary ?? `Fixture package ${spec.name}`)}`,
    `packages=find_packages(include=[${str(mod)}, ${str(`${mod}.*`)}])`,
    `install_requires=[${(spec.requiresDist ?? []).map(str).join(', ')}]`,
  ];
  if (spec.requiresPython !== undefined) args.push(`python_requires=${str(spec.requiresPython)}`);
  return `from setuptools import find_packages, setup\n\nsetup(\n${args.map((a) => `    ${a},\n`).join('')})\n`;
}

export function buildSdist(spec: SdistSpec): BuiltSdist {
  const base = `${fileNameComponent(spec.name)}-${spec.version}`;
  const build = spec.build ?? 'pyproject';
  const files: TarFile[] = [{ path: `${base}/PKG-INFO`, content: coreMetadata(spec) }];
  if (build !== 'setup.py') files.push({ path: `${base}/pyproject.toml`, content: pyprojectToml(spec, build === 'pyproject') });
  if (build !== 'pyproject') files.push({ path: `${base}/setup.py`, content: setupPy(spec) });
  files.push({ path: `${base}/${moduleOf(spec)}/__init__.py`, content: initOf(spec) });
  for (const [path, content] of Object.entries(spec.files ?? {})) files.push({ path: `${base}/${path}`, content });
  return { filename: `${base}.tar.gz`, bytes: gzipSync(tar(files), { level: 6 }) };
}
