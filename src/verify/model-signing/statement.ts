/**
 * The in-toto statement a model signature signs, read into the model's manifest
 * (signing.md §6.1, §6.3 step 2):
 *
 * - `https://model_signing/signature/v1.0` (model_signing ≥ 1.0): exactly one subject, whose
 *   sha256 is the root digest; the predicate's `serialization` (method, hash type, recorded
 *   ignore paths) and `resources` (name, algorithm, hex digest). The root digest must be the
 *   sha256 of the resources' raw digests in the order listed, else the manifest is inconsistent.
 * - `https://model_signing/Digests/v0.1` (model_signing 0.2.x): one subject per file, sha256.
 *
 * Only `files` manifests hashed with sha256 are turned into a file map (what the gateway can
 * compare with the bytes it serves); `shards` and other hash types are 'unverifiable', after the
 * root digest has been checked. The statement is hostile: counts and names are capped (here, not
 * by the Sigstore statement parser, whose caps are for attestations, not manifests of 100,000
 * files), names must be plain relative POSIX paths, digests hex, and a name listed twice is an
 * error.
 */
import { createHash } from 'node:crypto';
import { isPlainObject, trimTrailing, type PlainObject } from '../../core/index.ts';
import { fail, list, object, shown, string } from '../sigstore/fields.ts';
import { SigstoreError } from '../sigstore/index.ts';
import { invalid, unverifiable, type ModelManifest, type ModelProblem, type ModelSigningLimits } from './types.ts';

export const MODEL_SIGNATURE_V1 = 'https://model_signing/signature/v1.0';
export const MODEL_DIGESTS_V01 = 'https://model_signing/Digests/v0.1';
const MODEL_SIGNING_PREFIX = 'https://model_signing/';
const STATEMENT_TYPES: readonly string[] = ['https://in-toto.io/Statement/v1', 'https://in-toto.io/Statement/v0.1'];
/** Ignored whatever the signature records: model_signing's defaults (git's files and the signature itself). */
export const MODEL_SIGNING_IGNORE_PATHS: readonly string[] = Object.freeze(['.git', '.gitattributes', '.github', '.gitignore', 'model.sig']);
const HEX_RE = /^(?:[0-9a-fA-F]{2}){1,128}$/;
const SHA256_RE = /^[0-9a-fA-F]{64}$/;
const MAX_URI = 1024;

/** Why `name` is not a plain relative POSIX path (no leading `/`, no empty, `.` or `..` component, no NUL or backslash), or null. */
function pathProblem(name: string): string | null {
  if (name === '') return 'is empty';
  if (name.startsWith('/')) return 'is absolute';
  if (/[\0\\]/.test(name)) return 'holds a NUL or a backslash';
  if (name.split('/').some((c) => c === '' || c === '.' || c === '..')) return 'has an empty, "." or ".." component';
  return null;
}

function hexDigest(v: unknown, path: string): string {
  const s = string(v, path, 256);
  if (!HEX_RE.test(s)) fail(`${path} is not a hex digest (got ${shown(s)})`);
  return s.toLowerCase();
}

interface Resource {
  readonly name: string;
  readonly algorithm: string;
  readonly digest: string;
}

/** A manifest that is a file map: every name a path (or `.` alone), every digest a sha256, no name twice. */
function fileMap(resources: readonly Resource[], where: string): ReadonlyMap<string, string> {
  const files = new Map<string, string>();
  for (const [i, r] of resources.entries()) {
    const label = `${where}[${i}]`;
    if (r.algorithm !== 'sha256') fail(`${label}.algorithm is ${shown(r.algorithm)}, not the manifest's sha256`);
    if (!SHA256_RE.test(r.digest)) fail(`${label}'s digest is not a sha256 (64 hex digits)`);
    if (r.name === '.') {
      if (resources.length !== 1) fail(`${label} is named "." (a single-file model), and the manifest lists ${resources.length} resources`);
    } else {
      const why = pathProblem(r.name);
      if (why !== null) fail(`${label}'s name ${shown(r.name)} ${why}: it is not a relative POSIX path`);
    }
    if (files.has(r.name)) fail(`the manifest lists ${shown(r.name)} twice`);
    files.set(r.name, r.digest);
  }
  return files;
}

function ignorePaths(v: unknown, limits: ModelSigningLimits): readonly string[] {
  const recorded = v === undefined || v === null ? [] : list(v, 'predicate.serialization.ignore_paths', limits.maxIgnorePaths);
  const paths = new Set(MODEL_SIGNING_IGNORE_PATHS);
  for (const [i, p] of recorded.entries()) {
    const path = `predicate.serialization.ignore_paths[${i}]`;
    // Recorded relative to the model root; a trailing "/" or a leading "./" says the same path.
    const normal = trimTrailing(string(p, path, limits.maxNameChars).replace(/^(?:\.\/)+/, ''), '/');
    const why = pathProblem(normal);
    if (why !== null) fail(`${path} (${shown(p)}) ${why}: it is not a relative POSIX path`);
    paths.add(normal);
  }
  return Object.freeze([...paths]);
}

function resourceList(predicate: PlainObject, limits: ModelSigningLimits): readonly Resource[] | ModelProblem {
  const raw = predicate['resources'];
  if (!Array.isArray(raw)) fail(`predicate.resources is not a list (got ${shown(raw)})`);
  if (raw.length > limits.maxResources) return unverifiable(`the manifest lists ${raw.length} resources (at most ${limits.maxResources} are read)`);
  return raw.map((r, i) => {
    const path = `predicate.resources[${i}]`;
    const o = object(r, path);
    return { name: string(o['name'], `${path}.name`, limits.maxNameChars), algorithm: string(o['algorithm'], `${path}.algorithm`, 64), digest: hexDigest(o['digest'], `${path}.digest`) };
  });
}

function v1Manifest(st: PlainObject, subjects: readonly unknown[], limits: ModelSigningLimits): ModelManifest | ModelProblem {
  if (subjects.length !== 1) return invalid(`the statement names ${subjects.length} subjects (a ${MODEL_SIGNATURE_V1} statement names exactly one: the model's root digest)`);
  const subject = object(subjects[0], 'subject[0]');
  const rootDigest = hexDigest(object(subject['digest'], 'subject[0].digest')['sha256'], 'subject[0].digest.sha256');
  const predicate = object(st['predicate'], 'predicate');
  const serialization = object(predicate['serialization'], 'predicate.serialization');
  const method = string(serialization['method'], 'predicate.serialization.method', 64);
  const hashType = string(serialization['hash_type'], 'predicate.serialization.hash_type', 64);
  const ignore = ignorePaths(serialization['ignore_paths'], limits);
  const resources = resourceList(predicate, limits);
  if ('status' in resources) return resources;
  const h = createHash('sha256');
  for (const r of resources) h.update(Buffer.from(r.digest, 'hex'));
  const computed = h.digest('hex');
  if (computed !== rootDigest) return invalid(`the manifest is inconsistent: its resources hash to ${computed}, and its subject's root digest is ${rootDigest}`);
  if (method !== 'files' && method !== 'shards') return unverifiable(`the manifest's serialization method ${shown(method)} is not one model_signing defines (files, shards)`);
  if (method === 'shards') return unverifiable(`the manifest is serialized by shards (shard_size ${shown(typeof serialization['shard_size'] === 'number' ? String(serialization['shard_size']) : serialization['shard_size'])}): verifying shard manifests is not supported yet`);
  if (hashType !== 'sha256') return unverifiable(`the manifest's files are hashed with ${shown(hashType)}: only sha256 manifests are supported yet`);
  return Object.freeze({ format: 'v1.0', method, hashType, ignorePaths: ignore, files: fileMap(resources, 'predicate.resources'), rootDigest });
}

function v01Manifest(subjects: readonly unknown[], limits: ModelSigningLimits): ModelManifest | ModelProblem {
  if (subjects.length === 0) return invalid(`the statement names no subject (a ${MODEL_DIGESTS_V01} statement names each file)`);
  const resources = subjects.map((s, i) => {
    const o = object(s, `subject[${i}]`);
    return { name: string(o['name'], `subject[${i}].name`, limits.maxNameChars), algorithm: 'sha256', digest: hexDigest(object(o['digest'], `subject[${i}].digest`)['sha256'], `subject[${i}].digest.sha256`) };
  });
  return Object.freeze({ format: 'v0.1', method: 'files', hashType: 'sha256', ignorePaths: MODEL_SIGNING_IGNORE_PATHS, files: fileMap(resources, 'subject'), rootDigest: null });
}

function manifestOf(payload: Buffer, limits: ModelSigningLimits): ModelManifest | ModelProblem {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch (cause) {
    return invalid(`the signed statement is not UTF-8 JSON (${(cause as Error).message.slice(0, 200)})`);
  }
  if (!isPlainObject(json)) return invalid('the signed statement is not a JSON object');
  const type = string(json['_type'], '_type', MAX_URI);
  if (!STATEMENT_TYPES.includes(type)) return invalid(`the signed statement's _type ${shown(type)} is not an in-toto Statement (${STATEMENT_TYPES.join(', ')})`);
  const predicateType = string(json['predicateType'], 'predicateType', MAX_URI);
  const subjects = json['subject'];
  if (!Array.isArray(subjects)) return invalid(`the signed statement's subject is not a list (got ${shown(subjects)})`);
  if (subjects.length > limits.maxResources) return unverifiable(`the statement names ${subjects.length} subjects (at most ${limits.maxResources} are read)`);
  if (predicateType === MODEL_SIGNATURE_V1) return v1Manifest(json, subjects, limits);
  if (predicateType === MODEL_DIGESTS_V01) return v01Manifest(subjects, limits);
  if (predicateType.startsWith(MODEL_SIGNING_PREFIX)) return unverifiable(`the statement's predicate type ${shown(predicateType)} is a model signing format Airlock does not read (${MODEL_SIGNATURE_V1}, ${MODEL_DIGESTS_V01})`);
  return invalid(`the statement's predicate type ${shown(predicateType)} is not a model signature (${MODEL_SIGNATURE_V1} or ${MODEL_DIGESTS_V01})`);
}

/** The manifest a verified statement signs, or why there is none; never throws for bad input. */
export function parseModelStatement(payload: Buffer, limits: ModelSigningLimits): ModelManifest | ModelProblem {
  try {
    return manifestOf(payload, limits);
  } catch (e) {
    if (e instanceof SigstoreError) return invalid(`the signed statement is malformed: ${e.message}`);
    throw e;
  }
}
