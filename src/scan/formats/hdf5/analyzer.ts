/**
 * HDF5 (h5py files, legacy Keras `.h5` models, `.keras` weight files): a bounded, read-only walk
 * of the object tree — superblock v0–v3, object headers v1/v2 with continuation chunks, groups
 * through symbol tables and link messages — that looks at attributes only, never at dataset data:
 *
 * - `model_config` / `training_config` attributes (legacy Keras, which loads Lambda bytecode even
 *   with safe_mode, CVE-2025-9905) go to the Keras configuration analysis;
 * - attribute values that start like a pickle (PyTables/pandas pickle Python objects into
 *   attributes and unpickle them on read) are scanned as nested content;
 * - external links are reported. Structures the reader does not handle (dense attribute or link
 *   storage in fractal heaps, shared messages) are `unscannable`, never guessed.
 */
import type { ByteSource, FormatAnalyzer, ScanContext } from '../../types.ts';
import { MemorySource } from '../../sources/memory-source.ts';
import { AnalysisLimitError } from '../common/errors.ts';
import { guardAnalysis, report } from '../common/findings.ts';
import { analyzeKerasJsonText } from '../keras/json-config.ts';
import { attributeBytes } from './attribute-value.ts';
import type { H5File } from './file.ts';
import { symbolTableChildren } from './groups.ts';
import type { Attribute, Link } from './messages.ts';
import { parseAttribute, parseDenseInfo, parseLink, parseSymbolTable } from './messages.ts';
import { MSG, readObjectHeader } from './object-header.ts';
import { HDF5_SIGNATURE, readSuperblock } from './superblock.ts';
import { denseAttributes, denseLinks } from './dense.ts';
import type { Layout } from './dataset-data.ts';
import { isVlenBytes, parseLayout, readVlenElements } from './dataset-data.ts';
import type { Datatype } from './messages.ts';
import { parseDataspace, parseDatatype } from './messages.ts';

const KERAS_ATTRIBUTES = new Set(['model_config', 'training_config']);
const MAX_DEPTH = 64;

function detect(head: Uint8Array): boolean {
  return head.length >= 8 && HDF5_SIGNATURE.every((b, i) => head[i] === b);
}

interface Walk {
  readonly ctx: ScanContext;
  readonly f: H5File;
  readonly budget: { nodes: number; elements: number; bytes: number };
  readonly visited: Set<number>;
  keras: boolean;
}

async function analyze(source: ByteSource, ctx: ScanContext): Promise<void> {
  await guardAnalysis(ctx, async () => {
    const sb = await readSuperblock(source);
    const w: Walk = {
      ctx,
      f: sb.file,
      budget: { nodes: Math.max(1000, ctx.limits.maxMembers), elements: Math.max(1000, ctx.limits.maxMembers), bytes: ctx.limits.maxHeaderBytes },
      visited: new Set(),
      keras: false,
    };
    const queue: Array<{ addr: number; path: string; depth: number }> = [{ addr: sb.root, path: '/', depth: 0 }];
    while (queue.length > 0) {
      const item = queue.shift();
      if (item === undefined) break;
      if (w.visited.has(item.addr)) continue;
      w.visited.add(item.addr);
      if (--w.budget.nodes < 0) throw new AnalysisLimitError('hdf5.limit.objects', `more than ${ctx.limits.maxMembers} objects`);
      if (item.depth > MAX_DEPTH) throw new AnalysisLimitError('hdf5.limit.depth', `groups nested deeper than ${MAX_DEPTH} levels`);
      for (const child of await visitObject(w, item.addr, item.path)) {
        queue.push({ addr: child.addr, path: `${item.path === '/' ? '' : item.path}/${child.name}`, depth: item.depth + 1 });
      }
    }
    if (w.keras) ctx.refineFormat('keras');
  });
}

/** Reads one object's header: judges its attributes, returns its children when it is a group. */
async function visitObject(w: Walk, addr: number, path: string): Promise<Array<{ name: string; addr: number }>> {
  const { f, ctx } = w;
  const messages = await readObjectHeader(f, addr);
  const children: Array<{ name: string; addr: number }> = [];
  const links: Link[] = [];
  let datatype: Datatype | undefined;
  let count = 0;
  let layout: Layout | undefined;
  let filtered = false;
  for (const m of messages) {
    if ((m.flags & 0x02) !== 0 && (m.type === MSG.ATTRIBUTE || m.type === MSG.LINK)) {
      report(ctx, 'hdf5.shared-message', 'unscannable', `${path}: a shared ${m.type === MSG.ATTRIBUTE ? 'attribute' : 'link'} message is not supported`, { offset: m.pos, object: path });
      continue;
    }
    await f.at(m.pos, m.size, 'header message');
    switch (m.type) {
      case MSG.ATTRIBUTE:
        await judgeAttribute(w, f, parseAttribute(f, m.pos, m.size), path, m.pos);
        break;
      case MSG.LINK:
        links.push(parseLink(f, m.pos, m.size));
        break;
      case MSG.SYMBOL_TABLE:
        children.push(...(await symbolTableChildren(f, parseSymbolTable(f, m), w.budget)));
        break;
      case MSG.LINK_INFO: {
        const dense = parseDenseInfo(f, m);
        if (dense.heap !== undefined) links.push(...(await denseLinks(f, dense, w.budget)));
        break;
      }
      case MSG.DATATYPE:
        datatype = parseDatatype(f, m.pos, m.size);
        break;
      case MSG.DATASPACE:
        count = parseDataspace(f, m.pos, m.size);
        break;
      case MSG.LAYOUT:
        layout = parseLayout(f, m);
        break;
      case MSG.FILTER_PIPELINE:
        filtered = true;
        break;
      case MSG.ATTRIBUTE_INFO: {
        const dense = parseDenseInfo(f, m);
        if (dense.heap !== undefined) {
          for (const a of await denseAttributes(f, dense, w.budget)) await judgeAttribute(w, a.file, a.attribute, path, a.offset);
        }
        break;
      }
      default:
        break;
    }
  }
  if (datatype !== undefined && layout !== undefined && isVlenBytes(datatype)) await objectElements(w, path, datatype, count, layout, filtered);
  for (const l of links) {
    if (l.target.kind === 'hard') children.push({ name: l.name, addr: l.target.addr });
    else if (l.target.kind === 'external') {
      report(ctx, 'hdf5.external-link', 'info', `${path}: link ${JSON.stringify(l.name)} points into another file ${JSON.stringify(l.target.file)}`, {
        object: path,
        file: l.target.file,
        target: l.target.path,
      });
    }
  }
  return children;
}

/**
 * Variable-length byte datasets hold Python objects in PyTables/pandas files (each element a
 * pickle, unpickled on read): pickle-looking elements are scanned as nested content.
 */
async function objectElements(w: Walk, path: string, _t: Datatype, count: number, layout: Layout, filtered: boolean): Promise<void> {
  if (filtered || layout.kind === 'unsupported') {
    report(w.ctx, 'hdf5.dataset.objects-unreadable', 'unscannable', `${path}: variable-length byte data (${filtered ? 'filtered' : layout.kind === 'unsupported' ? layout.why : ''}) may hold pickled objects and was not read`, { object: path });
    return;
  }
  await readVlenElements(w.f, layout, count, w.budget, async (bytes, i) => {
    if (looksLikePickle(bytes)) await w.ctx.scanNested(new MemorySource(bytes.slice()), `${path.replace(/^\//, '')}[${i}]`, { unknownFormat: 'info' });
  });
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

async function judgeAttribute(w: Walk, holder: H5File, a: Attribute, path: string, offset: number): Promise<void> {
  const { ctx, f } = w;
  if (a.shared) {
    report(ctx, 'hdf5.shared-message', 'unscannable', `${path}: attribute ${JSON.stringify(a.name)} uses a shared datatype or dataspace`, { offset, object: path });
    return;
  }
  const values = await attributeBytes(holder, f, a, ctx.limits.maxHeaderBytes);
  if (values === undefined) {
    if (KERAS_ATTRIBUTES.has(a.name)) {
      report(ctx, 'hdf5.keras.config-type', 'unscannable', `${path}: attribute ${a.name} is not stored as text`, { offset, object: path });
    }
    return;
  }
  for (const [i, v] of values.entries()) {
    const member = `${path}@${a.name}${values.length > 1 ? `[${i}]` : ''}`;
    if (KERAS_ATTRIBUTES.has(a.name)) {
      let text: string;
      try {
        text = UTF8.decode(v);
      } catch {
        report(ctx, 'hdf5.keras.config-encoding', 'invalid', `${member} is not UTF-8`, { offset, object: path });
        continue;
      }
      if (analyzeKerasJsonText(ctx, text, `HDF5 attribute ${member}`)) w.keras = true;
      continue;
    }
    if (looksLikePickle(v)) {
      await ctx.scanNested(new MemorySource(v), member.replace(/^\//, ''), { unknownFormat: 'info' });
    }
  }
}

/** Binary pickle protocol header, or protocol 0/1 text ending in STOP. */
function looksLikePickle(v: Uint8Array): boolean {
  if (v.length < 2) return false;
  if (v[0] === 0x80 && (v[1] ?? 0) >= 1 && (v[1] ?? 0) <= 5) return true;
  return v[v.length - 1] === 0x2e && (v[0] === 0x28 || v[0] === 0x63 || v[0] === 0x5d || v[0] === 0x7d || v[0] === 0x49 || v[0] === 0x53 || v[0] === 0x56);
}

export const hdf5Analyzer: FormatAnalyzer = { format: 'hdf5', detect, analyze };
