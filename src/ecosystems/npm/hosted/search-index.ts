/**
 * `npm search` in a hosted repository, answered by its origin in the registry's own format, so the
 * plugin treats it as any upstream's answer: every result rebuilt from checked fields and shown at
 * the version the gate lets an install have (or left out).
 *
 * The repository's packages are kept in memory, each as what a search reads of it (name,
 * description, keywords, its `latest` version with that version's time and publisher). Before a
 * search, at most every LIST_EVERY_MS, the store lists every package's revision, and only the
 * packages whose revision changed are read again: writes through any gateway sharing the store
 * are seen, without reading every document for every search. Unpublished packages are found by
 * nobody.
 *
 * Matching, on the search text's words (case-insensitive): every plain word must be in the name,
 * the description or a keyword; `keywords:a,b` needs one of those keywords, `scope:acme` the
 * scope, `author:`/`maintainer:`/`publisher:` the publisher of `latest`; npm's other qualifiers
 * (`not:`, `is:`, `boost-exact:`) are about the public registry's data and are ignored. Results
 * are ordered by how the words matched (the whole name, its start, within it, a keyword, the
 * description), then by name.
 */
import { isPlainObject } from '../../../core/index.ts';
import type { HostedPackage, HostedPackageStore, Json } from '../../../storage/ports/index.ts';
import { isStrictSemver } from '../facts.ts';
import { parseSearchQuery } from '../search.ts';

/** How often at most the store's revisions are listed again. */
const LIST_EVERY_MS = 2_000;
/** Packages indexed at most (a search covers the first ones by name past this). */
const MAX_INDEXED = 50_000;
/** Documents read at once while the index catches up. */
const READ_WIDTH = 8;
const MAX_DESCRIPTION = 1024;
const MAX_KEYWORDS = 32;
const MAX_KEYWORD = 128;

interface Entry {
  readonly name: string;
  readonly lower: string;
  /** As published, and lower-cased for matching. */
  readonly description: string;
  readonly descriptionLower: string;
  readonly keywords: readonly string[];
  readonly version: string;
  readonly date: string | null;
  readonly publisher: string | null;
  readonly license: string | null;
}

interface Indexed {
  readonly rev: number;
  /** null: nothing to find (unpublished, or a document that cannot be read). */
  readonly entry: Entry | null;
}

function str(v: unknown, max: number): string | null {
  return typeof v === 'string' ? v.slice(0, max) : null;
}

/** What a search reads of a stored packument; null for one with nothing to find. */
export function searchEntry(name: string, document: string): Entry | null {
  let doc: unknown;
  try {
    doc = JSON.parse(document);
  } catch {
    return null;
  }
  if (!isPlainObject(doc) || !isPlainObject(doc['versions']) || !isPlainObject(doc['dist-tags'])) return null;
  const version = doc['dist-tags']['latest'];
  if (typeof version !== 'string' || !isStrictSemver(version) || !Object.hasOwn(doc['versions'], version)) return null;
  const manifest = doc['versions'][version];
  if (!isPlainObject(manifest)) return null;
  const time = isPlainObject(doc['time']) ? doc['time'] : {};
  const description = str(manifest['description'], MAX_DESCRIPTION) ?? str(doc['description'], MAX_DESCRIPTION) ?? '';
  const keywords = Array.isArray(manifest['keywords']) ? manifest['keywords'].filter((k): k is string => typeof k === 'string').slice(0, MAX_KEYWORDS).map((k) => k.slice(0, MAX_KEYWORD).toLowerCase()) : [];
  return {
    name,
    lower: name.toLowerCase(),
    description,
    descriptionLower: description.toLowerCase(),
    keywords,
    version,
    date: str(time[version], 64),
    publisher: isPlainObject(manifest['_npmUser']) ? str(manifest['_npmUser']['name'], 256) : null,
    license: str(manifest['license'], 256),
  };
}

interface Terms {
  readonly words: readonly string[];
  readonly keywords: readonly string[] | null;
  readonly scope: string | null;
  readonly publisher: string | null;
}

function termsOf(text: string): Terms {
  const words: string[] = [];
  let keywords: string[] | null = null;
  let scope: string | null = null;
  let publisher: string | null = null;
  for (const word of text.toLowerCase().split(/\s+/)) {
    if (word === '') continue;
    const colon = word.indexOf(':');
    const key = colon > 0 ? word.slice(0, colon) : '';
    const value = colon > 0 ? word.slice(colon + 1) : word;
    if (key === 'keywords') keywords = value.split(',').filter((k) => k !== '');
    else if (key === 'scope') scope = value.replace(/^@/, '');
    else if (key === 'author' || key === 'maintainer' || key === 'publisher') publisher = value;
    else if (key === 'not' || key === 'is' || key === 'boost-exact') continue;
    else words.push(word);
  }
  return { words, keywords, scope, publisher };
}

/** How well the entry matches (0: not at all). */
function scoreOf(e: Entry, t: Terms): number {
  if (t.scope !== null && !e.lower.startsWith(`@${t.scope}/`)) return 0;
  if (t.publisher !== null && e.publisher?.toLowerCase() !== t.publisher) return 0;
  if (t.keywords !== null && !t.keywords.some((k) => e.keywords.includes(k))) return 0;
  let score = 1;
  for (const w of t.words) {
    if (e.lower === w || e.lower.endsWith(`/${w}`)) score += 100;
    else if (e.lower.startsWith(w) || e.lower.includes(`/${w}`)) score += 20;
    else if (e.lower.includes(w)) score += 10;
    else if (e.keywords.includes(w)) score += 5;
    else if (e.descriptionLower.includes(w)) score += 1;
    else return 0;
  }
  return score;
}

export class HostedSearch {
  readonly #repo: string;
  readonly #store: Pick<HostedPackageStore, 'hostedRevisions' | 'getHostedPackage'>;
  readonly #clock: () => Date;
  readonly #index = new Map<string, Indexed>();
  #listedAt = Number.NEGATIVE_INFINITY;
  #catchingUp: Promise<void> | null = null;

  constructor(repo: string, store: Pick<HostedPackageStore, 'hostedRevisions' | 'getHostedPackage'>, clock: () => Date = () => new Date()) {
    this.#repo = repo;
    this.#store = store;
    this.#clock = clock;
  }

  /** The answer to `GET /-/v1/search?<query>`, as the public registry gives it. */
  async answer(query: string): Promise<Buffer> {
    const q = parseSearchQuery(query);
    await this.#catchUp();
    const terms = termsOf(q.text);
    const found: [number, Entry][] = [];
    for (const { entry } of this.#index.values()) {
      if (entry === null) continue;
      const score = scoreOf(entry, terms);
      if (score > 0) found.push([score, entry]);
    }
    found.sort((a, b) => b[0] - a[0] || (a[1].name < b[1].name ? -1 : a[1].name > b[1].name ? 1 : 0));
    const best = found[0]?.[0] ?? 1;
    const objects: Json[] = found.slice(q.from, q.from + q.size).map(([score, e]) => ({
      package: {
        name: e.name,
        version: e.version,
        ...(e.description === '' ? {} : { description: e.description }),
        keywords: [...e.keywords],
        ...(e.date === null ? {} : { date: e.date }),
        ...(e.license === null ? {} : { license: e.license }),
        ...(e.publisher === null ? {} : { publisher: { username: e.publisher } }),
        maintainers: e.publisher === null ? [] : [{ username: e.publisher }],
      },
      score: { final: score / best },
      searchScore: score,
    }));
    return Buffer.from(JSON.stringify({ objects, total: found.length, time: this.#clock().toISOString() }), 'utf8');
  }

  /**
   * A package as just read from the store (the origin reads each one a write through this
   * gateway changes, at once): what searches find of it, unless the index already has this
   * revision or is full. Nothing before the first search: a repository nobody searches reads
   * no document for it.
   */
  saw(pkg: Pick<HostedPackage, 'name' | 'rev' | 'document'>): void {
    if (this.#listedAt === Number.NEGATIVE_INFINITY) return;
    const known = this.#index.get(pkg.name);
    if (known !== undefined && known.rev >= pkg.rev) return;
    if (known === undefined && this.#index.size >= MAX_INDEXED) return;
    this.#index.set(pkg.name, { rev: pkg.rev, entry: searchEntry(pkg.name, pkg.document) });
  }

  /** Reads again what changed in the store since the last listing (one listing at a time). */
  async #catchUp(): Promise<void> {
    if (this.#clock().getTime() - this.#listedAt < LIST_EVERY_MS) return;
    this.#catchingUp ??= this.#relist().finally(() => {
      this.#catchingUp = null;
    });
    await this.#catchingUp;
  }

  async #relist(): Promise<void> {
    const listedAt = this.#clock().getTime();
    const revisions = (await this.#store.hostedRevisions(this.#repo)).slice(0, MAX_INDEXED);
    const current = new Set<string>();
    const stale: { name: string; rev: number }[] = [];
    for (const r of revisions) {
      current.add(r.name);
      if (this.#index.get(r.name)?.rev !== r.rev) stale.push(r);
    }
    for (const name of this.#index.keys()) {
      if (!current.has(name)) this.#index.delete(name);
    }
    for (let i = 0; i < stale.length; i += READ_WIDTH) {
      await Promise.all(
        stale.slice(i, i + READ_WIDTH).map(async ({ name, rev }) => {
          const pkg = await this.#store.getHostedPackage(this.#repo, name);
          const got = pkg?.rev ?? rev;
          // A newer revision seen meanwhile (`saw`) stays.
          if ((this.#index.get(name)?.rev ?? 0) <= got) this.#index.set(name, { rev: got, entry: pkg === null ? null : searchEntry(name, pkg.document) });
        }),
      );
    }
    this.#listedAt = listedAt;
  }
}
