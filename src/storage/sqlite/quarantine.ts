import { AirlockError, isEcosystem } from '../../core/index.ts';
import type { Purl } from '../../core/index.ts';
import { auditEventOf, encodeJson, requireText, toMillis, toMillisOrNull } from '../common/index.ts';
import type { QuarantineRecord, QuarantineState, QuarantineStore } from '../ports/index.ts';
import { isUniqueViolation, storageError } from './connection.ts';
import type { SqliteConnection } from './connection.ts';
import { appendAuditIn } from './audit.ts';
import { pageNewestFirst } from './page.ts';
import { date, dateOrNull, json, oneOf, reasons, text, textOrNull } from './rows.ts';
import type { Row } from './rows.ts';

const STATES = ['quarantined', 'released', 'rejected'] as const satisfies readonly QuarantineState[];

function toRecord(row: Row): QuarantineRecord {
  const ecosystem = text(row, 'ecosystem');
  if (!isEcosystem(ecosystem)) throw new AirlockError('STORAGE_ERROR', `metadata store: unknown ecosystem ${ecosystem}`);
  return {
    id: text(row, 'id'),
    repo: text(row, 'repo'),
    purl: text(row, 'purl') as Purl,
    ecosystem,
    name: text(row, 'name'),
    version: text(row, 'version'),
    state: oneOf(row, 'state', STATES),
    reasons: reasons(row, 'reasons'),
    facts: json(row, 'facts'),
    createdAt: date(row, 'created_at'),
    updatedAt: date(row, 'updated_at'),
    decidedBy: textOrNull(row, 'decided_by'),
    decidedAt: dateOrNull(row, 'decided_at'),
    decisionReason: textOrNull(row, 'decision_reason'),
    expiresAt: dateOrNull(row, 'expires_at'),
    contentDigest: textOrNull(row, 'content_digest'),
  };
}

const SELECT_OPEN = "SELECT * FROM quarantine WHERE repo = ? AND purl = ? AND state = 'quarantined'";

export function sqliteQuarantineStore(conn: SqliteConnection): QuarantineStore {
  return {
    async openQuarantine(rec, audit) {
      try {
        if (rec.state !== 'quarantined') {
          throw new AirlockError('BAD_REQUEST', `a new quarantine record must be in state quarantined, not ${rec.state}`);
        }
        if (!isEcosystem(rec.ecosystem)) throw new AirlockError('BAD_REQUEST', `unknown ecosystem ${String(rec.ecosystem)}`);
        const params = [
          requireText(rec.id, 'quarantine id', 128),
          requireText(rec.repo, 'quarantine repo'),
          requireText(rec.purl, 'quarantine purl'),
          rec.ecosystem,
          requireText(rec.name, 'quarantine name'),
          requireText(rec.version, 'quarantine version'),
          encodeJson(rec.reasons, 'quarantine reasons'),
          encodeJson(rec.facts, 'quarantine facts'),
          toMillis(rec.createdAt, 'quarantine createdAt'),
          toMillis(rec.updatedAt, 'quarantine updatedAt'),
          rec.decidedBy,
          toMillisOrNull(rec.decidedAt, 'quarantine decidedAt'),
          rec.decisionReason,
          toMillisOrNull(rec.expiresAt, 'quarantine expiresAt'),
          rec.contentDigest === null ? null : requireText(rec.contentDigest, 'quarantine contentDigest', 256),
        ] as const;
        return await conn.write(() => {
          const open = conn.statement(SELECT_OPEN).get(rec.repo, rec.purl);
          if (open !== undefined) return toRecord(open);
          const row = conn
            .statement(
              `INSERT INTO quarantine (id, repo, purl, ecosystem, name, version, state, reasons, facts, created_at,
                 updated_at, decided_by, decided_at, decision_reason, expires_at, content_digest)
               VALUES (?, ?, ?, ?, ?, ?, 'quarantined', ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
            )
            .get(...params);
          if (row === undefined) throw new AirlockError('STORAGE_ERROR', 'metadata store: insert returned no row');
          const opened = toRecord(row);
          if (audit !== undefined) appendAuditIn(conn, auditEventOf(audit, opened));
          return opened;
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw new AirlockError('CONFLICT', `a quarantine record with id ${rec.id} already exists`, { cause: err });
        throw storageError(err, 'openQuarantine');
      }
    },

    async getQuarantine(id) {
      try {
        const row = conn.statement('SELECT * FROM quarantine WHERE id = ?').get(id);
        return row === undefined ? null : toRecord(row);
      } catch (err) {
        throw storageError(err, 'getQuarantine');
      }
    },

    async latestQuarantine(repo, purl) {
      try {
        const row = conn
          .statement('SELECT * FROM quarantine WHERE purl = ? AND repo = ? ORDER BY created_at DESC, id DESC LIMIT 1')
          .get(purl, repo);
        return row === undefined ? null : toRecord(row);
      } catch (err) {
        throw storageError(err, 'latestQuarantine');
      }
    },

    async listQuarantine(filter) {
      try {
        const conditions: string[] = [];
        const params: string[] = [];
        if (filter.purl !== undefined) {
          conditions.push('purl = ?');
          params.push(filter.purl);
        }
        if (filter.state !== undefined) {
          if (!STATES.includes(filter.state)) throw new AirlockError('BAD_REQUEST', `unknown quarantine state ${String(filter.state)}`);
          conditions.push('state = ?');
          params.push(filter.state);
        }
        return pageNewestFirst(conn, { table: 'quarantine', conditions, params, limit: filter.limit, cursor: filter.cursor, map: toRecord });
      } catch (err) {
        throw storageError(err, 'listQuarantine');
      }
    },

    async transitionQuarantine(id, change, audit) {
      try {
        if (change.to !== 'released' && change.to !== 'rejected') {
          throw new AirlockError('BAD_REQUEST', `cannot transition a quarantine record to ${String(change.to)}`);
        }
        const params = [
          change.to,
          toMillis(change.at, 'transition time'),
          requireText(change.actor, 'transition actor'),
          requireText(change.reason, 'transition reason'),
          toMillisOrNull(change.expiresAt, 'transition expiresAt'),
          id,
        ] as const;
        return await conn.write(() => {
          // Compare-and-set: quarantined → released | rejected, released → rejected.
          const row = conn
            .statement(
              `UPDATE quarantine SET state = ?1, updated_at = ?2, decided_by = ?3, decided_at = ?2, decision_reason = ?4,
                 expires_at = ?5
               WHERE id = ?6 AND (state = 'quarantined' OR (?1 = 'rejected' AND state = 'released'))
               RETURNING *`,
            )
            .get(...params);
          if (row !== undefined) {
            const changed = toRecord(row);
            if (audit !== undefined) appendAuditIn(conn, auditEventOf(audit, changed));
            return changed;
          }
          const current = conn.statement('SELECT state FROM quarantine WHERE id = ?').get(id);
          if (current === undefined) throw new AirlockError('NOT_FOUND', `no quarantine record ${id}`);
          const state = oneOf(current, 'state', STATES);
          throw new AirlockError('CONFLICT', `quarantine record ${id} is ${state} and cannot become ${change.to}`, {
            details: { id, state, to: change.to },
          });
        });
      } catch (err) {
        throw storageError(err, 'transitionQuarantine');
      }
    },
  };
}
