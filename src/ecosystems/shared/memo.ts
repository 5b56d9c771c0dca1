/** A small memo the plugins share: a map of computed values, emptied when it is full. */

/** How many values a memo keeps by default (the header values clients send are a handful). */
export const MEMO_LIMIT = 256;

/**
 * `compute(key)`, kept by key in `map`, which is emptied when it holds `limit`: a function of the
 * key alone, so that a hit makes no closure. What `compute` throws is not kept.
 */
export function memo<V>(map: Map<string, V>, key: string, compute: (key: string) => V, limit = MEMO_LIMIT): V {
  const hit = map.get(key);
  if (hit !== undefined) return hit;
  const value = compute(key);
  if (map.size >= limit) map.clear();
  map.set(key, value);
  return value;
}
