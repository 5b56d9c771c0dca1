/**
 * NumPy `.npy`: magic `\x93NUMPY`, version 1.0/2.0/3.0, a little-endian header length (2 bytes
 * for v1, 4 for v2/v3), then a Python dict literal `{'descr': …, 'fortran_order': …, 'shape': …}`
 * padded with spaces and ended by a newline. The header is parsed by a strict literal parser,
 * never evaluated. When the dtype holds objects numpy wrote the array with pickle: the payload
 * is handed to the engine as nested content (the pickle analyzer judges it) and the file is
 * reported as needing `allow_pickle=True`. Otherwise the payload size is checked against
 * dtype × shape; the array bytes themselves are never read. `.npz` files are zips of `.npy`
 * members: the zip analyzer recurses and each member is recognised here by its magic.
 */
import type { ByteSource, FormatAnalyzer, ScanContext } from '../../types.ts';
import { SliceSource } from '../../sources/slice-source.ts';
import { guardAnalysis, report } from '../common/findings.ts';
import { dtypeInfo, elements } from './dtype.ts';
import type { PyValue } from './py-literal.ts';
import { parsePyLiteralDetailed, pyRepr } from './py-literal.ts';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

function detect(head: Uint8Array): boolean {
  return head.length >= 8 && MAGIC.every((b, i) => head[i] === b);
}

async function analyze(source: ByteSource, ctx: ScanContext): Promise<void> {
  await guardAnalysis(ctx, async () => {
    const pre = await source.read(0, 12);
    if (pre.length < 10) {
      report(ctx, 'numpy.header.truncated', 'invalid', 'file ends inside the .npy preamble', { offset: 0 });
      return;
    }
    const major = pre[6] ?? 0;
    const minor = pre[7] ?? 0;
    if ((major !== 1 && major !== 2 && major !== 3) || minor !== 0) {
      report(ctx, 'numpy.version', 'invalid', `unsupported .npy format version ${major}.${minor}`, { offset: 6 });
      return;
    }
    const dv = new DataView(pre.buffer, pre.byteOffset, pre.byteLength);
    if (major > 1 && pre.length < 12) {
      report(ctx, 'numpy.header.truncated', 'invalid', 'file ends inside the .npy preamble', { offset: 0 });
      return;
    }
    const headerLength = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
    const headerStart = major === 1 ? 10 : 12;
    if (headerLength > ctx.limits.maxHeaderBytes) {
      report(ctx, 'numpy.header.limit', 'unscannable', `header of ${headerLength} bytes exceeds the ${ctx.limits.maxHeaderBytes}-byte limit`, { offset: 8 });
      return;
    }
    if (headerStart + headerLength > source.size) {
      report(ctx, 'numpy.header.truncated', 'invalid', `header of ${headerLength} bytes runs past the end of the file`, { offset: 8 });
      return;
    }
    const raw = await source.read(headerStart, headerLength);
    let text: string;
    try {
      text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1', { fatal: true }).decode(raw);
    } catch {
      report(ctx, 'numpy.header.encoding', 'invalid', 'header is not valid UTF-8', { offset: headerStart });
      return;
    }
    if (!text.endsWith('\n')) {
      report(ctx, 'numpy.header.syntax', 'invalid', 'header does not end with a newline', { offset: headerStart });
      return;
    }
    const parsed = parsePyLiteralDetailed(text);
    const header = parsed.value;
    if (parsed.duplicateKeys.length > 0) {
      // numpy never writes one; Python keeps the last value, and so does the analysis.
      report(ctx, 'numpy.header.duplicate-key', 'suspicious', `header repeats ${parsed.duplicateKeys.map((k) => JSON.stringify(k)).join(', ')}: the last value counts`, { offset: 0 });
    }
    const fields = headerFields(header);
    if (typeof fields === 'string') {
      report(ctx, 'numpy.header.fields', 'invalid', fields, { offset: headerStart });
      return;
    }
    const dataStart = headerStart + headerLength;
    const info = dtypeInfo(fields.descr);
    if (info.hasObject) {
      report(ctx, 'numpy.object-array', 'info', 'array of Python objects: stored as a pickle, loading needs allow_pickle=True', {
        offset: dataStart,
        descr: describe(fields.descr),
      });
      await ctx.scanNested(new SliceSource(source, dataStart, source.size - dataStart), 'npy-object-payload', {
        unknownFormat: 'suspicious',
      });
      return;
    }
    const count = elements(fields.shape);
    if (count === undefined) {
      report(ctx, 'numpy.header.shape', 'invalid', 'shape is not a tuple of non-negative integers', { offset: headerStart });
      return;
    }
    if (info.itemsize === undefined) {
      report(ctx, 'numpy.dtype.unknown', 'unscannable', `dtype ${describe(fields.descr)} is not understood; payload size not checked`, {
        offset: headerStart,
      });
      return;
    }
    const expected = info.itemsize * count;
    const actual = BigInt(source.size - dataStart);
    if (actual < expected) {
      report(ctx, 'numpy.payload.truncated', 'invalid', `dtype × shape needs ${expected} bytes but only ${actual} follow the header`, {
        offset: dataStart,
      });
    } else if (actual > expected) {
      const extra = Number(actual - expected);
      const at = dataStart + Number(expected);
      report(ctx, 'numpy.payload.trailing', 'suspicious', `${extra} bytes after the array data, which numpy never writes`, { offset: at }, 'low');
      await ctx.scanNested(new SliceSource(source, at, extra), 'npy-trailing-bytes', { unknownFormat: 'info' });
    }
  });
}

interface HeaderFields {
  readonly descr: PyValue;
  readonly shape: PyValue;
}

/** numpy requires exactly these three keys. */
function headerFields(h: PyValue): HeaderFields | string {
  if (!(h instanceof Map)) return 'header is not a dictionary';
  const keys = [...h.keys()].sort();
  if (keys.join(',') !== 'descr,fortran_order,shape') return `header keys are [${keys.join(', ')}], expected descr, fortran_order, shape`;
  if (typeof h.get('fortran_order') !== 'boolean') return 'fortran_order is not a boolean';
  const descr = h.get('descr');
  const shape = h.get('shape');
  if (descr === undefined || shape === undefined) return 'descr or shape missing';
  return { descr, shape };
}

function describe(v: PyValue): string {
  return pyRepr(v);
}

export const numpyAnalyzer: FormatAnalyzer = { format: 'numpy', detect, analyze };
