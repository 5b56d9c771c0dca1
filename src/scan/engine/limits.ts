/** Default limits and their resolution. One object, passed in whole; nothing unbounded. */
import type { ScanLimits } from '../types.ts';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

export const DEFAULT_SCAN_LIMITS: ScanLimits = Object.freeze({
  maxBytesRead: 4 * GiB,
  maxMemberBytes: 256 * MiB,
  maxMembers: 100_000,
  maxNestingDepth: 8,
  maxPickleOpcodes: 100_000_000,
  maxPickleStack: 1_000_000,
  maxPickleMemo: 4_000_000,
  maxHeaderBytes: 100 * MiB,
  timeoutMs: 120_000,
});

export function resolveLimits(partial: Partial<ScanLimits> | undefined): ScanLimits {
  const merged: ScanLimits = { ...DEFAULT_SCAN_LIMITS, ...partial };
  for (const [key, value] of Object.entries(merged)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new RangeError(`scan limit ${key} must be a non-negative finite number, got ${String(value)}`);
    }
  }
  return Object.freeze(merged);
}
