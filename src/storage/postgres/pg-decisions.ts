import { AirlockError } from '../../core/index.ts';
import type { Purl } from '../../core/index.ts';
import { DECISION_PHASES, DECISION_VERDICTS, decisionRow } from '../common/index.ts';
import type { DecisionLog, DecisionRecord, RequestContext } from '../ports/index.ts';
import { isUniqueViolation, pgStorageError } from './pg-client.ts';
import type { PgClient, Row } from './pg-client.ts';
import { withAudit } from './pg-audit.ts';
import { pageNewestFirst } from './pg-page.ts';
import { date, json, jsonOrNull, oneOf, reasons, text } from './pg-rows.ts';

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

export function pgDecisionLog(client: PgClient): DecisionLog {
  return {
    async recordDecision(rec, audit) {
      try {
        const row = decisionRow(rec);
        // The PostgreSQL column is a timestamp: bound as a Date, not epoch milliseconds.
        const params = [...row.slice(0, 10), new Date(row[10])];
        await withAudit(client, audit, async (tx) => {
          await tx.query(
            `INSERT INTO decisions (id, repo, purl, phase, verdict, reasons, warnings, policy_hash, facts, request, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
            params,
          );
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw new AirlockError('CONFLICT', `a decision with id ${rec.id} already exists`, { cause: err });
        throw pgStorageError(err, 'recordDecision');
      }
    },

    async listDecisions(filter) {
      try {
        return await pageNewestFirst(client, {
          table: 'decisions',
          conditions: filter.purl === undefined ? [] : ['purl = $1'],
          params: filter.purl === undefined ? [] : [filter.purl],
          limit: filter.limit,
          cursor: filter.cursor,
          map: toDecision,
        });
      } catch (err) {
        throw pgStorageError(err, 'listDecisions');
      }
    },
  };
}
