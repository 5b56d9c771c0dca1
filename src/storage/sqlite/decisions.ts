import type { Purl } from '../../core/index.ts';
import { DECISION_PHASES, DECISION_VERDICTS, decisionRow } from '../common/index.ts';
import type { DecisionLog, DecisionRecord, RequestContext } from '../ports/index.ts';
import { isUniqueViolation, storageError } from './connection.ts';
import type { SqliteConnection } from './connection.ts';
import { AirlockError } from '../../core/index.ts';
import { withAudit } from './audit.ts';
import { pageNewestFirst } from './page.ts';
import { date, json, jsonOrNull, oneOf, reasons, text } from './rows.ts';
import type { Row } from './rows.ts';

function toDecision(row: Row): DecisionRecord {
  return {
    id: text(row, 'id'),
    repo: text(row, 'repo'),
    purl: text(row, 'purl') as Purl,
    phase: oneOf(row, 'phase', DECISION_PHASES),
    verdict: oneOf(row, 'verdict', DECISION_VERDICTS),
    reasons: reasons(row, 'reasons'),
    warnings: reasons(row, 'warnings'),
    policyHash: text(row, 'policy_hash'),
    facts: json(row, 'facts'),
    request: jsonOrNull(row, 'request') as unknown as RequestContext | null,
    createdAt: date(row, 'created_at'),
  };
}

export function sqliteDecisionLog(conn: SqliteConnection): DecisionLog {
  return {
    async recordDecision(rec, audit) {
      try {
        const params = decisionRow(rec);
        await withAudit(conn, audit, () => {
          conn
            .statement(
              `INSERT INTO decisions (id, repo, purl, phase, verdict, reasons, warnings, policy_hash, facts, request, created_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            )
            .run(...params);
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw new AirlockError('CONFLICT', `a decision with id ${rec.id} already exists`, { cause: err });
        throw storageError(err, 'recordDecision');
      }
    },

    async listDecisions(filter) {
      try {
        return pageNewestFirst(conn, {
          table: 'decisions',
          conditions: filter.purl === undefined ? [] : ['purl = ?'],
          params: filter.purl === undefined ? [] : [filter.purl],
          limit: filter.limit,
          cursor: filter.cursor,
          map: toDecision,
        });
      } catch (err) {
        throw storageError(err, 'listDecisions');
      }
    },
  };
}
