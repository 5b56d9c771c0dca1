/**
 * Builds OPA bundles in tests as `opa build` writes them: a gzipped tar whose entries are named
 * `/path` (a leading slash, bundle-rooted), a `.manifest`, the files, and — signed — a
 * `.signatures.json` holding one JWS whose payload lists every file with its SHA-256 (structured
 * files hashed over their canonical JSON: keys sorted, no whitespace), signed with a real key.
 * The knobs forge what a hostile or broken server could send.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { parse as parseYaml } from 'yaml';
import { tar, type TarFile } from './npm-registry/index.ts';
import { signJwt, type TestSigningKey } from '../../src/verify/jwt/test-support.ts';

export interface BundleSigningSpec {
  readonly key: TestSigningKey;
  /** The header's kid (default the key's; null: none). */
  readonly kid?: string | null;
  readonly scope?: string;
  /** Files left out of the signed list. */
  readonly omit?: readonly string[];
  /** Files listed that the bundle does not hold (name → content hashed). */
  readonly listExtra?: Readonly<Record<string, string>>;
  /** Files whose listed hash is of other content (name → the content hashed instead). */
  readonly hashOf?: Readonly<Record<string, string>>;
  /** The hash algorithm named (default SHA-256; the digest is still SHA-256). */
  readonly algorithm?: string;
}

export interface BundleSpec {
  /** Bundle paths (no leading slash) → content. */
  readonly files: Readonly<Record<string, string>>;
  /** The `.manifest` (default `{revision, roots: [""]}` with `revision`); null: none. */
  readonly manifest?: Readonly<Record<string, unknown>> | null;
  readonly revision?: string;
  readonly sign?: BundleSigningSpec;
  /** Entries appended as given (hostile archives). */
  readonly extra?: readonly TarFile[];
  /** Entry names without the leading slash (`tar -C dir` style). */
  readonly relativeNames?: boolean;
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  }
  return v;
}

const STRUCTURED = /(^|\/)(data\.json|data\.yaml|\.manifest)$/;

/** SHA-256 as OPA lists it: structured files (JSON, YAML) over their canonical JSON form. */
export function opaDigest(path: string, content: string): string {
  const text = STRUCTURED.test(path) ? JSON.stringify(sortKeys(path.endsWith('.yaml') ? parseYaml(content) : JSON.parse(content))) : content;
  return createHash('sha256').update(text).digest('hex');
}

export function signatureFor(files: Readonly<Record<string, string>>, spec: BundleSigningSpec): string {
  const listed = Object.entries(files)
    .filter(([name]) => !(spec.omit ?? []).includes(name))
    .map(([name, content]) => ({ name, hash: opaDigest(name, spec.hashOf?.[name] ?? content), algorithm: spec.algorithm ?? 'SHA-256' }));
  for (const [name, content] of Object.entries(spec.listExtra ?? {})) listed.push({ name, hash: opaDigest(name, content), algorithm: 'SHA-256' });
  const payload: Record<string, unknown> = { files: listed, ...(spec.scope === undefined ? {} : { scope: spec.scope }) };
  const kid = spec.kid === undefined ? spec.key.kid : spec.kid;
  return JSON.stringify({ signatures: [signJwt(spec.key, payload, { kid: kid ?? undefined })] });
}

/** The bytes of a bundle `.tar.gz`. */
export function opaBundle(spec: BundleSpec): Buffer {
  const files: Record<string, string> = {};
  if (spec.manifest !== null) files['.manifest'] = JSON.stringify(spec.manifest ?? { revision: spec.revision ?? '', roots: [''] });
  Object.assign(files, spec.files);
  const all: Record<string, string> = { ...files };
  if (spec.sign !== undefined) all['.signatures.json'] = signatureFor(files, spec.sign);
  const name = (p: string): string => (spec.relativeNames === true ? p : `/${p}`);
  const entries: TarFile[] = Object.entries(all).map(([p, content]) => ({ path: name(p), content }));
  return gzipSync(tar([...entries, ...(spec.extra ?? [])]));
}
