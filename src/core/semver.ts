/**
 * Semantic Versioning 2.0.0 precedence, for npm versions in advisories' ranges (OSV `SEMVER` events). A leading `v` or
 * `=` is accepted as npm does; build metadata is ignored for ordering.
 */

export interface SemVer {
  readonly major: bigint;
  readonly minor: bigint;
  readonly patch: bigint;
  readonly prerelease: readonly (string | bigint)[];
}

const SEMVER_RE = /^[v=]?\s*(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

export function parseSemver(text: string): SemVer | null {
  if (text.length > 256) return null;
  const m = SEMVER_RE.exec(text.trim());
  if (m === null) return null;
  const pre = m[4] === undefined ? [] : m[4].split('.').map((p) => (/^\d+$/.test(p) ? BigInt(p) : p));
  return { major: BigInt(m[1] as string), minor: BigInt(m[2] as string), patch: BigInt(m[3] as string), prerelease: pre };
}

function cmp(a: bigint | string, b: bigint | string): number {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'bigint') return -1; // numeric identifiers sort before alphanumeric ones
  if (typeof b === 'bigint') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareSemver(a: SemVer, b: SemVer): number {
  for (const k of ['major', 'minor', 'patch'] as const) {
    const c = cmp(a[k], b[k]);
    if (c !== 0) return c;
  }
  // A release sorts after every pre-release of the same version.
  if (a.prerelease.length === 0 && b.prerelease.length === 0) return 0;
  if (a.prerelease.length === 0) return 1;
  if (b.prerelease.length === 0) return -1;
  for (let i = 0; i < Math.max(a.prerelease.length, b.prerelease.length); i++) {
    const x = a.prerelease[i];
    const y = b.prerelease[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const c = cmp(x, y);
    if (c !== 0) return c;
  }
  return 0;
}
