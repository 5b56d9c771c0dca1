/**
 * The legacy audits (`POST /-/npm/v1/security/audits/quick` and `…/audits`: pnpm, yarn 1, npm ≤ 10)
 * answered with the imported vulnerability advisories (protocols/npm.md §9.2). The request is an
 * npm-6 lockfile tree, walked under bounds; the report lists each advisory that includes an
 * installed version with the paths it was found at, and counts the findings by severity as npm 6
 * did. No upgrade `actions` are computed: the report says what is vulnerable and which versions
 * fix it (`patched_versions`, `recommendation`), not how to rewrite the tree.
 */
import { compareSemver, isNpmPackageName, parseSemver } from '../../core/index.ts';
import { advisoryIncludes, type AdvisoryRecord } from '../../gate/index.ts';
import { bad, bulkAdvisory } from './audit.ts';

const MAX_DEPTH = 64;
const MAX_NODES = 100_000;

export interface InstalledNode {
  readonly name: string;
  readonly version: string;
  /** `a>b>c`, as npm 6 wrote paths. */
  readonly path: string;
  readonly dev: boolean;
  readonly optional: boolean;
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Every installed package of the request's tree (`dependencies`, nested), depth-first. */
export function installedNodes(doc: Obj): InstalledNode[] {
  const out: InstalledNode[] = [];
  let walked = 0;
  const walk = (deps: unknown, parent: string, depth: number): void => {
    if (deps === undefined || deps === null) return;
    if (!isObj(deps)) bad('dependencies must be an object of package names');
    if (depth > MAX_DEPTH) bad(`the dependency tree is deeper than ${MAX_DEPTH}`);
    for (const [name, node] of Object.entries(deps)) {
      if (++walked > MAX_NODES) bad(`the dependency tree has more than ${MAX_NODES} entries`);
      if (name.length > 214) bad('an entry of the dependency tree has a name longer than 214 characters');
      if (!isObj(node)) bad(`the entry of ${JSON.stringify(name.slice(0, 80))} must be an object`);
      const path = parent === '' ? name : `${parent}>${name}`;
      const version = node['version'];
      // pnpm's tree has its projects as entries (".", "packages/web"), and links, git and file
      // dependencies carry no registry version: walked through, never matched.
      if (isNpmPackageName(name) && typeof version === 'string' && version.length <= 256 && parseSemver(version) !== null) {
        out.push({ name, version, path, dev: node['dev'] === true, optional: node['optional'] === true });
      }
      walk(node['dependencies'], path, depth + 1);
    }
  };
  walk(doc['dependencies'], '', 1);
  return out;
}

type Level = 'info' | 'low' | 'moderate' | 'high' | 'critical';

/**
 * The versions without an advisory, as an npm range: the gaps between its bounded ranges and what
 * follows the last fix. `<0.0.0` (npm's "none") when any part cannot be said exactly (listed
 * versions, every version, a bound that is not SemVer, a range with no fix).
 */
function patchedVersions(rec: AdvisoryRecord): string {
  const none = '<0.0.0';
  if (rec.allVersions || rec.versions.length > 0 || rec.ranges.length === 0) return none;
  const spans: { readonly from: string; readonly to: string }[] = [];
  for (const r of rec.ranges) {
    if (r.fixed === null || parseSemver(r.fixed) === null || (r.introduced !== '0' && parseSemver(r.introduced) === null)) return none;
    spans.push({ from: r.introduced === '0' ? '0.0.0' : r.introduced, to: r.fixed });
  }
  spans.sort((a, b) => cmp(a.from, b.from));
  const parts: string[] = [];
  for (let i = 0; i < spans.length; i++) {
    const here = spans[i] as { readonly from: string; readonly to: string };
    const next = spans[i + 1];
    if (next === undefined) parts.push(`>=${here.to}`);
    else if (cmp(here.to, next.from) < 0) parts.push(`>=${here.to} <${next.from}`);
    else if (cmp(here.to, next.to) >= 0) return none; // overlapping ranges: not said exactly
  }
  if (spans[0] !== undefined && spans[0].from !== '0.0.0') parts.unshift(`<${spans[0].from}`);
  return parts.join(' || ');
}

function cmp(a: string, b: string): number {
  const x = parseSemver(a);
  const y = parseSemver(b);
  return x === null || y === null ? 0 : compareSemver(x, y);
}

/** How npm 6 counted an advisory's findings: one per path. */
function foundAt(findings: Iterable<{ readonly paths: readonly string[] }>): number {
  let n = 0;
  for (const f of findings) n += f.paths.length;
  return n;
}

export interface AuditReport {
  readonly actions: readonly unknown[];
  readonly advisories: Record<string, Obj>;
  readonly muted: readonly unknown[];
  readonly metadata: {
    readonly vulnerabilities: Record<Level, number>;
    readonly dependencies: number;
    readonly devDependencies: number;
    readonly optionalDependencies: number;
    readonly totalDependencies: number;
  };
}

/** The npm-6 audit report of the installed tree against the advisories of its packages. */
export function auditReport(installed: readonly InstalledNode[], advisories: ReadonlyMap<string, readonly AdvisoryRecord[]>): AuditReport {
  const report: Record<string, Obj> = {};
  const vulnerabilities: Record<Level, number> = { info: 0, low: 0, moderate: 0, high: 0, critical: 0 };
  // Grouped once: a tree of 100,000 packages, each with an advisory, was filtered once per package.
  const byName = new Map<string, InstalledNode[]>();
  for (const n of installed) {
    const same = byName.get(n.name);
    if (same === undefined) byName.set(n.name, [n]);
    else same.push(n);
  }
  for (const [name, records] of advisories) {
    const nodes = byName.get(name) ?? [];
    for (const rec of records) {
      const bulk = bulkAdvisory(rec);
      if (bulk === null) continue;
      // Every path is listed, as npm 6 did: the tree is bounded, so the report is.
      const findings = new Map<string, { paths: string[]; fixed: string | null }>();
      for (const n of nodes) {
        const hit = advisoryIncludes(rec, n.version);
        if (hit === null) continue;
        const f = findings.get(n.version) ?? { paths: [], fixed: hit.fixed };
        f.paths.push(n.path);
        findings.set(n.version, f);
      }
      if (findings.size === 0) continue;
      const fixes = [...new Set([...findings.values()].map((f) => f.fixed))];
      vulnerabilities[bulk.severity] += foundAt(findings.values());
      report[String(bulk.id)] = {
        id: bulk.id,
        module_name: name,
        title: bulk.title,
        severity: bulk.severity,
        vulnerable_versions: bulk.vulnerable_versions,
        patched_versions: patchedVersions(rec),
        cwe: bulk.cwe,
        cves: rec.aliases.filter((a) => a.startsWith('CVE-')),
        github_advisory_id: rec.id.startsWith('GHSA-') ? rec.id : (rec.aliases.find((a) => a.startsWith('GHSA-')) ?? null),
        url: bulk.url,
        overview: rec.summary ?? rec.id,
        recommendation: fixes.length === 1 && fixes[0] !== null ? `Upgrade to version ${fixes[0]} or later` : fixes.every((f) => f !== null) ? `Upgrade to ${fixes.join(' or ')} or later` : 'None',
        references: bulk.url,
        access: 'public',
        created: rec.published ?? rec.modified,
        updated: rec.modified,
        deleted: null,
        found_by: null,
        reported_by: null,
        metadata: null,
        cvss: bulk.cvss,
        findings: [...findings].map(([version, f]) => ({ version, paths: f.paths })),
      };
    }
  }
  const dev = installed.filter((n) => n.dev).length;
  return {
    actions: [],
    advisories: report,
    muted: [],
    metadata: {
      vulnerabilities,
      dependencies: installed.length - dev,
      devDependencies: dev,
      optionalDependencies: installed.filter((n) => n.optional).length,
      totalDependencies: installed.length,
    },
  };
}

/**
 * The upstream's report with the imported advisories added: one it already gives (the same GHSA
 * id or URL) is not given twice, and the counts grow by the findings added.
 */
export function mergeReports(upstream: Obj | null, mine: AuditReport): Obj {
  if (upstream === null || !isObj(upstream['advisories'])) return { ...mine };
  const theirs = upstream['advisories'] as Obj;
  const known = new Set<unknown>();
  for (const a of Object.values(theirs)) if (isObj(a)) for (const k of ['github_advisory_id', 'url']) if (typeof a[k] === 'string') known.add(a[k]);
  const advisories: Obj = { ...theirs };
  const meta = isObj(upstream['metadata']) ? upstream['metadata'] : {};
  const counts = { ...(isObj(meta['vulnerabilities']) ? meta['vulnerabilities'] : {}) } as Record<string, unknown>;
  for (const [id, a] of Object.entries(mine.advisories)) {
    if (known.has(a['github_advisory_id']) || known.has(a['url']) || Object.hasOwn(advisories, id)) continue;
    advisories[id] = a;
    const level = String(a['severity']);
    counts[level] = (typeof counts[level] === 'number' ? counts[level] : 0) + foundAt(a['findings'] as { paths: string[] }[]);
  }
  return { ...upstream, advisories, metadata: { ...meta, vulnerabilities: counts } };
}
