/**
 * Counts the look-alike build gathers while it adds the names and settles once all are in:
 * scope families and affix use (see `Structures.familyMembers` and `Structures.affixUse`).
 * Only the build holds them.
 */
import { PREFIXES, SUFFIXES } from './affixes.ts';
import type { EntryTable } from './entries.ts';
import type { IdLookup } from './lookups.ts';

/** Scope families (see `Structures.familyMembers`): siblings sharing a first or last word. */
export class FamilyCounter {
  readonly #firsts = new Map<string, number>();
  readonly #lasts = new Map<string, number>();
  /** Scoped entries: id, first-word key, last-word key, whether the basename names the scope. */
  readonly #scoped: [number, string, string, boolean][] = [];

  add(id: number, scope: string, tokens: readonly string[], flat: string): void {
    if (tokens.length === 0) return;
    const first = `${scope}/${tokens[0] as string}`;
    const last = `${scope}/${tokens[tokens.length - 1] as string}`;
    this.#firsts.set(first, (this.#firsts.get(first) ?? 0) + 1);
    this.#lasts.set(last, (this.#lasts.get(last) ?? 0) + 1);
    this.#scoped.push([id, first, last, scope.split(/[-_.]+/).some((w) => w.length >= 3 && flat.includes(w))]);
  }

  members(size: number): Uint8Array {
    const out = new Uint8Array(size);
    for (const [id, first, last, namesScope] of this.#scoped) {
      const siblings = Math.max((this.#firsts.get(first) ?? 0) - 1, (this.#lasts.get(last) ?? 0) - 1);
      if (siblings >= 2 || namesScope) out[id] = 1;
    }
    return out;
  }
}

/**
 * How many protected names are another protected name (same scope) plus an affix word. The build
 * notes each name that starts with a prefix word or ends with a suffix word (a few hundred);
 * whether the rest is a protected name is asked once all names are in.
 */
export class AffixCounter {
  /** [affix word, the rest of the name without separators, scope]. */
  readonly #candidates: [string, string, string | null][] = [];

  add(tokens: readonly string[], scope: string | null): void {
    if (tokens.length < 2) return;
    const first = tokens[0] as string;
    const last = tokens[tokens.length - 1] as string;
    if (PREFIXES.has(first)) this.#candidates.push([first, tokens.slice(1).join(''), scope]);
    if (SUFFIXES.has(last)) this.#candidates.push([last, tokens.slice(0, -1).join(''), scope]);
  }

  counts(entries: EntryTable, byFlatBase: IdLookup): Map<string, number> {
    const out = new Map<string, number>();
    for (const [word, rest, scope] of this.#candidates) {
      if (byFlatBase.get(rest).some((id) => entries.get(id).shape.scope === scope)) out.set(word, (out.get(word) ?? 0) + 1);
    }
    return out;
  }
}
