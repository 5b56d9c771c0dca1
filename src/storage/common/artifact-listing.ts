/**
 * A `listArtifacts` page's bounds, the same for every driver: where it starts (after the key of
 * the previous page's last record; before every record without one) and how many it takes.
 */
import { AirlockError } from '../../core/index.ts';
import type { ArtifactKey } from '../ports/index.ts';
import { requireText } from './validate.ts';

const MAX_PAGE = 1000;

export interface ArtifactListingBounds {
  readonly ecosystem: string;
  readonly name: string;
  readonly version: string;
  readonly filename: string;
  readonly repo: string;
  readonly limit: number;
}

export function listingBounds(filter: { readonly after?: ArtifactKey | null; readonly limit: number }): ArtifactListingBounds {
  if (!Number.isSafeInteger(filter.limit) || filter.limit < 1) throw new AirlockError('BAD_REQUEST', 'limit must be a positive integer');
  const limit = Math.min(filter.limit, MAX_PAGE);
  const a = filter.after ?? null;
  // Every stored field is non-empty, so the empty key sorts before every record.
  if (a === null) return { ecosystem: '', name: '', version: '', filename: '', repo: '', limit };
  return {
    ecosystem: requireText(a.ecosystem, 'after.ecosystem', 32),
    name: requireText(a.name, 'after.name'),
    version: requireText(a.version, 'after.version'),
    filename: requireText(a.filename, 'after.filename'),
    repo: requireText(a.repo, 'after.repo'),
    limit,
  };
}
