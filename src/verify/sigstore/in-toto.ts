/**
 * The in-toto Statement a DSSE envelope carries (v0.1 or v1: same shape). Parsing only: which
 * subject is the artifact, and what the predicate must say, is the caller's decision (a verified
 * signature says who made the statement, not that it is about the bytes being served). Bounded:
 * the payload, the subject count and names; digest values must be hex.
 */
import { setMember } from '../../core/index.ts';
import { fail, list, object, string } from './fields.ts';

export interface InTotoStatement {
  readonly type: string;
  readonly subjects: readonly { readonly name: string; readonly digest: Readonly<Record<string, string>> }[];
  readonly predicateType: string;
  /** As parsed (JSON); null when absent. */
  readonly predicate: unknown;
}

export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
const STATEMENT_TYPES: readonly string[] = ['https://in-toto.io/Statement/v1', 'https://in-toto.io/Statement/v0.1'];
const MAX_PAYLOAD = 1024 * 1024;
const MAX_SUBJECTS = 64;
const MAX_NAME = 1024;
const MAX_DIGESTS = 16;
const MAX_URI = 1024;
const HEX_RE = /^[0-9a-fA-F]{1,512}$/;

/** Parses the statement; throws SigstoreError naming the field. */
export function parseInTotoStatement(payloadType: string, payload: Uint8Array): InTotoStatement {
  if (payloadType !== IN_TOTO_PAYLOAD_TYPE) fail(`the payload type ${JSON.stringify(payloadType.slice(0, 100))} is not ${IN_TOTO_PAYLOAD_TYPE}`);
  if (payload.length > MAX_PAYLOAD) fail(`the statement is ${payload.length} bytes (at most ${MAX_PAYLOAD})`);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch (cause) {
    fail(`the statement is not UTF-8 JSON (${(cause as Error).message.slice(0, 200)})`);
  }
  const st = object(json, 'the statement');
  const type = string(st['_type'], '_type', MAX_URI);
  if (!STATEMENT_TYPES.includes(type)) fail(`_type ${JSON.stringify(type.slice(0, 100))} is not an in-toto Statement (${STATEMENT_TYPES.join(', ')})`);
  const subjects = list(st['subject'], 'subject', MAX_SUBJECTS).map((s, i) => {
    const o = object(s, `subject[${i}]`);
    const digestObj = object(o['digest'], `subject[${i}].digest`);
    const entries = Object.entries(digestObj);
    if (entries.length > MAX_DIGESTS) fail(`subject[${i}].digest has ${entries.length} entries (at most ${MAX_DIGESTS})`);
    const digest: Record<string, string> = {};
    for (const [alg, value] of entries) {
      if (alg.length > 64) fail(`subject[${i}].digest has an algorithm name longer than 64 characters`);
      if (typeof value !== 'string' || !HEX_RE.test(value)) fail(`subject[${i}].digest.${alg} is not a hex digest`);
      setMember(digest, alg, value);
    }
    return Object.freeze({ name: string(o['name'] ?? '', `subject[${i}].name`, MAX_NAME), digest: Object.freeze(digest) });
  });
  if (subjects.length === 0) fail('subject is empty (a statement names at least one subject)');
  return Object.freeze({
    type,
    subjects: Object.freeze(subjects),
    predicateType: string(st['predicateType'], 'predicateType', MAX_URI),
    predicate: st['predicate'] ?? null,
  });
}
