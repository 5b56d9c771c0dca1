/**
 * Turns template-analysis issues into findings. Shared by every place a chat template lives
 * (GGUF metadata, tokenizer_config.json); `prefix` names the container in the rule id.
 */
import type { ScanContext } from '../../types.ts';
import { checkAborted, report } from '../common/findings.ts';
import { analyzeTemplate } from './jinja/analyze.ts';
import { ISSUE_CLASS } from './jinja/rules.ts';

const MAX_FINDINGS_PER_TEMPLATE = 16;

/**
 * Analyses one template. `rendered`: the value is a template a loader renders (chat templates);
 * templates found in other fields are reported at most as suspicious, since nothing renders them.
 */
export function reportTemplate(ctx: ScanContext, prefix: string, field: string, template: string, rendered: boolean): void {
  const issues = analyzeTemplate(template, {
    maxTokens: Math.min(2_000_000, Math.max(10_000, Math.floor(ctx.limits.maxHeaderBytes / 4))),
    checkpoint: () => checkAborted(ctx, `${prefix}.chat-template.deadline`),
  });
  for (const issue of issues.slice(0, MAX_FINDINGS_PER_TEMPLATE)) {
    const meta = ISSUE_CLASS[issue.kind];
    const cls = !rendered && meta.cls === 'malicious' ? 'suspicious' : meta.cls;
    const severity = !rendered && meta.cls === 'malicious' ? 'high' : meta.severity;
    report(
      ctx,
      `${prefix}.chat-template.${issue.kind}`,
      cls,
      `template in ${field} ${meta.what}: ${issue.detail} via ${issue.via}`,
      { field, detail: issue.detail, via: issue.via, templateOffset: issue.offset },
      severity,
    );
  }
  if (issues.length > MAX_FINDINGS_PER_TEMPLATE) {
    report(ctx, `${prefix}.chat-template.more`, 'info', `${issues.length - MAX_FINDINGS_PER_TEMPLATE} further template findings in ${field} not listed`, { field });
  }
}
