/**
 * The npm repository as a package source for the pre-flight check: the package's versions with
 * the same metadata-phase facts a client's request produces, the upstream's dist-tags and the
 * ones clients see through Airlock; and, for a reviewer, a version's files. Looking a package up
 * goes through the metadata service, so a name the upstream does not have is recorded by the
 * hallucination tripwire as usual.
 */
import semver from 'semver';
import { parseNpmPackageName } from '../../core/index.ts';
import type { PackageSource } from '../../gate/index.ts';
import type { ArtifactService } from './artifact-service.ts';
import type { MetadataService } from './metadata-service.ts';

export function npmPackageSource(repo: string, metadata: MetadataService, artifacts: ArtifactService, listsWithheld: boolean): PackageSource {
  return {
    repo,
    ecosystem: 'npm',
    canonicalName: (name) => parseNpmPackageName(name),
    async listing(name, request) {
      const { state, view } = await metadata.view(parseNpmPackageName(name), request);
      const all = await metadata.candidates(state);
      const tags = view.distTags;
      return {
        candidates: all.candidates,
        unusable: all.unusable,
        latest: state.index.distTags['latest'] ?? null,
        servedLatest: tags['latest'] ?? null,
        listsWithheld,
        // `npm install pkg@next` takes what the tag names (a version is never a tag: npm reads it as a version first).
        versionNamed: (requested) => (semver.valid(requested) === null && Object.hasOwn(tags, requested) ? tags[requested] : undefined),
      };
    },
    files: (name, version) => artifacts.files(parseNpmPackageName(name), version),
    readFiles: (name, version, paths, bounds) => artifacts.readFiles(parseNpmPackageName(name), version, paths, bounds),
  };
}
