/**
 * Pickles hidden in the bytes after a pickle stream ends (garbage, then a second payload a
 * custom loader seeks to). Every `PROTO n` in the trailing window is tried with a throwaway
 * symbolic run; each candidate that reaches STOP cleanly is scanned as a nested pickle at its
 * offset, so what it imports is judged like any other pickle. Bounded in window, attempts and
 * opcodes: random binary fails within a few opcodes, and no standard loader reads past STOP.
 */
import type { ByteSource, ScanContext } from '../../types.ts';
import { finding } from '../../engine/findings.ts';
import { ScanAbortedError } from '../../engine/errors.ts';
import { SliceSource } from '../../sources/slice-source.ts';
import { PickleDecoder } from './decoder.ts';
import { runPickle } from './machine.ts';
import { PickleAnalysis } from './analysis.ts';
import { HIGHEST_PROTOCOL, OP } from './opcodes.ts';

const WINDOW = 4 << 20;
const MAX_ATTEMPTS = 4096;
const MAX_FOUND = 16;
const OPCODES_PER_ATTEMPT = 100_000;
const OPCODES_TOTAL = 2_000_000;

/** Offset just past the pickle starting at `start` when it runs to STOP cleanly, else undefined. */
async function completes(source: ByteSource, start: number, ctx: ScanContext, budget: { left: number }): Promise<number | undefined> {
  const dec = new PickleDecoder(source, start);
  const limits = { ...ctx.limits, maxPickleOpcodes: Math.min(OPCODES_PER_ATTEMPT, budget.left) };
  try {
    const r = await runPickle(dec, new PickleAnalysis(ctx, { torch: false }), { limits, checkpoint: () => ctx.checkpoint(), spent: 0 });
    budget.left -= r.opcodes;
    return dec.offset;
  } catch (err) {
    if (err instanceof ScanAbortedError) throw err;
    budget.left -= Math.max(1, dec.count);
    return undefined;
  }
}

export async function carveTrailing(source: ByteSource, from: number, ctx: ScanContext): Promise<void> {
  const end = Math.min(source.size, from + WINDOW);
  if (end - from < 3) return;
  const buf = await source.read(from, end - from);
  const budget = { left: OPCODES_TOTAL };
  let attempts = 0;
  let found = 0;
  for (let i = 0; i + 2 < buf.length; i++) {
    if (buf[i] !== OP.PROTO || (buf[i + 1] as number) > HIGHEST_PROTOCOL) continue;
    if (attempts++ >= MAX_ATTEMPTS || budget.left <= 0 || found >= MAX_FOUND) {
      ctx.report(finding('pickle.trailing.unsearched', 'info', `trailing data after offset ${from + i} was not searched for hidden pickles`, { offset: from + i }));
      return;
    }
    const start = from + i;
    const stop = await completes(source, start, ctx, budget);
    if (stop === undefined) continue;
    found++;
    ctx.report(finding('pickle.trailing.hidden', 'info', `a complete pickle is hidden in the trailing data at offset ${start}`, { offset: start, length: stop - start }));
    await ctx.scanNested(new SliceSource(source, start, stop - start), `@${start}`, { formats: ['pickle'], lenient: true });
    i = stop - from - 1;
  }
}
