/** tar archives, including PyTorch's legacy tar checkpoints (sys_info, pickle, storages, tensors). */
import type { FormatAnalyzer } from '../../types.ts';
import { finding } from '../../engine/findings.ts';
import { SliceSource } from '../../sources/slice-source.ts';
import { looksLikeTar, walkTar } from './tar.ts';
import { scanLegacyTarMember } from '../pytorch/legacy-tar.ts';

const REGULAR = new Set(['0', '7']);
const TORCH_MEMBERS = ['sys_info', 'pickle', 'storages', 'tensors'];

export const tarAnalyzer: FormatAnalyzer = {
  format: 'tar',
  detect: looksLikeTar,
  async analyze(source, ctx) {
    const anomalies: string[] = [];
    // Entries are scanned as the walk reaches them: one forward pass, even over a tar.gz.
    let torch: boolean | undefined;
    try {
      for await (const e of walkTar(source, ctx.limits, anomalies)) {
        if (!REGULAR.has(e.type)) continue;
        // PyTorch's legacy tar checkpoints start with sys_info.
        torch ??= e.name === 'sys_info';
        if (torch) ctx.refineFormat('pytorch-tar');
        const content = new SliceSource(source, e.dataOffset, e.size);
        if (torch && TORCH_MEMBERS.includes(e.name)) await scanLegacyTarMember(content, e.name, ctx);
        else await ctx.scanNested(content, e.name, { lenient: true });
      }
    } finally {
      for (const a of anomalies) ctx.report(finding('tar.anomaly', 'info', `tar structure: ${a}`, {}));
    }
  },
};
