/**
 * The protected names. The table keeps what the lists say — the name as spelled (the list's own
 * string), its source, rank and downloads — in arrays by id; the derived spellings the detectors
 * compare (shape, separator-free forms, scope forms) live in an `Entry` object made the first
 * time a lookup or a detector needs that name, then kept. Building the index therefore retains
 * almost no objects: only names that come close to a query ever get one.
 */
import { skeletonOf } from './confusables.ts';
import { flatOf, shapeOf, type NameRules, type NameShape } from './names.ts';
import type { PopularName, TargetSource } from './types.ts';

export interface Entry {
  readonly id: number;
  /** The name as the list spells it. */
  readonly name: string;
  readonly shape: NameShape;
  readonly source: TargetSource;
  readonly rank: number | null;
  readonly downloads: number | null;
  /** 0.6..1 weight from the rank (1 for internal names and the top of the list). */
  readonly popularity: number;
  /** scope + base without separators (`@types/node` → `typesnode`). */
  readonly fullFlat: string;
  /** Length of the scope's part of `fullFlat` (0 when unscoped). */
  readonly scopeFlatLength: number;
  /** The scope without separators and its homoglyph skeleton ('' when unscoped). */
  readonly scopeFlat: string;
  readonly scopeSkeleton: string;
}

/** Whether a word of the entry's basename ends at position `at` of `fullFlat`. */
export function endsWord(entry: Entry, at: number): boolean {
  let end = entry.scopeFlatLength;
  for (const t of entry.shape.tokens) {
    end += t.length;
    if (end >= at) return end === at;
  }
  return false;
}

/**
 * Popularity weight from the rank: 1 at the top of the list, 0.6 at its end (log scale), so a
 * look-alike of a household name outscores the same look-alike of a long-tail one.
 */
export function popularityWeight(rank: number, listSize: number): number {
  if (listSize <= 1) return 1;
  const r = Math.min(Math.max(rank, 1), listSize);
  return 1 - 0.4 * (Math.log(r) / Math.log(listSize));
}

/** A scope's separator-free spelling and its skeleton. */
interface ScopeForms {
  readonly flat: string;
  readonly skeleton: string;
}

/** What the build sees of each entry as it is added (the derived forms are not kept). */
export interface NewEntry {
  readonly id: number;
  readonly source: TargetSource;
  readonly shape: NameShape;
  readonly fullFlat: string;
  readonly scopeFlat: string;
}

export class EntryTable {
  readonly #rules: NameRules;
  readonly #names: string[] = [];
  readonly #sources: TargetSource[] = [];
  readonly #ranks: (number | null)[] = [];
  readonly #downloads: (number | null)[] = [];
  readonly #listSize: number;
  /** One record per scope (a few thousand on npm), shared by every entry under it. */
  readonly #scopes = new Map<string, ScopeForms>();
  /** Entries made so far, by id; null while the index is being built (nothing is kept). */
  #made: (Entry | undefined)[] | null = null;

  private constructor(rules: NameRules, listSize: number) {
    this.#rules = rules;
    this.#listSize = listSize;
  }

  /**
   * Entries in id order: internal names first, then the popular list by rank; a key seen twice
   * from the same source (or an empty one) is skipped. `visit` sees each entry's derived forms
   * once, while the index is built.
   */
  static build(rules: NameRules, popular: readonly PopularName[], internal: readonly string[], visit: (e: NewEntry) => void): EntryTable {
    const table = new EntryTable(rules, popular.reduce((m, p) => Math.max(m, p.rank), 0));
    const seen: Record<TargetSource, Set<string>> = { popular: new Set(), internal: new Set() };
    const add = (name: string, source: TargetSource, rank: number | null, downloads: number | null): void => {
      const shape = shapeOf(rules, name);
      if (seen[source].has(shape.key) || shape.key === '') return;
      // The name's own string when it is spelled canonically (no second copy kept by the set).
      seen[source].add(shape.key === name ? name : shape.key);
      const id = table.#names.length;
      table.#names.push(name);
      table.#sources.push(source);
      table.#ranks.push(rank);
      table.#downloads.push(downloads);
      const scope = shape.scope === null ? null : table.#scopeForms(shape.scope);
      visit({ id, source, shape, fullFlat: scope === null ? shape.flat : scope.flat + shape.flat, scopeFlat: scope?.flat ?? '' });
    };
    for (const name of internal) add(name, 'internal', null, null);
    for (const p of [...popular].sort((a, b) => a.rank - b.rank)) add(p.name, 'popular', p.rank, p.downloads ?? null);
    return table;
  }

  get size(): number {
    return this.#names.length;
  }

  /** The name as the list spells it. */
  nameOf(id: number): string {
    return this.#names[id] as string;
  }

  sourceOf(id: number): TargetSource {
    return this.#sources[id] as TargetSource;
  }

  /** From now on, entries are kept once made (during the build they are not). */
  keepEntries(): void {
    this.#made = new Array<Entry | undefined>(this.size).fill(undefined);
  }

  /** The entry with this id (made on first use). */
  get(id: number): Entry {
    const made = this.#made?.[id];
    if (made !== undefined) return made;
    const entry = this.#make(id);
    if (this.#made !== null) this.#made[id] = entry;
    return entry;
  }

  #make(id: number): Entry {
    const name = this.#names[id] as string;
    const shape = shapeOf(this.#rules, name);
    const rank = this.#ranks[id] ?? null;
    const scope = shape.scope === null ? null : this.#scopeForms(shape.scope);
    return {
      id,
      name,
      shape,
      source: this.#sources[id] as TargetSource,
      rank,
      downloads: this.#downloads[id] ?? null,
      popularity: rank === null ? 1 : popularityWeight(rank, this.#listSize),
      fullFlat: scope === null ? shape.flat : scope.flat + shape.flat,
      scopeFlatLength: scope?.flat.length ?? 0,
      scopeFlat: scope?.flat ?? '',
      scopeSkeleton: scope?.skeleton ?? '',
    };
  }

  #scopeForms(scope: string): ScopeForms {
    let forms = this.#scopes.get(scope);
    if (forms === undefined) {
      const flat = flatOf(scope);
      forms = { flat, skeleton: skeletonOf(flat) };
      this.#scopes.set(scope, forms);
    }
    return forms;
  }
}
