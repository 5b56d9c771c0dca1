/**
 * The audit segment: a period of the audit trail as JSON Lines that can be verified later without
 * trusting whoever exported it (docs/audit-evidence.md). A header line, each event of the period
 * exactly as stored (every field its hash covers), a trailer line:
 *
 *   {"format":"airlock-audit-segment","version":1,"airlockVersion":…,"exportedAt":…,"range":{…},"headSeq":…,"anchor":{"seq":…,"hash":…},"through":…}
 *   {"seq":…,"at":…,"actor":…,"action":…,"subject":…,"details":…,"prevHash":…,"hash":…}
 *   {"end":"airlock-audit-segment","count":…,"firstSeq":…,"lastSeq":…,"lastHash":…,"actors":{…}}
 */
import type { AuditEvent } from '../../storage/ports/index.ts';

export const SEGMENT_FORMAT = 'airlock-audit-segment';
export const SEGMENT_VERSION = 1;
export const SEGMENT_MEDIA_TYPE = 'application/x-ndjson';
/** Token actors a trailer names at most: the writer stops naming more, the reader refuses a trailer with more. */
export const MAX_ACTORS = 10_000;

/** The period asked for; null where not given. `since` inclusive, `until` exclusive, `after` exclusive, `through` inclusive. */
export interface SegmentRange {
  readonly since: string | null;
  readonly until: string | null;
  readonly after: number | null;
  readonly through: number | null;
}

/** A link of the chain: an event's seq and hash (seq 0 and 64 zeros: the genesis). */
export interface ChainPoint {
  readonly seq: number;
  readonly hash: string;
}

export interface SegmentHeader {
  readonly format: typeof SEGMENT_FORMAT;
  readonly version: number;
  /** The exporting gateway's Airlock version. */
  readonly airlockVersion: string;
  readonly exportedAt: string;
  readonly range: SegmentRange;
  /** The newest seq when the export began: nothing after it is exported. */
  readonly headSeq: number;
  /** The event just before the first exported one (the genesis when it is seq 1). */
  readonly anchor: ChainPoint;
  /** The last seq the export covers (`anchor.seq` when it covers none). */
  readonly through: number;
}

/**
 * Who a token actor was, from the gateway's token records when it exported (not covered by the
 * chain: context for reading the events; a token's own `token.create` event is the proof).
 */
export interface ActorInfo {
  readonly label: string;
  readonly role: string;
  readonly createdAt: string | null;
  readonly revokedAt: string | null;
}

export interface SegmentTrailer {
  readonly end: typeof SEGMENT_FORMAT;
  readonly count: number;
  readonly firstSeq: number | null;
  readonly lastSeq: number | null;
  /** The last event's hash; the anchor's when the segment is empty. */
  readonly lastHash: string;
  /** `token:<id>` actors of the events (and tokens the events are about) → who they were. */
  readonly actors: Readonly<Record<string, ActorInfo>>;
}

/** One event as a line: its stored fields, in a fixed order. */
export function eventLine(e: AuditEvent): string {
  return `${JSON.stringify({ seq: e.seq, at: e.at.toISOString(), actor: e.actor, action: e.action, subject: e.subject, details: e.details, prevHash: e.prevHash, hash: e.hash })}\n`;
}

export function jsonLine(value: SegmentHeader | SegmentTrailer): string {
  return `${JSON.stringify(value)}\n`;
}
