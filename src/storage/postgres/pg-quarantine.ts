import { AirlockError, isEcosystem } from '../../core/index.ts';
import type { Purl } from '../../core/index.ts';
import { auditEventOf, encodeJson, requireText, validDate, validDateOrNull } from '../common/index.ts';
import type { QuarantineRecord, QuarantineState, QuarantineStore } from '../ports/index.ts';
import { isUniqueViolation, lockFor, pgStorageError } from './pg-client.ts';
import type { Param, PgClient, Queryable, Row } from './pg-client.ts';
import { appendAuditIn } from './pg-audit.ts';
import { pageNewestFirst } from './pg-page.ts';
import { date, dateOrNull, json, oneOf, reasons, text, textOrNull } from './pg-rows.ts';

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

export function pgQuarantineStore(client: PgClient): QuarantineStore {
  return {
    async openQuarantine(rec, audit) {
      try {
        if (rec.state !== 'quarantined') {
          throw new AirlockError('BAD_REQUEST', `a new quarantine record must be in state quarantined, not ${rec.state}`);
        }
        if (!isEcosystem(rec.ecosystem)) throw new AirlockError('BAD_REQUEST', `unknown ecosystem ${String(rec.ecosystem)}`);
        const params: Param[] = [
          requireText(rec.id, 'quarantine id', 128),
          requireText(rec.repo, 'quarantine repo'),
          requireText(rec.purl, 'quarantine purl'),
          rec.ecosystem,
          requireText(rec.name, 'quarantine name'),
          requireText(rec.version, 'quarantine version'),
          encodeJson(rec.reasons, 'quarantine reasons'),
          encodeJson(rec.facts, 'quarantine facts'),
          validDate(rec.createdAt, 'quarantine createdAt'),
          validDate(rec.updatedAt, 'quarantine updatedAt'),
          rec.decidedBy,
          validDateOrNull(rec.decidedAt, 'quarantine decidedAt'),
          rec.decisionReason,
          validDateOrNull(rec.expiresAt, 'quarantine expiresAt'),
          rec.contentDigest === null ? null : requireText(rec.contentDigest, 'quarantine contentDigest', 256),
        ];
        return await client.tx(async (q) => {
          // One opener per (repo, purl) at a time, across every gateway node.
          await lockFor(q, client.schema, `quarantine:${rec.repo}:${rec.purl}`);
          const [open] = await q.query("SELECT * FROM quarantine WHERE repo = $1 AND purl = $2 AND state = 'quarantined'", [rec.repo, rec.purl]);
          if (open !== undefined) return toRecord(open);
          const [row] = await q.query(
            `INSERT INTO quarantine (id, repo, purl, ecosystem, name, version, state, reasons, facts, created_at,
               updated_at, decided_by, decided_at, decision_reason, expires_at, content_digest)
             VALUES ($1, $2, $3, $4, $5, $6, 'quarantined', $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING *`,
            params,
          );
          if (row === undefined) throw new AirlockError('STORAGE_ERROR', 'metadata store: insert returned no row');
          const opened = toRecord(row);
          if (audit !== undefined) await appendAuditIn(q, client.schema, auditEventOf(audit, opened));
          return opened;
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw new AirlockError('CONFLICT', `a quarantine record with id ${rec.id} already exists`, { cause: err });
        throw pgStorageError(err, 'openQuarantine');
      }
    },

    async getQuarantine(id) {
      try {
        const [row] = await client.query('SELECT * FROM quarantine WHERE id = $1', [id]);
        return row === undefined ? null : toRecord(row);
      } catch (err) {
        throw pgStorageError(err, 'getQuarantine');
      }
    },

    async latestQuarantine(repo, purl) {
      try {
        const [row] = await client.query(
          'SELECT * FROM quarantine WHERE purl = $1 AND repo = $2 ORDER BY created_at DESC, id DESC LIMIT 1',
          [purl, repo],
        );
        return row === undefined ? null : toRecord(row);
      } catch (err) {
        throw pgStorageError(err, 'latestQuarantine');
      }
    },

    async listQuarantine(filter) {
      try {
        const conditions: string[] = [];
        const params: Param[] = [];
        if (filter.purl !== undefined) {
          params.push(filter.purl);
          conditions.push(`purl = $${params.length}`);
        }
        if (filter.state !== undefined) {
          if (!STATES.includes(filter.state)) throw new AirlockError('BAD_REQUEST', `unknown quarantine state ${String(filter.state)}`);
          params.push(filter.state);
          conditions.push(`state = $${params.length}`);
        }
        return await pageNewestFirst(client, { table: 'quarantine', conditions, params, limit: filter.limit, cursor: filter.cursor, map: toRecord });
      } catch (err) {
        throw pgStorageError(err, 'listQuarantine');
      }
    },

    async transitionQuarantine(id, change, audit) {
      try {
        if (change.to !== 'released' && change.to !== 'rejected') {
          throw new AirlockError('BAD_REQUEST', `cannot transition a quarantine record to ${String(change.to)}`);
        }
        const params: Param[] = [
          change.to,
          validDate(change.at, 'transition time'),
          requireText(change.actor, 'transition actor'),
          requireText(change.reason, 'transition reason'),
          validDateOrNull(change.expiresAt, 'transition expiresAt'),
          id,
        ];
        // Compare-and-set in one statement: a concurrent updater re-checks the state after ours commits.
        const update = async (q: Queryable): Promise<QuarantineRecord | null> => {
          const [row] = await q.query(
            `UPDATE quarantine SET state = $1, updated_at = $2, decided_by = $3, decided_at = $2, decision_reason = $4,
               expires_at = $5
             WHERE id = $6 AND (state = 'quarantined' OR ($1 = 'rejected' AND state = 'released'))
             RETURNING *`,
            params,
          );
          return row === undefined ? null : toRecord(row);
        };
        const changed =
          audit === undefined
            ? await update(client)
            : await client.tx(async (q) => {
                const rec = await update(q);
                if (rec !== null) await appendAuditIn(q, client.schema, auditEventOf(audit, rec));
                return rec;
              });
        if (changed !== null) return changed;
        const [current] = await client.query('SELECT state FROM quarantine WHERE id = $1', [id]);
        if (current === undefined) throw new AirlockError('NOT_FOUND', `no quarantine record ${id}`);
        const state = oneOf(current, 'state', STATES);
        throw new AirlockError('CONFLICT', `quarantine record ${id} is ${state} and cannot become ${change.to}`, {
          details: { id, state, to: change.to },
        });
      } catch (err) {
        throw pgStorageError(err, 'transitionQuarantine');
      }
    },
  };
}
