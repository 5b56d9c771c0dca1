/** tar archives, including PyTorch's legacy tar checkpoints (sys_info, pickle, storages, tensors). */
import type { FormatAnalyzer } from '../../types.ts';
import { finding } from '../../engine/findings.ts';
import { SliceSource } from '../../sources/slice-source.ts';
import { looksLikeTar, tarTypeHasData, walkTar } from './tar.ts';
import { scanLegacyTarMember } from '../pytorch/legacy-tar.ts';

const TORCH_MEMBERS = ['sys_info', 'pickle', 'storages', 'tensors'];
/** What torch.load extracts from a legacy tar checkpoint: without one of them it cannot load it. */
const TORCH_NEEDS = ['pickle', 'storages', 'tensors'];

export const tarAnalyzer: FormatAnalyzer = {
  format: 'tar',
  detect: looksLikeTar,
  async analyze(source, ctx) {
    const anomalies: string[] = [];
    // Entries are scanned as the walk reaches them: one forward pass, even over a tar.gz.
    let torch: boolean | undefined;
    const seen = new Set<string>();
    try {
      for await (const e of walkTar(source, ctx.limits, anomalies)) {
        // A pickle in an entry of a type tarfile does not know is loaded like any other.
        if (!tarTypeHasData(e.type)) continue;
        // A file cut short: what is scanned of the entry is not what was packed.
        if (e.dataOffset + e.size > source.size) ctx.report(finding('tar.truncated', 'invalid', `tar entry ${e.name} is cut short: the file ends at ${source.size}, inside it`, { offset: e.dataOffset }));
        // PyTorch's legacy tar checkpoints start with sys_info.
        torch ??= e.name === 'sys_info';
        if (torch) ctx.refineFormat('pytorch-tar');
        seen.add(e.name);
        const content = new SliceSource(source, e.dataOffset, e.size);
        if (torch && TORCH_MEMBERS.includes(e.name)) await scanLegacyTarMember(content, e.name, ctx);
        else await ctx.scanNested(content, e.name, { lenient: true });
      }
      const missing = TORCH_NEEDS.filter((m) => !seen.has(m));
      if (torch === true && missing.length > 0) {
        ctx.report(finding('pytorch.tar.incomplete', 'invalid', `legacy PyTorch tar checkpoint has no ${missing.join(', ')} member: torch.load cannot read it`, {}));
      }
    } finally {
      for (const a of anomalies) ctx.report(finding('tar.anomaly', 'info', `tar structure: ${a}`, {}));
    }
  },
};
