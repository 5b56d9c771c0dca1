/**
 * `airlock audit verify` (without --file): walk the whole audit trail and check the hash chain —
 * through a server's API (works against any Airlock; needs an approver or admin token) or
 * directly on the storage. Exits non-zero naming the first broken link.
 */
import { AuditChainVerifier } from '../../../storage/ports/index.ts';
import { BREAK_TEXT } from '../../../gate/audit-evidence/index.ts';
import type { CommandIO } from '../../command.ts';
import { EXIT } from '../../admin/cli-support.ts';
import { PAGE, type Target, livePages } from './target.ts';

export async function verifyChain(target: Target, io: CommandIO): Promise<number> {
  const source = livePages(target);
  const verifier = new AuditChainVerifier();
  let after = 0;
  for (;;) {
    const items = await source(after);
    for (const e of items) {
      const broken = verifier.check(e);
      if (broken !== null) {
        io.stderr.write(`audit chain broken at seq ${broken.seq}: ${BREAK_TEXT[broken.kind]} (expected ${broken.expected}, found ${broken.actual})\n`);
        return EXIT.failed;
      }
    }
    const last = items[items.length - 1];
    if (items.length < PAGE || last === undefined) break;
    after = last.seq;
  }
  const r = verifier.result();
  if (!r.ok) return EXIT.failed;
  io.stdout.write(`audit chain intact: ${r.count} events, head seq ${r.headSeq} hash ${r.headHash}\n`);
  return EXIT.ok;
}
