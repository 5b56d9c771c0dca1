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
import { analyzeTorchScriptCode } from '../pytorch/torchscript-code.ts';

/** Declared expansion that only decompression bombs reach. */
const BOMB_RATIO = 200;
const BOMB_MIN_SIZE = 256 << 20;

interface Kind {
  readonly format: FormatId;
  /** The archive name PyTorch's reader uses (`archive` in `archive/data.pkl`), lower-cased. */
  readonly prefix: string | undefined;
  /** The members PyTorch unpickles (`<prefix>/data.pkl`, `constants.pkl`), and look-alikes. */
  readonly pickles: readonly ZipEntry[];
  readonly torchscript: boolean;
}

const lower = (s: string): string => s.toLowerCase();

/**
 * PyTorch's reader (miniz) takes the archive name from the first central-directory entry, up to
 * its first `/`, and looks records up case-insensitively (`ARCHIVE/DATA.PKL` is `data.pkl`).
 * The members it unpickles are read the same way here; any other `data.pkl`/`constants.pkl`
 * one level down is scanned with PyTorch's semantics too (another reader may pick it).
 */
function classify(entries: readonly ZipEntry[]): Kind {
  const files = entries.filter((e) => !e.name.endsWith('/'));
  // The first entry in directory order, directories included, as miniz numbers them.
  const listed = entries.filter((e) => e.centralIndex !== undefined).sort((a, b) => (a.centralIndex ?? 0) - (b.centralIndex ?? 0));
  const first = listed[0] ?? entries[0];
  const slash = first === undefined ? -1 : first.name.indexOf('/');
  const torchPrefix = first !== undefined && slash >= 0 ? lower(first.name.slice(0, slash)) : undefined;
  const names = (e: ZipEntry): string[] => [lower(e.name), ...(e.localName === undefined ? [] : [lower(e.localName)])];
  const isPickle = (n: string): boolean => /^([^/]+\/)?(data|constants)\.pkl$/.test(n);
  const pickles = files.filter((e) => names(e).some(isPickle));
  if (pickles.length > 0) {
    const own = torchPrefix !== undefined && pickles.some((e) => names(e).includes(`${torchPrefix}/data.pkl`));
    const prefix = own ? torchPrefix : (() => {
      const n = names(pickles[0] as ZipEntry).find(isPickle) ?? '';
      return n.includes('/') ? n.slice(0, n.indexOf('/')) : '';
    })();
    const torchscript = files.some((e) => names(e).some((n) => n === `${prefix}/constants.pkl` || n.startsWith(`${prefix}/code/`)));
    return { format: 'pytorch-zip', prefix, pickles, torchscript };
  }
  if (files.length > 0 && files.every((e) => e.name.endsWith('.npy'))) return { format: 'numpy-npz', prefix: undefined, pickles: [], torchscript: false };
  const plain = files.map((e) => e.name);
  if (plain.includes('config.json') && plain.includes('metadata.json')) return { format: 'keras', prefix: undefined, pickles: [], torchscript: false };
  return { format: 'zip', prefix: undefined, pickles: [], torchscript: false };
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

const CODE_MAX = 32 << 20;

/** A TorchScript source member: what it calls is judged (see `torchscript-code.ts`). */
async function scanTorchScriptCode(src: ByteSource, e: ZipEntry, ctx: ScanContext): Promise<void> {
  if (e.usize > CODE_MAX) {
    ctx.report(finding('scan.limit.maxMemberBytes', 'unscannable', `TorchScript source ${e.name} of ${e.usize} bytes not read`, { member: memberPath(ctx, e) }));
    return;
  }
  let text: string;
  try {
    const content = await openMember(src, e, ctx);
    text = new TextDecoder('utf-8').decode(await content.read(0, Math.min(content.size, CODE_MAX)));
  } catch (err) {
    if (err instanceof ScanAbortedError) throw err;
    return; // unreadable members are reported by the generic member scan
  }
  for (const issue of analyzeTorchScriptCode(text)) {
    ctx.report(
      finding('pytorch.torchscript.op', issue.cls,
        `TorchScript code ${e.name} ${issue.what}${issue.atLoad ? ' in __setstate__, which runs while the archive loads' : ''}`,
        { member: memberPath(ctx, e), call: issue.detail.replace(/\s+/g, '') }, issue.cls === 'malicious' ? 'critical' : 'high'),
    );
  }
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
      for (const e of kind.pickles) {
        let result: StreamResult | undefined;
        await scanMember(source, e, ctx, {
          analyzer: torchPickleAnalyzer((r) => (result = r), { torchscript: kind.torchscript }),
          lenient: false,
        });
        done.add(e);
        for (const ref of storageRefs(result?.analysis.persistentIds ?? [])) skip.add(lower(`${p}data/${ref.key}`));
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
      if (skip.has(lower(e.name)) && (e.localName === undefined || skip.has(lower(e.localName))) && (await storageIsRaw(source, e))) {
        skipped++;
        skippedBytes += e.csize;
        continue;
      }
      await scanMember(source, e, ctx, { lenient: true });
      const n = lower(e.name);
      if (kind.torchscript && n.startsWith(`${kind.prefix === '' ? '' : `${kind.prefix}/`}code/`) && n.endsWith('.py')) {
        await scanTorchScriptCode(source, e, ctx);
      }
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
