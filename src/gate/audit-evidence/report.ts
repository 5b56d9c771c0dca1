/**
 * The compliance report of a segment: decisions counted by ecosystem and verdict, and every
 * review, exception, policy change, token change, hosted write and webhook intervention listed
 * with who did it, when, and why — built from the events as a verified segment is read (one
 * pass; decisions are only counted, and each list is bounded), ending with the chain points
 * that tie the report to an export of the same range.
 */
import type { AuditEvent, Json } from '../../storage/ports/index.ts';
import type { ChainPoint, SegmentRange } from './format.ts';
import { SECTIONS, auditKind, type SectionId } from './report-kinds.ts';
import type { SegmentSummary } from './verify.ts';

export const REPORT_FORMAT = 'airlock-audit-report';
/** Entries listed per section; past it they are counted as omitted. */
export const MAX_LISTED = 10_000;

/** Who acted: a token's label and role when known, from its `token.create` event in the segment or the exporting gateway's records. */
export interface ActorView {
  readonly actor: string;
  readonly label: string | null;
  readonly role: string | null;
  readonly source: 'token.create' | 'gateway records' | null;
}

export interface ReportEntry {
  readonly seq: number;
  readonly at: string;
  readonly action: string;
  readonly what: string;
  readonly by: ActorView;
  readonly subject: string;
  /** The event's details the report shows for its kind. */
  readonly details: Readonly<Record<string, Json>>;
}

export interface SectionReport {
  readonly title: string;
  /** By what happened (`released`, `rejected` …). */
  readonly counts: Readonly<Record<string, number>>;
  readonly entries: readonly ReportEntry[];
  readonly omitted: number;
}

export type VerdictCounts = { allowed: number; quarantined: number; blocked: number };

export interface AuditReport {
  readonly format: typeof REPORT_FORMAT;
  readonly version: 1;
  readonly generatedAt: string;
  readonly range: SegmentRange;
  readonly exported: { readonly airlockVersion: string; readonly exportedAt: string; readonly headSeq: number };
  readonly events: number;
  /** The times of the first and last event (null: none). */
  readonly firstAt: string | null;
  readonly lastAt: string | null;
  readonly decisions: { readonly total: number; readonly byEcosystem: Readonly<Record<string, VerdictCounts>> };
  readonly sections: Readonly<Record<Exclude<SectionId, 'decisions'>, SectionReport>>;
  /** Events of actions the report does not know, by action. */
  readonly other: Readonly<Record<string, number>>;
  readonly chain: {
    readonly anchor: ChainPoint;
    readonly firstSeq: number | null;
    readonly lastSeq: number | null;
    readonly lastHash: string;
    /** `offline`: the segment's own chain; `live`: and identical to the live trail. */
    readonly verified: 'offline' | 'live';
  };
}

interface PendingEntry extends Omit<ReportEntry, 'by'> {
  readonly actor: string;
}

interface Section {
  counts: Record<string, number>;
  entries: PendingEntry[];
  omitted: number;
}

const TOKEN_PREFIX = 'token:';

function ecosystemOf(purl: string): string {
  return /^pkg:([a-z][a-z0-9.+-]*)\//.exec(purl)?.[1] ?? 'unknown';
}

function pick(details: Json, fields: readonly string[]): Record<string, Json> {
  const out: Record<string, Json> = {};
  if (typeof details !== 'object' || details === null || Array.isArray(details)) return out;
  const obj = details as { readonly [k: string]: Json };
  for (const f of fields) if (Object.hasOwn(obj, f) && obj[f] !== undefined) out[f] = obj[f] as Json;
  return out;
}

function text(details: Json, key: string): string | null {
  if (typeof details !== 'object' || details === null || Array.isArray(details)) return null;
  const v = (details as { readonly [k: string]: Json })[key];
  return typeof v === 'string' ? v : null;
}

export class ReportBuilder {
  readonly #byEcosystem = new Map<string, VerdictCounts>();
  readonly #sections = new Map<SectionId, Section>();
  readonly #other = new Map<string, number>();
  /** Token id → who, from `token.create` events read. */
  readonly #created = new Map<string, { label: string; role: string }>();
  #decisions = 0;
  #firstAt: string | null = null;
  #lastAt: string | null = null;

  add(e: AuditEvent): void {
    const at = e.at.toISOString();
    this.#firstAt ??= at;
    this.#lastAt = at;
    const kind = auditKind(e.action);
    if (kind === null) {
      this.#other.set(e.action, (this.#other.get(e.action) ?? 0) + 1);
      return;
    }
    if (kind.section === 'decisions') {
      this.#decisions++;
      const eco = ecosystemOf(e.subject);
      const counts = this.#byEcosystem.get(eco) ?? { allowed: 0, quarantined: 0, blocked: 0 };
      counts[kind.label as keyof VerdictCounts]++;
      this.#byEcosystem.set(eco, counts);
      return;
    }
    if (e.action === 'token.create') {
      const label = text(e.details, 'label');
      const role = text(e.details, 'role');
      if (label !== null && role !== null) this.#created.set(e.subject, { label, role });
    }
    let section = this.#sections.get(kind.section);
    if (section === undefined) {
      section = { counts: {}, entries: [], omitted: 0 };
      this.#sections.set(kind.section, section);
    }
    section.counts[kind.label] = (section.counts[kind.label] ?? 0) + 1;
    if (section.entries.length >= MAX_LISTED) {
      section.omitted++;
      return;
    }
    section.entries.push({ seq: e.seq, at, action: e.action, what: kind.label, actor: e.actor, subject: e.subject, details: pick(e.details, kind.fields) });
  }

  finish(summary: SegmentSummary, generatedAt: Date): AuditReport {
    const { header, trailer } = summary;
    const who = (actor: string): ActorView => {
      if (!actor.startsWith(TOKEN_PREFIX)) return { actor, label: null, role: null, source: null };
      const created = this.#created.get(actor.slice(TOKEN_PREFIX.length));
      if (created !== undefined) return { actor, ...created, source: 'token.create' };
      const known = Object.hasOwn(trailer.actors, actor) ? trailer.actors[actor] : undefined;
      return known === undefined ? { actor, label: null, role: null, source: null } : { actor, label: known.label, role: known.role, source: 'gateway records' };
    };
    const sections = {} as Record<Exclude<SectionId, 'decisions'>, SectionReport>;
    for (const { id, title } of SECTIONS) {
      const s = this.#sections.get(id) ?? { counts: {}, entries: [], omitted: 0 };
      sections[id] = { title, counts: s.counts, entries: s.entries.map(({ actor, ...rest }) => ({ ...rest, by: who(actor) })), omitted: s.omitted };
    }
    const byEcosystem = Object.fromEntries([...this.#byEcosystem.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    return {
      format: REPORT_FORMAT,
      version: 1,
      generatedAt: generatedAt.toISOString(),
      range: header.range,
      exported: { airlockVersion: header.airlockVersion, exportedAt: header.exportedAt, headSeq: header.headSeq },
      events: summary.count,
      firstAt: this.#firstAt,
      lastAt: this.#lastAt,
      decisions: { total: this.#decisions, byEcosystem },
      sections,
      other: Object.fromEntries([...this.#other.entries()].sort(([a], [b]) => (a < b ? -1 : 1))),
      chain: { anchor: header.anchor, firstSeq: trailer.firstSeq, lastSeq: trailer.lastSeq, lastHash: trailer.lastHash, verified: summary.live ? 'live' : 'offline' },
    };
  }
}
