/**
 * How `airlock check` prints results: one package in full (verdict, the rules that decided, the
 * reasons, warnings, what the policy alone said, and every fact; for a range, the version it
 * installs and the newest one in range when that is held), many as a table.
 */
import { clip, table } from '../../admin/cli-support.ts';

export type Result = Record<string, unknown>;

interface ReasonLike {
  readonly message?: unknown;
  readonly rule?: unknown;
}

function reasons(v: unknown): ReasonLike[] {
  return Array.isArray(v) ? (v as ReasonLike[]) : [];
}

function reasonLine(r: ReasonLike): string {
  const rule = typeof r.rule === 'string' ? ` [${r.rule}]` : '';
  return `${String(r.message ?? '')}${rule}`;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : v === null || v === undefined ? '' : JSON.stringify(v);
}

export function label(r: Result): string {
  return r['version'] === null || r['version'] === undefined ? `${str(r['name'])}` : `${str(r['name'])}@${str(r['version'])}`;
}

/** VERDICT, or the status when there is none (`NOT FOUND`, `ERROR` …). */
export function outcome(r: Result): string {
  if (typeof r['verdict'] === 'string') return r['verdict'].toUpperCase();
  const status = str(r['status']);
  if (status === 'package-not-found' || status === 'version-not-found') return 'NOT FOUND';
  if (status === 'unusable') return 'UNUSABLE';
  return 'ERROR';
}

function decidedBy(r: Result, sep: string): string {
  return Array.isArray(r['decidedBy']) ? (r['decidedBy'] as unknown[]).map(str).join(sep) : '';
}

/** ` — decided by a, b`, or nothing. */
function decidedText(r: Result): string {
  const by = decidedBy(r, ', ');
  return by === '' ? '' : ` — decided by ${by}`;
}

/** The range asked for, when the result resolved one. */
function rangeOf(r: Result): { range: string; satisfying: number; newest: Result | null } | null {
  const x = r['range'];
  if (typeof x !== 'object' || x === null || typeof (x as Result)['range'] !== 'string') return null;
  const n = (x as Result)['newest'];
  return { range: (x as Result)['range'] as string, satisfying: Number((x as Result)['satisfying'] ?? 0), newest: typeof n === 'object' && n !== null ? (n as Result) : null };
}

/** A range's lines: what an install of it gets through Airlock, and the newest version in range when it is not that one. */
function rangeLines(r: Result): string[] {
  const g = rangeOf(r);
  if (g === null) return [];
  const asked = `${str(r['name'])}@${g.range}`;
  const satisfy = `${g.satisfying} listed version${g.satisfying === 1 ? ' satisfies' : 's satisfy'} it`;
  const lines = [
    typeof r['resolvesTo'] === 'string'
      ? `  an install of ${asked} gets ${r['resolvesTo']} through Airlock (${satisfy})`
      : `  an install of ${asked} gets no version Airlock allows (${satisfy}): it fails; ${str(r['version'])} is the one judged here`,
  ];
  const n = g.newest;
  if (n !== null) {
    lines.push(`  newest in range: ${str(n['version'])}: ${str(n['verdict']).toUpperCase()}${decidedText(n)}`);
    for (const x of reasons(n['reasons'])) lines.push(`    - ${reasonLine(x)}`);
    if (typeof n['quarantineId'] === 'string') lines.push(`    quarantine: ${n['quarantineId']}`);
  }
  return lines;
}

export function allowed(r: Result): boolean {
  return r['verdict'] === 'allow';
}

export function renderOne(r: Result): string {
  const lines: string[] = [];
  const purl = typeof r['purl'] === 'string' ? ` (${r['purl']})` : '';
  lines.push(`${label(r)}${purl}: ${outcome(r)}${decidedText(r)}`);
  if (typeof r['message'] === 'string') lines.push(`  ${r['message']}`);
  lines.push(...rangeLines(r));
  if (r['ecosystem'] === 'huggingface' && typeof r['version'] === 'string') {
    lines.push(`  ${r['requested'] === null ? 'the default branch' : `revision ${str(r['requested'])}`} is commit ${r['version']}`);
  } else if (r['requested'] === null && typeof r['version'] === 'string' && r['ecosystem'] !== 'oci') {
    const to = typeof r['resolvesTo'] === 'string' ? r['resolvesTo'] : '(nothing: every version is withheld)';
    lines.push(`  latest upstream is ${r['version']}; through Airlock \`latest\` resolves to ${to}`);
  }
  if (typeof r['source'] === 'string' && r['source'] !== 'policy') lines.push(`  decision source: ${r['source']}`);
  if (typeof r['quarantineId'] === 'string') lines.push(`  quarantine: ${r['quarantineId']}`);
  const rs = reasons(r['reasons']);
  if (rs.length > 0) lines.push('  reasons:', ...rs.map((x) => `    - ${reasonLine(x)}`));
  const ws = reasons(r['warnings']);
  if (ws.length > 0) lines.push('  warnings:', ...ws.map((x) => `    - ${reasonLine(x)}`));
  const policy = r['policy'];
  if (typeof policy === 'object' && policy !== null) {
    const p = policy as Record<string, unknown>;
    lines.push(`  policy alone: ${str(p['verdict'])} (bundle ${str(p['hash']).slice(0, 12)})`);
  }
  const facts = r['facts'];
  if (typeof facts === 'object' && facts !== null) {
    lines.push('  facts:');
    for (const [k, v] of Object.entries(facts as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      lines.push(`    ${k}: ${JSON.stringify(v)}`);
    }
  }
  const parts = Array.isArray(r['parts']) ? (r['parts'] as Result[]) : [];
  if (parts.length > 0) {
    const files = r['ecosystem'] === 'huggingface';
    lines.push(files ? '  files (a download judges each on its own; * not held yet: scanned when downloaded):' : '  platform images (a pull brings one; each is judged on its own):');
    // The files held back first: a commit has many, most of them allowed.
    const shown = files ? [...parts].sort((a, b) => (ORDER[str(a['verdict']).toUpperCase()] ?? 9) - (ORDER[str(b['verdict']).toUpperCase()] ?? 9)) : parts;
    for (const p of shown.slice(0, LISTED)) {
      const what = files ? `${str(p['label'])}${typeof p['notJudged'] === 'string' ? ' *' : ''}` : `${str(p['label'])} ${str(p['version'])}`;
      lines.push(`    ${what}: ${str(p['verdict']).toUpperCase()}${decidedText(p)}`);
      for (const x of reasons(p['reasons'])) lines.push(`      - ${reasonLine(x)}`);
    }
    if (parts.length > LISTED) lines.push(`    … and ${parts.length - LISTED} more (--format json lists them all)`);
  }
  if (typeof r['phase'] === 'string') {
    const hub = r['ecosystem'] === 'huggingface' ? (parts.length > 0 ? 'each file judged as its download is, scanned from what Airlock holds' : 'no file of a blocked commit is served') : null;
    const unjudged = typeof r['notJudged'] === 'string' ? r['notJudged'] : (hub ?? 'content facts (what the file itself holds: install scripts, .pth files …) are judged at download');
    lines.push(`  (${r['phase']} phase; ${unjudged})`);
  }
  return `${lines.join('\n')}\n`;
}

const ORDER: Readonly<Record<string, number>> = { BLOCK: 0, QUARANTINE: 1, 'NOT FOUND': 2, UNUSABLE: 3, ERROR: 4, ALLOW: 5 };

export function renderTable(results: readonly Result[]): string {
  const rows = [...results]
    .sort((a, b) => (ORDER[outcome(a)] ?? 9) - (ORDER[outcome(b)] ?? 9) || label(a).localeCompare(label(b)))
    .map((r) => {
      const rs = reasons(r['reasons']);
      const why = rs.length > 0 ? reasonLine(rs[0] as ReasonLike) : str(r['message']);
      const g = rangeOf(r);
      // A range: the version it installs (or, none allowed, the one judged), then the range.
      const version = g === null ? str(r['version'] ?? r['requested']) : `${str(r['version'])} (${g.range})`;
      return [str(r['name']), version, outcome(r), decidedBy(r, ','), clip(why, 100)];
    });
  return table(['PACKAGE', 'VERSION', 'VERDICT', 'DECIDED BY', 'REASON'], rows);
}

function summaryLine(summary: Record<string, number>, skipped: number, what: string): string {
  const parts = ['allow', 'quarantine', 'block', 'notFound', 'error'].map((k) => `${summary[k] ?? 0} ${k === 'notFound' ? 'not found' : k}`);
  return `${parts.join(', ')}${skipped > 0 ? `; ${skipped} ${what} (skipped)` : ''}\n`;
}

/** A file checked in one call (a lockfile, a requirements file): its results, what is not checked, and its entries that fail another test. */
export interface FileReport {
  readonly summary: Record<string, number>;
  readonly results: readonly Result[];
  readonly outside: readonly { readonly path: string; readonly name: string; readonly version: string; readonly why: string }[];
  readonly skipped: readonly { readonly path: string; readonly why: string }[];
}

/** How a file's report reads in a table: the words for its entries, and whether skipped ones are listed. */
export interface FileWords {
  /** `lockfile entries are not registry packages`. */
  readonly skipped: string;
  /** `lockfile entries are downloaded from outside the registry, past Airlock`. */
  readonly outside: string;
  /** Between name and version: `@`, `==`. */
  readonly at: string;
  readonly listSkipped: boolean;
}

const LISTED = 50;

function listed<T>(items: readonly T[], line: (x: T) => string): string {
  const more = items.length > LISTED ? `  … and ${items.length - LISTED} more (--format json lists them all)\n` : '';
  return `${items.slice(0, LISTED).map((x) => `  ${line(x)}\n`).join('')}${more}`;
}

/** The table of a file's results, what was skipped, the summary, and the entries found outside. */
export function renderFileReport(r: FileReport, words: FileWords): string {
  let out = r.results.length > 0 ? renderTable(r.results) : '';
  if (words.listSkipped && r.skipped.length > 0) out += `not checked:\n${listed(r.skipped, (s) => `${s.path}: ${s.why}`)}`;
  out += summaryLine(r.summary, r.skipped.length, words.skipped);
  if (r.outside.length > 0) out += `${r.outside.length} ${words.outside}:\n${listed(r.outside, (o) => `${o.path} (${o.name}${words.at}${o.version}): ${o.why}`)}`;
  return out;
}

/** 0 when everything is allowed and nothing was found outside; 1 otherwise. */
export function fileVerdict(r: FileReport): boolean {
  return r.results.every(allowed) && r.outside.length === 0;
}
