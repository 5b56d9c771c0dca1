/**
 * An OPA bundle (the bytes of a `.tar.gz`, as a bundle server serves them and `opa build` makes
 * them) read into the sources of a policy: the archive unpacked under limits, its signature
 * checked when one is configured, its `.manifest` read (`revision`, `roots`, `rego_version`,
 * `metadata`), its `.rego` modules and its `data.json` / `data.yaml` files (landing at their
 * directory's path under `data`, as OPA loads them) handed to `bundleFromSources`, with its
 * limits and the configuration's data overlay. Pure: bytes in, sources out.
 */
import { createHash } from 'node:crypto';
import { AirlockError, cutShort, isPlainObject, jsonKind, nestsDeeper, trimBoth } from '../core/index.ts';
import type { Json } from '../storage/ports/index.ts';
import { DEFAULT_BUNDLE_ARCHIVE_LIMITS, readBundleArchive, type BundleArchiveLimits, type BundleFile } from './bundle-archive.ts';
import { MAX_DATA_DEPTH } from './bundle-hash.ts';
import { bundleFromSources, isTestModule, mergeDataFile, parseDataFile, type MutableObject, type PolicyBundleSource, type PolicyModuleSource, type SourceBundleLimits } from './bundle-loader.ts';
import { checkBundleSignature, SIGNATURES_FILE, type BundleSignatureInfo, type BundleSigning } from './bundle-signature.ts';

export const MANIFEST_FILE = '.manifest';

export interface BundleManifest {
  readonly revision: string;
  /** The parts of `data` the bundle owns (`[""]`: all of it). */
  readonly roots: readonly string[];
  readonly metadata: { readonly [k: string]: Json } | null;
}

export interface PolicyBundleLimits extends BundleArchiveLimits, SourceBundleLimits {}

export const DEFAULT_POLICY_BUNDLE_LIMITS: PolicyBundleLimits = Object.freeze({
  ...DEFAULT_BUNDLE_ARCHIVE_LIMITS,
  maxModules: 2000,
  maxSourceBytes: 32 * 1024 * 1024,
});

export interface ReadBundleOptions {
  readonly limits: PolicyBundleLimits;
  /** The key the bundle must be signed with; null: it must not be signed. */
  readonly signing: BundleSigning | null;
  /** Data merged over the bundle's data (configuration `policy.data`). */
  readonly dataOverlay?: { readonly [k: string]: Json };
}

export interface ReadPolicyBundle {
  readonly source: PolicyBundleSource;
  readonly manifest: BundleManifest;
  /** sha256 of the archive's bytes. */
  readonly digest: string;
  readonly signature: BundleSignatureInfo | null;
}

function refuse(message: string): never {
  throw new AirlockError('POLICY_ERROR', `policy bundle: ${message}`);
}

/**
 * A manifest's Rego version in a message: a number as it is, a string cut short, anything else
 * by its JSON kind.
 * Not JSON.stringify or String() of it: a list nested deep overflows the stack, an object with a
 * `toString` member throws, and a long string would go whole into the message.
 */
function regoVersion(v: unknown): string {
  return typeof v === 'number' ? String(v) : typeof v === 'string' ? JSON.stringify(v.slice(0, 20)) : `(${jsonKind(v)})`;
}

function readManifest(file: BundleFile | undefined): BundleManifest {
  if (file === undefined) return { revision: '', roots: [''], metadata: null };
  let doc: unknown;
  try {
    doc = JSON.parse(file.bytes.toString('utf8'));
  } catch {
    refuse(`${MANIFEST_FILE} is not JSON`);
  }
  if (!isPlainObject(doc)) refuse(`${MANIFEST_FILE} is not a JSON object`);
  const revision = doc['revision'] ?? '';
  if (typeof revision !== 'string' || revision.length > 1024) refuse(`${MANIFEST_FILE}: revision must be a string of at most 1024 characters`);
  const roots = doc['roots'] ?? [''];
  if (!Array.isArray(roots) || roots.length > 1000 || !roots.every((r): r is string => typeof r === 'string' && r.length <= 1024)) refuse(`${MANIFEST_FILE}: roots must be a list of strings`);
  const normal = roots.map((r) => trimBoth(r, '/'));
  for (const [i, a] of normal.entries()) {
    for (const b of normal.slice(i + 1)) {
      if (a === b || a === '' || b === '' || a.startsWith(`${b}/`) || b.startsWith(`${a}/`)) refuse(`${MANIFEST_FILE}: the roots ${JSON.stringify(a)} and ${JSON.stringify(b)} overlap`);
    }
  }
  const version = doc['rego_version'];
  if (version !== undefined && version !== 1) {
    refuse(`${MANIFEST_FILE}: rego_version ${regoVersion(version)}: Airlock reads Rego v1 only (build the bundle with OPA 1.x, without --v0-compatible)`);
  }
  const perFile = doc['file_rego_versions'];
  if (isPlainObject(perFile)) {
    const old = Object.entries(perFile).find(([, v]) => v !== 1);
    if (old !== undefined) refuse(`${MANIFEST_FILE}: ${JSON.stringify(old[0].slice(0, 200))} is Rego v${regoVersion(old[1])}; Airlock reads Rego v1 only`);
  }
  const metadata = doc['metadata'];
  if (metadata !== undefined && metadata !== null && !isPlainObject(metadata)) refuse(`${MANIFEST_FILE}: metadata must be an object`);
  // Kept as it is and shown by the policy status (GET /policy), whose JSON serializer recurses per level.
  if (nestsDeeper(metadata, MAX_DATA_DEPTH)) refuse(`${MANIFEST_FILE}: metadata nests deeper than ${MAX_DATA_DEPTH} levels`);
  return { revision, roots: normal, metadata: (metadata ?? null) as { readonly [k: string]: Json } | null };
}

/** The roots in a message: the first five, each cut short (a manifest may list 1,000 of 1,024 characters). */
function rootsShown(roots: readonly string[]): string {
  const shown = roots.slice(0, 5).map((r) => JSON.stringify(cutShort(r, 100)));
  return roots.length > 5 ? `${shown.join(', ')} and ${roots.length - 5} more` : shown.join(', ');
}

function underRoots(path: readonly string[], roots: readonly string[]): boolean {
  const p = path.join('/');
  return roots.some((r) => r === '' || p === r || p.startsWith(`${r}/`));
}

/** Every value of `doc` at `path` must lie under a root (OPA's check of a scoped bundle's data). */
function checkDataRoots(path: readonly string[], doc: Json, roots: readonly string[], file: string): void {
  if (underRoots(path, roots)) return;
  const p = path.join('/');
  const leadsToRoot = roots.some((r) => p === '' || r.startsWith(`${p}/`));
  if (leadsToRoot && isPlainObject(doc)) {
    for (const [k, v] of Object.entries(doc)) checkDataRoots([...path, k], v as Json, roots, file);
    return;
  }
  refuse(`${file}: data.${path.join('.').slice(0, 200)} is outside the bundle's roots (${rootsShown(roots)})`);
}

const PACKAGE_RE = /^\s*package\s+([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)/m;

function checkModuleRoots(m: PolicyModuleSource, roots: readonly string[]): void {
  if (roots.includes('')) return;
  const pkg = PACKAGE_RE.exec(m.source.replace(/^\s*#.*$/gm, ''))?.[1];
  // A module without a plain package line does not compile; the compiler says so.
  if (pkg === undefined) return;
  if (!underRoots(pkg.split('.'), roots)) refuse(`${m.path}: package ${pkg.slice(0, 200)} is outside the bundle's roots (${rootsShown(roots)})`);
}

/** Reads, verifies and checks a bundle; throws POLICY_ERROR naming what is wrong. It still has to compile. */
export async function readPolicyBundle(bytes: Buffer, options: ReadBundleOptions): Promise<ReadPolicyBundle> {
  const digest = createHash('sha256').update(bytes).digest('hex');
  const files = await readBundleArchive(bytes, options.limits);
  const signature = checkBundleSignature(files, options.signing);
  const manifest = readManifest(files.find((f) => f.path === MANIFEST_FILE));
  const modules: PolicyModuleSource[] = [];
  const data: MutableObject = {};
  for (const f of files) {
    if (f.path === MANIFEST_FILE || f.path === SIGNATURES_FILE) continue;
    const slash = f.path.lastIndexOf('/');
    const base = f.path.slice(slash + 1);
    const dir = slash < 0 ? [] : f.path.slice(0, slash).split('/');
    if (base.endsWith('.rego')) {
      if (isTestModule(f.path)) continue;
      const module = { path: f.path, source: f.bytes.toString('utf8') };
      checkModuleRoots(module, manifest.roots);
      modules.push(module);
    } else if (base === 'data.json' || base === 'data.yaml') {
      const doc = parseDataFile(f.path, f.bytes.toString('utf8'));
      checkDataRoots(dir, doc, manifest.roots, f.path);
      mergeDataFile(data, doc, dir, f.path);
    }
    // Anything else (policy.wasm, plan.json, a README) is OPA's or nobody's: not read, though signed.
  }
  if (modules.length === 0) refuse('it holds no .rego modules');
  const source = bundleFromSources(modules, data, options.limits, options.dataOverlay === undefined ? {} : { dataOverlay: options.dataOverlay });
  return { source, manifest, digest, signature };
}
