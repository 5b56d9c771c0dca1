/**
 * Recompute dist-tags over the versions a client may see (npm.md §3.3): a tag whose target is
 * hidden moves to the highest visible version not above it — for `latest` a stable one when
 * possible — and is dropped when none fits, except `latest`, which always names a visible
 * version while any remains.
 */
import semver from 'semver';
import { setMember } from '../../core/index.ts';

function highest(candidates: readonly string[]): string | null {
  let best: string | null = null;
  for (const v of candidates) if (best === null || semver.gt(v, best)) best = v;
  return best;
}

export function recomputeDistTags(
  upstream: Readonly<Record<string, string>>,
  visible: readonly string[],
): { readonly tags: Record<string, string>; readonly changed: boolean } {
  const visibleSet = new Set(visible);
  // The visible versions that are semver, sorted out only once a tag must move (usually none
  // does: parsing every version of a big package costs more than the rest of this).
  let validOnes: string[] | null = null;
  const tags: Record<string, string> = {};
  let changed = false;
  for (const [tag, target] of Object.entries(upstream)) {
    if (visibleSet.has(target)) {
      setMember(tags, tag, target);
      continue;
    }
    changed = true;
    const valid = (validOnes ??= visible.filter((v) => semver.valid(v) !== null));
    const targetValid = semver.valid(target) !== null;
    const notAbove = targetValid ? valid.filter((v) => semver.lte(v, target)) : [];
    let pick: string | null;
    if (tag === 'latest') {
      pick =
        highest(notAbove.filter((v) => semver.prerelease(v) === null)) ??
        highest(notAbove) ??
        highest(valid.filter((v) => semver.prerelease(v) === null)) ??
        highest(valid);
    } else {
      const targetIsPre = targetValid && semver.prerelease(target) !== null;
      pick = highest(targetIsPre ? notAbove : notAbove.filter((v) => semver.prerelease(v) === null));
    }
    if (pick !== null) setMember(tags, tag, pick);
  }
  return { tags, changed };
}
