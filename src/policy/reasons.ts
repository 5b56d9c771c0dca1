/**
 * Turns the value of `data.airlock.deny|quarantine|warn` into typed reasons. The contract: a set
 * (or array) whose members are strings, or objects with a `msg` or `message` string and
 * optionally `id`/`rule`/`policy`; further fields travel along as details. Anything else is a
 * malformed result, which the caller turns into a fail-closed verdict.
 */
import { AirlockError, cutShort, setMember, type Reason } from '../core/index.ts';
import { RObject, RSet, isArray, toJS, type Value } from '../rego/value.ts';
import type { Json } from '../storage/ports/index.ts';

const MAX_REASONS = 1000;
const MAX_MESSAGE_CHARS = 2000;

function clip(text: string): string {
  return cutShort(text, MAX_MESSAGE_CHARS);
}

function reasonFromObject(obj: RObject, rule: string): Reason {
  const plain = toJS(obj) as Record<string, Json>;
  const msg = plain['msg'] ?? plain['message'];
  if (typeof msg !== 'string') {
    throw new AirlockError('POLICY_ERROR', `data.airlock.${rule}: an object entry needs a "msg" or "message" string`);
  }
  const ruleId = plain['id'] ?? plain['rule'] ?? plain['policy'];
  const details: Record<string, Json> = {};
  for (const [k, v] of Object.entries(plain)) {
    if (k === 'msg' || k === 'message' || k === 'id' || k === 'rule' || k === 'policy') continue;
    setMember(details, k, v);
  }
  const out: { message: string; rule?: string; details?: Record<string, Json> } = { message: clip(msg) };
  if (ruleId !== undefined && ruleId !== null) out.rule = typeof ruleId === 'string' ? ruleId : JSON.stringify(ruleId);
  if (Object.keys(details).length > 0) out.details = details;
  return out;
}

/**
 * `value` undefined means the rule produced nothing (no entries). `rule` names the rule in error
 * messages (`deny`, `quarantine`, `warn`).
 */
export function reasonsFromValue(value: Value | undefined, rule: string): Reason[] {
  if (value === undefined) return [];
  let members: readonly Value[];
  if (value instanceof RSet) members = value.values();
  else if (isArray(value)) members = value;
  else throw new AirlockError('POLICY_ERROR', `data.airlock.${rule} must be a set of messages, got ${describe(value)}`);
  if (members.length > MAX_REASONS) {
    throw new AirlockError('POLICY_ERROR', `data.airlock.${rule} has more than ${MAX_REASONS} entries`);
  }
  return members.map((m) => {
    if (typeof m === 'string') return { message: clip(m) };
    if (m instanceof RObject) return reasonFromObject(m, rule);
    throw new AirlockError('POLICY_ERROR', `data.airlock.${rule}: entries must be strings or objects with "msg", got ${describe(m)}`);
  });
}

function describe(v: Value): string {
  if (v === null) return 'null';
  if (typeof v === 'object') {
    if (v instanceof RSet) return 'a set';
    if (v instanceof RObject) return 'an object';
    if (isArray(v)) return 'an array';
    return 'a number';
  }
  return `a ${typeof v}`;
}
