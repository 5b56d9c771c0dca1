/**
 * PEP 440 version ordering, for PyPI (OSV `ECOSYSTEM` ranges, the PyPI adapter's version order): epoch, release, pre
 * (a/b/rc and their spellings), post, dev and local segments, normalised as PEP 440 describes.
 */

export interface Pep440 {
  readonly epoch: bigint;
  readonly release: readonly bigint[];
  readonly pre: readonly [number, bigint] | null;
  readonly post: bigint | null;
  readonly dev: bigint | null;
  readonly local: readonly (string | bigint)[];
}

const PEP440_RE =
  /^\s*v?(?:(\d+)!)?(\d+(?:\.\d+)*)(?:[-_.]?(a|alpha|b|beta|c|rc|pre|preview)[-_.]?(\d+)?)?(?:-(\d+)|[-_.]?(post|rev|r)[-_.]?(\d+)?)?(?:[-_.]?(dev)[-_.]?(\d+)?)?(?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?\s*$/i;

const PRE_RANK: Readonly<Record<string, number>> = { a: 0, alpha: 0, b: 1, beta: 1, c: 2, rc: 2, pre: 2, preview: 2 };

export function parsePep440(text: string): Pep440 | null {
  if (text.length > 256) return null;
  const m = PEP440_RE.exec(text);
  if (m === null) return null;
  const preTag = m[3]?.toLowerCase();
  const post = m[5] ?? (m[6] !== undefined ? (m[7] ?? '0') : undefined);
  return {
    epoch: BigInt(m[1] ?? '0'),
    release: (m[2] as string).split('.').map((x) => BigInt(x)),
    pre: preTag === undefined ? null : [PRE_RANK[preTag] ?? 2, BigInt(m[4] ?? '0')],
    post: post === undefined ? null : BigInt(post),
    dev: m[8] === undefined ? null : BigInt(m[9] ?? '0'),
    local: m[10] === undefined ? [] : m[10].toLowerCase().split(/[-_.]/).map((p) => (/^\d+$/.test(p) ? BigInt(p) : p)),
  };
}

const sign = (x: bigint): number => (x < 0n ? -1 : x > 0n ? 1 : 0);

function compareRelease(a: readonly bigint[], b: readonly bigint[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const c = sign((a[i] ?? 0n) - (b[i] ?? 0n));
    if (c !== 0) return c;
  }
  return 0;
}

/** Sort key pieces per PEP 440: dev-only releases sort before pre-releases, post after. */
function preKey(v: Pep440): readonly [number, bigint] {
  if (v.pre !== null) return [v.pre[0], v.pre[1]];
  if (v.dev !== null && v.post === null) return [-1, 0n];
  return [3, 0n];
}

export function comparePep440(a: Pep440, b: Pep440): number {
  let c = sign(a.epoch - b.epoch);
  if (c !== 0) return c;
  c = compareRelease(a.release, b.release);
  if (c !== 0) return c;
  const [pa, na] = preKey(a);
  const [pb, nb] = preKey(b);
  if (pa !== pb) return pa - pb;
  c = sign(na - nb);
  if (c !== 0) return c;
  const postA = a.post ?? -1n;
  const postB = b.post ?? -1n;
  c = sign(postA - postB);
  if (c !== 0) return c;
  const devA = a.dev ?? null;
  const devB = b.dev ?? null;
  if (devA === null && devB !== null) return 1;
  if (devA !== null && devB === null) return -1;
  if (devA !== null && devB !== null) {
    c = sign(devA - devB);
    if (c !== 0) return c;
  }
  for (let i = 0; i < Math.max(a.local.length, b.local.length); i++) {
    const x = a.local[i];
    const y = b.local[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (typeof x === 'bigint' && typeof y === 'bigint') c = sign(x - y);
    else if (typeof x === 'bigint') c = 1; // numeric local segments sort after alphanumeric ones
    else if (typeof y === 'bigint') c = -1;
    else c = x < y ? -1 : x > y ? 1 : 0;
    if (c !== 0) return c;
  }
  return 0;
}

/** Whether two version strings denote the same PEP 440 version (`1.0` == `1.0.0`). */
export function samePep440(a: string, b: string): boolean {
  const x = parsePep440(a);
  const y = parsePep440(b);
  return x !== null && y !== null && comparePep440(x, y) === 0;
}
