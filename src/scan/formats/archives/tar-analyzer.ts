/** tar archives, including PyTorch's legacy tar checkpoints (sys_info, pickle, storages, tensors). */
import type { FormatAnalyzer } from '../../types.ts';
import { finding } from '../../engine/findings.ts';
import { SliceSource } from '../../sources/slice-source.ts';
import { listTar, looksLikeTar } from './tar.ts';
import { scanLegacyTarMember } from '../pytorch/legacy-tar.ts';

const REGULAR = new Set(['0', '7']);
const TORCH_MEMBERS = ['sys_info', 'pickle', 'storages', 'tensors'];

export const tarAnalyzer: FormatAnalyzer = {
  format: 'tar',
  detect: looksLikeTar,
  async analyze(source, ctx) {
    const listing = await listTar(source, ctx.limits);
    for (const a of listing.anomalies) ctx.report(finding('tar.anomaly', 'info', `tar structure: ${a}`, {}));
    const files = listing.entries.filter((e) => REGULAR.has(e.type));
    const names = new Set(files.map((e) => e.name));
    const torch = names.has('pickle') && names.has('sys_info');
    if (torch) ctx.refineFormat('pytorch-tar');
    for (const e of files) {
      const content = new SliceSource(source, e.dataOffset, e.size);
      if (torch && TORCH_MEMBERS.includes(e.name)) {
        await scanLegacyTarMember(content, e.name, ctx);
        continue;
      }
      await ctx.scanNested(content, e.name, { lenient: true });
    }
  },
};
