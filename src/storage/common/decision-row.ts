/**
 * A decision record checked and encoded for storage, the same for every driver: the columns of
 * the `decisions` table in order, JSON as text, the time as epoch milliseconds (drivers that bind
 * Dates convert it).
 */
import { AirlockError } from '../../core/index.ts';
import type { DecisionRecord } from '../ports/index.ts';
import { encodeJson } from './json.ts';
import { requireText, toMillis } from './validate.ts';

export const DECISION_PHASES = ['metadata', 'artifact'] as const;
export const DECISION_VERDICTS = ['allow', 'quarantine', 'block'] as const;

/** id, repo, purl, phase, verdict, reasons, warnings, policy_hash, facts, request, created_at */
export type DecisionRow = readonly [string, string, string, string, string, string, string, string, string, string | null, number];

export function decisionRow(rec: DecisionRecord): DecisionRow {
  if (!DECISION_PHASES.includes(rec.phase)) throw new AirlockError('BAD_REQUEST', `unknown decision phase ${String(rec.phase)}`);
  if (!DECISION_VERDICTS.includes(rec.verdict)) throw new AirlockError('BAD_REQUEST', `unknown verdict ${String(rec.verdict)}`);
  return [
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
    toMillis(rec.createdAt, 'decision createdAt'),
  ];
}
