import type { AuditLog } from './metadata-store.ts';

/** The seq of the newest audit event, found with O(log n) probes (seqs are gapless from 1). */
export async function auditHead(log: AuditLog): Promise<number> {
  const after = async (n: number): Promise<boolean> => (await log.listAudit({ afterSeq: n, limit: 1 })).length > 0;
  if (!(await after(0))) return 0;
  let lo = 1; // an event with seq lo exists
  let hi = 2;
  while (await after(hi - 1)) {
    lo = hi;
    hi *= 2;
  }
  // events exist up to at least lo, and none after hi - 1
  let a = lo;
  let b = hi - 1;
  while (a < b) {
    const mid = Math.ceil((a + b) / 2);
    if (await after(mid - 1)) a = mid;
    else b = mid - 1;
  }
  return a;
}
