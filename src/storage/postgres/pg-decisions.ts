import { AirlockError } from '../../core/index.ts';
import type { Purl } from '../../core/index.ts';
import { encodeJson, requireText, validDate } from '../common/index.ts';
import type { DecisionLog, DecisionRecord, RequestContext } from '../ports/index.ts';
import { isUniqueViolation, pgStorageError } from './pg-client.ts';
import type { PgClient, Queryable, Row } from './pg-client.ts';
import { withAudit } from './pg-audit.ts';
import { pageNewestFirst } from './pg-page.ts';
import { date, json, jsonOrNull, oneOf, reasons, text } from './pg-rows.ts';

const PHASES = ['metadata', 'artifact'] as const;
const VERDICTS = ['allow', 'quarantine', 'block'] as const;

function toDecision(row: Row): DecisionRecord {
  return {
    id: text(row, 'id'),
    repo: text(row, 'repo'),
    purl: text(row, 'purl') as Purl,
    phase: oneOf(row, 'phase', PHASES),
    verdict: oneOf(row, 'verdict', VERDICTS),
    reasons: reasons(row, 'reasons'),
    warnings: reasons(row, 'warnings'),
    policyHash: text(row, 'policy_hash'),
    facts: json(row, 'facts'),
    request: jsonOrNull(row, 'request') as unknown as RequestContext | null,
    createdAt: date(row, 'created_at'),
  };
}

export function pgDecisionLog(client: PgClient): DecisionLog {
  const q: Queryable = client;
  return {
    async recordDecision(rec, audit) {
      try {
        if (!PHASES.includes(rec.phase)) throw new AirlockError('BAD_REQUEST', `unknown decision phase ${String(rec.phase)}`);
        if (!VERDICTS.includes(rec.verdict)) throw new AirlockError('BAD_REQUEST', `unknown verdict ${String(rec.verdict)}`);
        const params = [
          requireText(rec.id, 'decision id', 128),
          requireText(rec.repo, 'decision repo'),
          requireText(rec.purl, 'decision purl'),
          rec.phase,
          rec.verdict,
          encodeJson(rec.reasons, 'decision reasons'),
          encodeJson(rec.warnings, 'decision warnings'),
          rec.policyHash,
          encodeJson(rec.facts, 'decision facts'),
          rec.request === null ? null : encodeJson(rec.request, 'decision request'),
          validDate(rec.createdAt, 'decision createdAt'),
        ];
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
        return await pageNewestFirst(q, {
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
