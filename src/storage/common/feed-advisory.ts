/** What both drivers check of an advisory's kind before they store it. */
import { AirlockError } from '../../core/index.ts';
import type { FeedAdvisory, FeedAdvisoryKind } from '../ports/index.ts';

export const FEED_ADVISORY_KINDS: readonly FeedAdvisoryKind[] = ['malicious', 'vulnerability'];

export function advisoryKind(a: FeedAdvisory): FeedAdvisoryKind {
  if (!FEED_ADVISORY_KINDS.includes(a.kind)) throw new AirlockError('BAD_REQUEST', `advisory ${a.id}: kind must be malicious or vulnerability`);
  if (a.kind === 'malicious' && a.severity !== null) throw new AirlockError('BAD_REQUEST', `advisory ${a.id}: a malicious-package record has no severity`);
  return a.kind;
}
