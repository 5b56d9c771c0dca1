/**
 * Writes a segment: resolves the range once (the head as it is then: events appended while the
 * export runs are not in it), then reads the events a page at a time — never the whole trail in
 * memory — and ends with the trailer. Used by `GET /-/api/audit/export` and by `airlock audit
 * export` on storage, so both write the same bytes.
 */
import { AIRLOCK_VERSION } from '../../core/index.ts';
import type { AuditEvent, AuditLog } from '../../storage/ports/index.ts';
import { MAX_ACTORS, SEGMENT_FORMAT, SEGMENT_VERSION, eventLine, jsonLine, type ActorInfo, type SegmentHeader, type SegmentRange } from './format.ts';
import { resolveSegment } from './range.ts';

const PAGE = 1000;
const TOKEN_PREFIX = 'token:';

/** Who the tokens with these ids are (unknown ones left out). */
export type ActorDirectory = (tokenIds: readonly string[]) => Promise<ReadonlyMap<string, ActorInfo>>;

/** The directory of a token list (the store's records, or the token service's views). */
export function tokenDirectory(list: () => Promise<readonly { readonly id: string; readonly role: string; readonly label: string; readonly createdAt: Date; readonly revokedAt: Date | null }[]>): ActorDirectory {
  return async (ids) => {
    const wanted = new Set(ids);
    const found = new Map<string, ActorInfo>();
    for (const t of await list()) {
      if (wanted.has(t.id)) found.set(t.id, { label: t.label, role: t.role, createdAt: t.createdAt.toISOString(), revokedAt: t.revokedAt?.toISOString() ?? null });
    }
    return found;
  };
}

export interface SegmentWriterOptions {
  readonly clock: () => Date;
  readonly actors: ActorDirectory;
  readonly pageSize?: number;
}

export interface OpenedSegment {
  readonly header: SegmentHeader;
  /** Every line of the segment, header first, each ending in a newline. */
  lines(): AsyncGenerator<string>;
}

/** The token ids an event names: its actor's, and the token a `token.*` event is about. */
function tokenIdsOf(e: AuditEvent): string[] {
  const ids: string[] = [];
  if (e.actor.startsWith(TOKEN_PREFIX)) ids.push(e.actor.slice(TOKEN_PREFIX.length));
  if (e.action.startsWith('token.')) ids.push(e.subject);
  return ids;
}

/** Resolves the range now (a bad range fails here, before any line is written). */
export async function openAuditSegment(log: AuditLog, range: SegmentRange, options: SegmentWriterOptions): Promise<OpenedSegment> {
  const resolved = await resolveSegment(log, range);
  const header: SegmentHeader = {
    format: SEGMENT_FORMAT,
    version: SEGMENT_VERSION,
    airlockVersion: AIRLOCK_VERSION,
    exportedAt: options.clock().toISOString(),
    range,
    headSeq: resolved.headSeq,
    anchor: resolved.anchor,
    through: resolved.through,
  };
  const page = Math.min(Math.max(options.pageSize ?? PAGE, 1), PAGE);
  return {
    header,
    async *lines() {
      yield jsonLine(header);
      const tokenIds = new Set<string>();
      let count = 0;
      let last = resolved.anchor;
      while (last.seq < resolved.through) {
        const items = await log.listAudit({ afterSeq: last.seq, limit: Math.min(page, resolved.through - last.seq) });
        if (items.length === 0) break;
        for (const e of items) {
          if (e.seq > resolved.through) break;
          for (const id of tokenIdsOf(e)) if (tokenIds.size < MAX_ACTORS) tokenIds.add(id);
          count++;
          last = { seq: e.seq, hash: e.hash };
          yield eventLine(e);
        }
      }
      const found = tokenIds.size === 0 ? new Map<string, ActorInfo>() : await options.actors([...tokenIds]);
      const actors: Record<string, ActorInfo> = {};
      for (const id of [...tokenIds].sort()) {
        const info = found.get(id);
        if (info !== undefined) actors[`${TOKEN_PREFIX}${id}`] = info;
      }
      yield jsonLine({
        end: SEGMENT_FORMAT,
        count,
        firstSeq: count === 0 ? null : resolved.anchor.seq + 1,
        lastSeq: count === 0 ? null : last.seq,
        lastHash: last.hash,
        actors,
      });
    },
  };
}
