/**
 * `airlock check npm NAME[@VERSION|@RANGE]…`: a package as npm names it on its command line —
 * `lodash`, `lodash@4.17.21`, `lodash@^4.17.0`, `@scope/name@~1.2.0` (split at the last `@` after
 * the first character, as npm splits a scoped name from its version) — as the check takes it: a
 * purl, or a purl without a version and the range, which the server resolves to the version npm
 * gets through Airlock. A range is what npm reads as one (`1`, `1.x`, `>=2 <3`); one it cannot
 * read is a usage error saying why.
 */
import type { CheckItem } from '../../../api/client.ts';
import { isAirlockError, makePurl, parseNpmPackageName } from '../../../core/index.ts';
import { isVersionRange, parseVersionRange } from '../../../gate/version-range.ts';
import { UsageError } from '../../command.ts';

/** The name and what follows its `@` (null: nothing, or `latest`). */
export function splitNpmSpec(spec: string): { name: string; version: string | null } {
  const at = spec.lastIndexOf('@');
  if (at <= 0) return { name: spec, version: null };
  const version = spec.slice(at + 1).trim();
  return { name: spec.slice(0, at), version: version === '' || version === 'latest' ? null : version };
}

export function npmSpec(spec: string): CheckItem {
  const { name, version } = splitNpmSpec(spec);
  let canonical: string;
  try {
    canonical = parseNpmPackageName(name);
    if (version === null || !isVersionRange('npm', version)) return makePurl('npm', canonical, version);
    return { purl: makePurl('npm', canonical, null), range: parseVersionRange('npm', version).text };
  } catch (err) {
    if (isAirlockError(err)) throw new UsageError(err.message);
    throw err;
  }
}
