/**
 * The pypi repository as a package source for the pre-flight check: the project's versions with
 * the same metadata-phase facts and judgements a pip request produces (the project service's
 * view, so a name the index does not have is recorded by the hallucination tripwire as usual),
 * and the files the index lists for each version with their sha256 (what `--hash` pins name).
 *
 * PyPI has no dist-tags: the latest version is the newest final release (no pre-release or
 * development segment) that is not yanked, as `pip install NAME` picks it; through Airlock, the
 * newest such version the gate allows. A version's own files (the quarantine "changes" view) are
 * not offered: reading a wheel's or sdist's entries is not done here yet.
 */
import { normalizePypiName, parsePep440, comparePep440, type Pep440 } from '../../core/index.ts';
import type { GateDecision, ListedDistribution, PackageSource, VersionCandidate } from '../../gate/index.ts';
import type { ProjectService, ProjectState } from './project-service.ts';

function isFinal(v: Pep440 | null): boolean {
  return v !== null && v.pre === null && v.dev === null;
}

/** The newest final, not yanked version (versions are in PEP 440 order, oldest first) that `take` accepts, or null. */
function newestFinal(state: ProjectState, take: (version: string) => boolean = () => true): string | null {
  const versions = [...state.versions.keys()];
  for (let i = versions.length - 1; i >= 0; i--) {
    const v = versions[i] as string;
    const yanked = state.candidates.get(v)?.facts['yanked'];
    if (isFinal(parsePep440(v)) && (yanked === false || yanked === undefined) && take(v)) return v;
  }
  return null;
}

/** The listed version PEP 440 calls equal to `requested` (`1.0` is `1.0.0`; `v1.0` is `1.0`), or undefined. */
function versionNamed(state: ProjectState, requested: string): string | undefined {
  if (state.versions.has(requested)) return requested;
  const want = parsePep440(requested);
  if (want === null) return undefined;
  for (const v of state.versions.keys()) {
    const have = parsePep440(v);
    if (have !== null && comparePep440(have, want) === 0) return v;
  }
  return undefined;
}

function allowed(decisions: ReadonlyMap<string, GateDecision>, version: string): boolean {
  return decisions.get(version)?.verdict.kind === 'allow';
}

export function pypiPackageSource(repo: string, projects: ProjectService): PackageSource {
  return {
    repo,
    ecosystem: 'pypi',
    canonicalName: (name) => normalizePypiName(name),
    async listing(name, request) {
      const view = await projects.view(normalizePypiName(name), request);
      const { state } = view;
      return {
        candidates: [...state.candidates.values()] as VersionCandidate[],
        // Files Airlock cannot serve (no version it can tell, no sha256) are left off the candidates: no version is listed but unusable.
        unusable: new Map(),
        latest: newestFinal(state),
        servedLatest: newestFinal(state, (v) => allowed(view.decisions, v)),
        versionNamed: (requested) => versionNamed(state, requested),
        distributions: (version): readonly ListedDistribution[] => (state.versions.get(version) ?? []).map((l) => ({ filename: l.file.filename, sha256: l.sha256 })),
      };
    },
  };
}
