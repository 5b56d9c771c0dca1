/** The compliance report as text: a page an auditor reads, ending with the chain points that tie it to an export. */
import type { ActorView, AuditReport, ReportEntry } from '../../../gate/audit-evidence/index.ts';
import type { Json } from '../../../storage/ports/index.ts';
import { clip, table } from '../../admin/cli-support.ts';
import { events } from './target.ts';

function when(iso: string | null): string {
  return iso === null ? '-' : iso.replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
}

function who(by: ActorView): string {
  if (by.label === null) return by.actor;
  return `${by.label === '' ? '(no label)' : by.label} (${by.role}, ${by.actor})`;
}

function value(v: Json): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function detailsOf(e: ReportEntry): string {
  const parts = Object.entries(e.details)
    .filter(([k]) => k !== 'purl')
    .map(([k, v]) => `${k}: ${v === null ? '-' : value(v)}`);
  if (e.details['purl'] !== undefined) parts.unshift(`id: ${e.subject}`);
  return clip(parts.join('; '), 200);
}

function subjectOf(e: ReportEntry): string {
  const purl = e.details['purl'];
  return typeof purl === 'string' ? purl : e.subject;
}

function rangeText(r: AuditReport['range']): string {
  const parts: string[] = [];
  if (r.since !== null) parts.push(`since ${r.since}`);
  if (r.until !== null) parts.push(`until ${r.until}`);
  if (r.after !== null) parts.push(`after seq ${r.after}`);
  if (r.through !== null) parts.push(`through seq ${r.through}`);
  return parts.length === 0 ? 'the whole trail' : parts.join(', ');
}

export function renderReport(r: AuditReport): string {
  const out: string[] = [];
  const c = r.chain;
  const seqs = r.events === 0 ? 'no events' : `${events(r.events)}, seq ${c.firstSeq}–${c.lastSeq}, ${when(r.firstAt)} to ${when(r.lastAt)}`;
  out.push(`Airlock audit report, generated ${when(r.generatedAt)}`);
  out.push(`Period asked:  ${rangeText(r.range)}`);
  out.push(`Covered:       ${seqs}`);
  out.push(`Exported by:   Airlock ${r.exported.airlockVersion} at ${when(r.exported.exportedAt)} (trail head then: seq ${r.exported.headSeq})`);
  out.push(`Chain:         verified${c.verified === 'live' ? ', and identical to the live trail' : ' (the segment\'s own chain, from its anchor)'}`);
  out.push('');
  out.push(`Decisions: downloads judged (${r.decisions.total})`);
  const ecosystems = Object.entries(r.decisions.byEcosystem);
  if (ecosystems.length === 0) out.push('  none');
  else out.push(table(['  ECOSYSTEM', 'ALLOWED', 'QUARANTINED', 'BLOCKED'], ecosystems.map(([eco, n]) => [`  ${eco}`, String(n.allowed), String(n.quarantined), String(n.blocked)])).trimEnd());
  for (const s of Object.values(r.sections)) {
    out.push('');
    const counts = Object.entries(s.counts).map(([what, n]) => `${what} ${n}`).join(', ');
    out.push(`${s.title}${counts === '' ? '' : ` (${counts})`}`);
    if (s.entries.length === 0) {
      out.push('  none');
      continue;
    }
    out.push(table(['  SEQ', 'TIME', 'WHAT', 'SUBJECT', 'BY', 'DETAILS'], s.entries.map((e) => [`  ${e.seq}`, when(e.at), e.what, subjectOf(e), who(e.by), detailsOf(e)])).trimEnd());
    if (s.omitted > 0) out.push(`  … and ${s.omitted} more (use --format json, or a shorter period)`);
  }
  const other = Object.entries(r.other);
  if (other.length > 0) {
    out.push('');
    out.push(`Other events: ${other.map(([action, n]) => `${action} ${n}`).join(', ')}`);
  }
  out.push('');
  out.push(`Chain anchor:  seq ${c.anchor.seq} hash ${c.anchor.hash}`);
  out.push(`Last event:    ${c.lastSeq === null ? 'none' : `seq ${c.lastSeq}`} hash ${c.lastHash}`);
  return `${out.join('\n')}\n`;
}
