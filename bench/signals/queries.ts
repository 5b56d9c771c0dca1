/**
 * The benchmark's name lists and query sets (deterministic): 20,000 popular names (npm-high-impact
 * plus top PyPI names) and, for any list, typo/affix/scope/homoglyph variants of its names, the
 * names themselves and random names that look like nothing.
 */
import type { PopularName } from '../../src/signals/lookalike/index.ts';
import { loadNpmPopular, loadPypiPopular } from '../../src/signals/popular/index.ts';
import { seededRandom } from '../../test/support/seeded-random.ts';

export const LIST_SIZE = 20_000;
export const QUERIES_PER_KIND = 700;

/** npm-high-impact then top PyPI names, deduplicated, 20,000 in all. */
export async function mixedPopularList(): Promise<PopularName[]> {
  const [npm, pypi] = await Promise.all([loadNpmPopular(), loadPypiPopular()]);
  const seen = new Set<string>();
  const out: PopularName[] = [];
  for (const p of [...npm.names, ...pypi.names]) {
    const key = p.name.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ name: p.name, rank: out.length + 1 });
    if (out.length === LIST_SIZE) break;
  }
  return out;
}

export function queries(list: readonly PopularName[]): { kind: string; names: string[] }[] {
  const rand = seededRandom(20251121);
  const pick = (): string => (list[Math.floor(rand() * list.length)] as PopularName).name;
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const mutate = (s: string): string => {
    const i = Math.floor(rand() * s.length);
    switch (Math.floor(rand() * 4)) {
      case 0:
        return s.slice(0, i) + s.slice(i + 1);
      case 1:
        return s.slice(0, i) + letters[Math.floor(rand() * 26)] + s.slice(i);
      case 2:
        return s.slice(0, i) + letters[Math.floor(rand() * 26)] + s.slice(i + 1);
      default:
        return i + 1 < s.length ? s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2) : `${s}s`;
    }
  };
  const affixes = ['-js', 'node-', '-utils', 'py-', '-cli', '2', '-dev'];
  const random = (): string => {
    let s = '';
    const len = 5 + Math.floor(rand() * 12);
    for (let i = 0; i < len; i++) s += rand() < 0.1 && i > 0 ? '-' : letters[Math.floor(rand() * 26)];
    return s;
  };
  const n = QUERIES_PER_KIND;
  return [
    { kind: 'typo variants', names: Array.from({ length: n }, () => mutate(pick())) },
    {
      kind: 'affix / scope / homoglyph',
      names: Array.from({ length: n }, (_, i) => {
        const p = pick();
        if (i % 3 === 0) {
          const a = affixes[i % affixes.length] as string;
          return a.endsWith('-') ? a + p : p + a;
        }
        if (i % 3 === 1) return p.startsWith('@') ? p.replace('@', '@x') : `@evil/${p}`;
        return p.replace(/o/, '0').replace(/l/, '1');
      }),
    },
    { kind: 'popular names', names: Array.from({ length: n }, pick) },
    { kind: 'random names', names: Array.from({ length: n }, random) },
  ];
}
