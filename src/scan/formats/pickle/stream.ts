/**
 * Scans a pickle stream: one pickle, or several stacked back to back (each loaded by a fresh
 * unpickler, as `pickle.load` called repeatedly or legacy `torch.load` does). What precedes a
 * break is judged before the break is reported, so a payload followed by garbage is still seen.
 * Payloads of nested loaders are scanned after the stream, through the engine.
 */
import type { ByteSource, ScanContext } from '../../types.ts';
import { finding } from '../../engine/findings.ts';
import { ScanAbortedError, ScanFormatError, ScanLimitError } from '../../engine/errors.ts';
import { MemorySource } from '../../sources/memory-source.ts';
import { SliceSource } from '../../sources/slice-source.ts';
import { PickleDecoder } from './decoder.ts';
import { Memo, runPickle, type RunResult } from './machine.ts';
import { PickleAnalysis, type NestedPayload, type PickleContext } from './analysis.ts';
import { OP, OPCODES } from './opcodes.ts';
import { decodeUtf8, encodeLatin1 } from './text.ts';
import { carveTrailing } from './carve.ts';

export interface StreamOptions extends PickleContext {
  /** Stop after this many pickles (legacy PyTorch reads exactly five). */
  readonly maxPickles?: number;
  /** Keep scanning stacked pickles after the first. Default true. */
  readonly stacked?: boolean;
}

export interface StreamResult {
  readonly pickles: readonly RunResult[];
  /** Offset just after the last complete pickle. */
  readonly end: number;
  readonly analysis: PickleAnalysis;
}

function plausibleStart(b: number | undefined): boolean {
  if (b === undefined) return false;
  const info = OPCODES[b];
  return info !== undefined && b !== OP.STOP;
}

export async function scanPickles(source: ByteSource, start: number, ctx: ScanContext, opts: StreamOptions): Promise<StreamResult> {
  const analysis = new PickleAnalysis(ctx, opts);
  const dec = new PickleDecoder(source, start);
  const pickles: RunResult[] = [];
  let end = start;
  const max = opts.maxPickles ?? Number.POSITIVE_INFINITY;
  let spent = 0;
  let trailing: number | undefined;
  try {
    while (pickles.length < max) {
      const at = dec.offset;
      try {
        let r: RunResult;
        try {
          r = await runPickle(dec, analysis, { limits: ctx.limits, checkpoint: () => ctx.checkpoint(), spent });
        } catch (err) {
          const prev = pickles[pickles.length - 1];
          if (prev === undefined || !(err instanceof ScanFormatError) || err.rule !== 'pickle.memo.missing') throw err;
          // Loaders that call load() again on one Unpickler keep its memo: read it that way too.
          dec.seek(at);
          r = await runPickle(dec, analysis, { limits: ctx.limits, checkpoint: () => ctx.checkpoint(), spent, memo: prev.memo.clone() });
        }
        // Only the latest memo can matter to the next pickle: let earlier ones go.
        const before = pickles.length - 1;
        if (before >= 0) pickles[before] = { ...(pickles[before] as RunResult), memo: new Memo() };
        pickles.push(r);
        spent += r.opcodes;
        end = dec.offset;
      } catch (err) {
        if (pickles.length === 0 || !(err instanceof ScanFormatError)) throw err;
        // A stacked pickle that breaks: what it did before breaking is already recorded.
        ctx.report(
          finding('pickle.stacked.broken', 'info', `data after pickle #${pickles.length} is not a complete pickle: ${err.message}`, {
            offset: at,
            ...(err.offset === undefined ? {} : { errorOffset: err.offset }),
          }),
        );
        trailing = at;
        break;
      }
      if (opts.stacked === false || dec.atEnd || pickles.length >= max) break;
      const next = await source.read(dec.offset, 1);
      if (!plausibleStart(next[0])) {
        ctx.report(
          finding('pickle.trailing-data', 'info', `${source.size - dec.offset} bytes follow the pickle`, { offset: dec.offset }),
        );
        trailing = dec.offset;
        break;
      }
    }
  } finally {
    analysis.flush();
  }
  if (analysis.joblib) ctx.refineFormat('joblib');
  await scanNestedPayloads(source, analysis.nested, ctx);
  if (trailing !== undefined) await carveTrailing(source, trailing, ctx);
  analysis.flush();
  return { pickles, end, analysis };
}

async function materialise(source: ByteSource, p: NestedPayload, ctx: ScanContext): Promise<ByteSource | undefined> {
  const arg = p.payload.arg;
  if (arg.text === undefined) {
    if (arg.data !== undefined) return new MemorySource(arg.data);
    return arg.offset >= 0 ? new SliceSource(source, arg.offset, arg.length) : undefined;
  }
  // Text re-encoded as latin-1 (`_codecs.encode(s, 'latin1')` of a string too large to keep).
  if (arg.length > ctx.limits.maxMemberBytes) {
    throw new ScanLimitError('maxMemberBytes', `nested payload of ${arg.length} bytes`, 'local', p.offset);
  }
  const raw = await source.read(arg.offset, arg.length);
  const bytes = encodeLatin1(decodeUtf8(raw));
  return bytes === undefined ? undefined : new MemorySource(bytes);
}

async function scanNestedPayloads(source: ByteSource, payloads: readonly NestedPayload[], ctx: ScanContext): Promise<void> {
  for (const p of payloads) {
    let inner: ByteSource | undefined;
    try {
      inner = await materialise(source, p, ctx);
    } catch (err) {
      if (err instanceof ScanAbortedError || !(err instanceof ScanLimitError)) throw err;
      ctx.report(finding('scan.limit.maxMemberBytes', 'unscannable', err.message, { offset: p.offset, callable: p.loader }));
      continue;
    }
    if (inner === undefined) {
      ctx.report(
        finding('pickle.loader.opaque', 'malicious', `${p.loader} loads a payload that cannot be reconstructed`, {
          callable: p.loader,
          offset: p.offset,
        }),
      );
      continue;
    }
    const outcome = await ctx.scanNested(inner, `@${p.offset}`, { unknownFormat: 'suspicious' });
    if (p.mode === 'tolerated') {
      if (outcome.verdict === 'safe') {
        ctx.report(
          finding('pickle.loader.nested', 'info', `${p.loader} loads an embedded ${outcome.format} payload that scanned clean`, {
            callable: p.loader,
            offset: p.offset,
            format: outcome.format,
          }),
        );
      } else {
        ctx.report(
          finding(
            'pickle.loader.payload',
            outcome.verdict === 'malicious' || outcome.verdict === 'suspicious' ? 'malicious' : 'suspicious',
            `${p.loader} loads an embedded payload that is not a clean tensor (${outcome.verdict})`,
            { callable: p.loader, offset: p.offset, format: outcome.format },
          ),
        );
      }
    }
  }
}
