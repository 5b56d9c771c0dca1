/**
 * Whether the storage holds any file in a repository of that name — configured or not: a
 * repository removed from the configuration keeps its files until they are swept, and the
 * inventory still lists them.
 */
import type { ArtifactIndex } from '../../storage/ports/index.ts';

export async function holdsFilesIn(artifacts: Pick<ArtifactIndex, 'listArtifacts'>, repo: string): Promise<boolean> {
  return (await artifacts.listArtifacts({ limit: 1, repo })).length > 0;
}
