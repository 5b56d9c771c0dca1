/**
 * ZIP archives: plain zips, PyTorch archives (torch.save, TorchScript), `.npz`, `.keras`.
 * Members are found from the central directory and the local headers; every member is scanned
 * by content except the tensor storages a PyTorch archive's pickles reference, which are skipped
 * without being read.
 */
import type { FormatAnalyzer, FormatId, ScanContext } from '../../types.ts';
import { finding } from '../../engine/findings.ts';
import { ScanAbortedError, ScanFormatError, ScanLimitError, ScanUnscannableError } from '../../engine/errors.ts';
import { listZip, type ZipEntry, type ZipListing } from './reader.ts';
import { openMember } from './member.ts';
import { FLAG_ENCRYPTED, FLAG_STRONG_ENCRYPTION, SIG_LOCAL, u32 } from './structures.ts';
import { storageRefs, torchPickleAnalyzer } from '../pytorch/torch-pickle.ts';
import type { StreamResult } from '../pickle/stream.ts';
import type { ByteSource } from '../../types.ts';
import { looksLikeBinaryPickle } from '../pickle/probe.ts';
import { OPCODES } from '../pickle/opcodes.ts';

/** Declared expansion that only decompression bombs reach. */
const BOMB_RATIO = 200;
const BOMB_MIN_SIZE = 256 << 20;

interface Kind {
  readonly format: FormatId;
  /** Archive prefix of a PyTorch archive (`archive` in `archive/data.pkl`). */
  readonly prefix: string | undefined;
  readonly torchscript: boolean;
}

function classify(entries: readonly ZipEntry[]): Kind {
  const files = entries.map((e) => e.name).filter((n) => !n.endsWith('/'));
  const pkl = files.find((n) => /^([^/]+\/)?data\.pkl$/.test(n));
  if (pkl !== undefined) {
    const prefix = pkl.includes('/') ? pkl.slice(0, pkl.indexOf('/')) : '';
    const torchscript = files.some((n) => n === `${prefix}/constants.pkl` || n.startsWith(`${prefix}/code/`));
    return { format: 'pytorch-zip', prefix, torchscript };
  }
  if (files.length > 0 && files.every((n) => n.endsWith('.npy'))) return { format: 'numpy-npz', prefix: undefined, torchscript: false };
  if (files.includes('config.json') && files.includes('metadata.json')) return { format: 'keras', prefix: undefined, torchscript: false };
  return { format: 'zip', prefix: undefined, torchscript: false };
}

const ANOMALY_CLASS: readonly [RegExp, 'suspicious' | 'info' | 'invalid'][] = [
  [/^name mismatch/, 'suspicious'],
  [/^unsafe member name/, 'suspicious'],
  [/is not in the central directory/, 'suspicious'],
  [/share local header/, 'suspicious'],
  [/no local header/, 'invalid'],
  [/no end of central directory/, 'invalid'],
];

function reportAnomalies(listing: ZipListing, ctx: ScanContext): void {
  for (const a of listing.anomalies) {
    const cls = ANOMALY_CLASS.find(([re]) => re.test(a))?.[1] ?? 'info';
    ctx.report(finding('zip.anomaly', cls, `zip structure: ${a}`, {}));
  }
}

async function scanMember(
  src: ByteSource,
  e: ZipEntry,
  ctx: ScanContext,
  options: { readonly analyzer?: FormatAnalyzer; readonly lenient: boolean },
): Promise<void> {
  let content: ByteSource;
  try {
    content = await openMember(src, e, ctx);
  } catch (err) {
    if (err instanceof ScanAbortedError) throw err;
    const encrypted = (e.flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION)) !== 0;
    if (err instanceof ScanFormatError && encrypted) {
      ctx.report(finding('zip.member.encrypted', 'unscannable', `member ${e.name} is encrypted and cannot be read`, { member: memberPath(ctx, e) }));
      return;
    }
    if (err instanceof ScanLimitError && err.scope === 'local') {
      ctx.report(finding(`scan.limit.${err.limit}`, 'unscannable', `member ${e.name}: ${err.message}`, { member: memberPath(ctx, e) }));
      return;
    }
    if (err instanceof ScanUnscannableError || err instanceof ScanFormatError) {
      ctx.report(finding(err.rule, err instanceof ScanFormatError ? 'invalid' : 'unscannable', err.message, { member: memberPath(ctx, e) }));
      return;
    }
    throw err;
  }
  const outcome = await ctx.scanNested(content, e.name, {
    lenient: options.lenient,
    ...(options.analyzer === undefined ? {} : { analyzer: options.analyzer }),
  });
  if (outcome.format === 'unknown' && (e.flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION)) !== 0) {
    ctx.report(finding('zip.member.encrypted', 'unscannable', `member ${e.name} is encrypted and cannot be read`, { member: memberPath(ctx, e) }));
  }
}

/**
 * A referenced storage is skipped unread, unless its first bytes say it is really a pickle (torch
 * never unpickles storages, but whatever hides a pickle there is worth a look): three bytes.
 */
async function storageIsRaw(src: ByteSource, e: ZipEntry): Promise<boolean> {
  if (e.method !== 0) return false;
  const head = await src.read(e.dataOffset, Math.min(3, e.csize));
  return !(looksLikeBinaryPickle(head) && head.length === 3 && OPCODES[head[2] as number] !== undefined);
}

function memberPath(ctx: ScanContext, e: ZipEntry): string {
  return ctx.member === '' ? e.name : `${ctx.member}!${e.name}`;
}

export const zipAnalyzer: FormatAnalyzer = {
  format: 'zip',
  detect(head) {
    return head.length >= 4 && u32(head, 0) === SIG_LOCAL;
  },
  async analyze(source, ctx) {
    const listing = await listZip(source, ctx.limits);
    reportAnomalies(listing, ctx);
    const kind = classify(listing.entries);
    ctx.refineFormat(kind.format);
    const files = listing.entries.filter((e) => !e.name.endsWith('/'));
    const done = new Set<ZipEntry>();
    const skip = new Set<string>();
    if (kind.format === 'pytorch-zip') {
      const p = kind.prefix === '' ? '' : `${kind.prefix}/`;
      // The pickles torch.load unpickles, first: their storage references say what to skip.
      for (const main of [`${p}data.pkl`, `${p}constants.pkl`]) {
        for (const e of files.filter((f) => f.name === main || f.localName === main)) {
          let result: StreamResult | undefined;
          await scanMember(source, e, ctx, {
            analyzer: torchPickleAnalyzer((r) => (result = r), { torchscript: kind.torchscript }),
            lenient: false,
          });
          done.add(e);
          for (const ref of storageRefs(result?.analysis.persistentIds ?? [])) skip.add(`${p}data/${ref.key}`);
        }
      }
    }
    for (const e of files) {
      if (e.usize >= BOMB_MIN_SIZE && e.csize > 0 && e.usize / e.csize >= BOMB_RATIO) {
        ctx.report(
          finding('zip.bomb', 'suspicious', `member ${e.name} claims ${e.usize} bytes from ${e.csize} (ratio ${Math.round(e.usize / e.csize)}:1): a decompression bomb for whoever extracts it`, {
            member: memberPath(ctx, e),
          }),
        );
      }
    }
    let skipped = 0;
    let skippedBytes = 0;
    for (const e of files) {
      if (done.has(e)) continue;
      if (skip.has(e.name) && (e.localName === undefined || skip.has(e.localName)) && (await storageIsRaw(source, e))) {
        skipped++;
        skippedBytes += e.csize;
        continue;
      }
      await scanMember(source, e, ctx, { lenient: true });
    }
    if (kind.format === 'pytorch-zip') {
      ctx.report(
        finding('pytorch.archive', 'info', `PyTorch ${kind.torchscript ? 'TorchScript ' : ''}archive: ${files.length} members, ${skipped} tensor storages (${skippedBytes} bytes) skipped unread`, {
          members: files.length,
          storagesSkipped: skipped,
          bytesSkipped: skippedBytes,
        }),
      );
    }
  },
};
