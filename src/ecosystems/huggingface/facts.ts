/**
 * The Hugging Face facts Airlock puts in `input.facts` (documented in docs/facts/huggingface.md).
 * A version is a commit: its metadata-phase facts come from the repo's info at that commit; the
 * artifact phase adds the file (`model_file`, with how its bytes were verified) and what the
 * model scanner found in it (`model_scan`). Every list is bounded.
 */
import { makePurl } from '../../core/index.ts';
import type { Facts, VersionCandidate } from '../../gate/index.ts';
import { modelFileExpectation, type FileScanResult } from '../../scan/index.ts';
import type { Json } from '../../storage/ports/index.ts';
import type { ModelFileCoverage, ModelSignatureCheck } from '../../verify/index.ts';
import { modelFileFacts } from '../shared/model-files.ts';
import { repoName, type RepoRef } from './hub-ids.ts';
import type { HubRepoInfo, HubTreeEntry } from './hub-json.ts';

/** Where OpenSSF model signing puts a model's signature: `model.sig` at the repo's root. */
export const MODEL_SIGNATURE_FILE = 'model.sig';

const MAX_LIST = 64;
const MAX_MESSAGE = 500;

export function isSafetensors(path: string): boolean {
  return path.toLowerCase().endsWith('.safetensors');
}

/** The commit's facts, from the repo's info at it. */
export function commitFacts(repo: RepoRef, info: HubRepoInfo): Facts {
  const pickle = info.siblings.filter((p) => modelFileExpectation(p).pickleBased);
  return {
    published_at: info.lastModified,
    package_created_at: info.createdAt,
    hub: {
      type: repo.type,
      id: info.id,
      gated: info.gated,
      private: info.private,
      disabled: info.disabled,
      downloads: info.downloads,
      likes: info.likes,
      library_name: info.libraryName,
      pipeline_tag: info.pipelineTag,
      tags: [...info.tags],
    },
    files: {
      count: info.siblingCount,
      names: info.siblings.slice(0, MAX_LIST),
      pickle_based: pickle.slice(0, MAX_LIST),
      safetensors: info.siblings.filter(isSafetensors).length,
      signed: info.siblings.includes(MODEL_SIGNATURE_FILE),
    },
  };
}

/** The gate's candidate for a commit: the repo (by the upstream's spelling of its id) at that version. */
export function commitCandidate(gateRepo: string, repo: RepoRef, info: HubRepoInfo, factsKey: string): VersionCandidate {
  const name = repoName(repo);
  return {
    subject: { repo: gateRepo, ecosystem: 'huggingface', name, version: info.sha, purl: makePurl('huggingface', name, info.sha) },
    facts: commitFacts(repo, info),
    factsKey,
  };
}

/** The artifact-phase facts of one file of a commit (an LFS file is verified by its sha256, any other by its git object id). */
export function fileFacts(entry: HubTreeEntry, safetensorsAlternative: boolean, scan: FileScanResult): { model_file: Json; model_scan: Json } {
  return modelFileFacts({ path: entry.path, size: entry.size, sha256: entry.lfs?.sha256 ?? null, gitOid: entry.lfs === null ? entry.oid : null, lfs: entry.lfs !== null }, safetensorsAlternative, scan);
}

/**
 * `input.facts.model_signature`: whether the commit carries a model signature (model.sig), whether
 * it checks out and who made it, and what it says of this file's bytes.
 */
export function signatureFacts(check: ModelSignatureCheck | null, coverage: ModelFileCoverage | null): Json {
  if (check === null) return { status: 'absent', mode: null, identity: null, issuer: null, key_hint: null, error: null, file: null };
  if (check.status !== 'verified') return { status: check.status, mode: check.mode, identity: null, issuer: null, key_hint: null, error: check.error.slice(0, MAX_MESSAGE), file: null };
  return {
    status: 'verified',
    mode: check.mode,
    identity: check.signer.identity,
    issuer: check.signer.issuer,
    key_hint: check.signer.keyHint,
    error: null,
    file: coverage,
  };
}
