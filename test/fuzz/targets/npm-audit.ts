/**
 * Fuzz target of what `npm audit`, pnpm and yarn send to the audit endpoints, which answer without
 * a token: a bulk request (`{name: [version…]}`) or an npm-6 lockfile tree, gzip'd or not, read
 * under bounds; then answered with advisories for every package it names (the worst case: an
 * imported feed with an advisory for each) and merged into the same bytes read as the upstream's
 * answer. A request is refused with BAD_REQUEST or read as it was written: every name a package
 * name, every version kept a string as sent, every installed node's path the names that lead to
 * it; the answers must be JSON that JSON.stringify can write.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { AirlockError, isNpmPackageName, parseSemver } from '../../../src/core/index.ts';
import type { AdvisoryRecord } from '../../../src/gate/index.ts';
import { bulkAdvisory, mergeBulk, readAuditJson, readBulkRequest, upstreamAuditJson } from '../../../src/ecosystems/npm/audit.ts';
import { auditReport, installedNodes, mergeReports, type InstalledNode } from '../../../src/ecosystems/npm/audit-report.ts';
import { nested } from '../../support/fuzz/mutate.ts';
import { isGenericJsFailure, text, type FuzzTarget } from '../../support/fuzz/target.ts';

const BULK = { minimist: ['1.2.5', '0.2.1'], '@acme/lib': ['2.0.0-beta.1'], qs: ['6.2.3'] };
const TREE = {
  name: 'app',
  version: '1.0.0',
  requires: true,
  dependencies: {
    minimist: { version: '1.2.5', dev: true },
    qs: { version: '6.2.3', requires: { 'side-channel': '^1.0.4' }, dependencies: { 'side-channel': { version: '1.0.4', optional: true } } },
    '@acme/lib': { version: '2.0.0-beta.1', dependencies: { minimist: { version: '0.2.1' } } },
    linked: { version: 'file:../linked' },
  },
};

function advisory(name: string, i: number): AdvisoryRecord {
  return {
    kind: 'vulnerability',
    severity: { level: 'high', score: 7.5, vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H' },
    id: `GHSA-fuzz-${i}`,
    ecosystem: 'npm',
    name,
    versions: [],
    ranges: [{ type: 'SEMVER', introduced: '0', fixed: '99.0.0', lastAffected: null }],
    allVersions: false,
    summary: `advisory of ${name}`,
    aliases: [],
    published: null,
    modified: '2024-01-01T00:00:00Z',
    withdrawn: null,
    origins: [],
    provenance: { feed: 'osv', entry: `${i}.json`, sha256: 'a'.repeat(64) },
  };
}

const advisoriesOf = (names: Iterable<string>): Map<string, AdvisoryRecord[]> => new Map([...new Set(names)].map((n, i) => [n, [advisory(n, i)]]));

/** The request's own JSON, as the reader should have read it (undefined: not JSON, or not gzip). */
function written(input: Buffer, gzip: boolean): unknown {
  try {
    return JSON.parse((gzip ? gunzipSync(input) : input).toString('utf8'));
  } catch {
    return undefined;
  }
}

/** What is wrong with a bulk request as read, against what was written. */
function bulkProblem(read: ReadonlyMap<string, readonly string[]>, doc: unknown): string | undefined {
  if (typeof doc !== 'object' || doc === null) return 'a body that is no JSON object was read as a bulk request';
  for (const [name, versions] of read) {
    if (!isNpmPackageName(name)) return `${JSON.stringify(name.slice(0, 80))} was read as a package name`;
    const sent = (doc as Record<string, unknown>)[name];
    if (!Object.hasOwn(doc, name) || JSON.stringify(sent) !== JSON.stringify(versions)) return `the versions of ${name} were read as something other than what was sent`;
  }
  return read.size === Object.keys(doc).length ? undefined : `${Object.keys(doc).length} packages sent, ${read.size} read`;
}

/** What is wrong with an installed node: its path must be the chain of names that lead to it in the tree sent. */
function nodeProblem(node: InstalledNode, doc: unknown): string | undefined {
  if (!isNpmPackageName(node.name) || parseSemver(node.version) === null) return `${JSON.stringify(node.name.slice(0, 80))}@${JSON.stringify(node.version.slice(0, 40))} was read as a package version`;
  let at: unknown = doc;
  for (const step of node.path.split('>')) at = (at as { dependencies?: Record<string, unknown> } | undefined)?.dependencies?.[step];
  const names = node.path.split('>');
  if (names.at(-1) !== node.name || (at as { version?: unknown } | undefined)?.version !== node.version) return `${node.name}@${node.version} was read at ${node.path.slice(0, 120)}, which the tree sent does not lead to`;
  return names.length > 64 ? `a node ${names.length} levels deep was read (at most 64)` : undefined;
}

/** Runs one reader; its own refusal (BAD_REQUEST) is an answer, anything else is thrown on. */
async function readOrRefused<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof AirlockError && err.code === 'BAD_REQUEST' && !isGenericJsFailure(err)) return undefined;
    throw err;
  }
}

const npmAuditRequest: FuzzTarget = {
  seeds: () => [text(JSON.stringify(BULK)), text(JSON.stringify(TREE)), new Uint8Array(gzipSync(JSON.stringify(BULK))), new Uint8Array(gzipSync(JSON.stringify(TREE)))],
  text: true,
  extra: () => [
    text(`{"dependencies":${nested('{"a":{"version":"1.0.0","dependencies":', '}}', 5_000, '{}')}}`),
    text(`{"dependencies":{${Array.from({ length: 30_000 }, (_, i) => `"p${i}":{"version":"1.0.${i}"}`).join(',')}}}`),
    text(`{${Array.from({ length: 50_000 }, (_, i) => `"p${i}":["1.0.0"]`).join(',')}}`),
    text(`{"__proto__":["1.0.0"],"constructor":["1.0.0"],"dependencies":{"__proto__":{"version":"1.0.0"},"toString":{"version":"1.0.0"}}}`),
    new Uint8Array(gzipSync(Buffer.alloc(20 * 1024 * 1024, 0x20))),
  ],
  run: async (input) => {
    const body = Buffer.from(input);
    const gzip = body[0] === 0x1f && body[1] === 0x8b;
    const encoding = gzip ? 'gzip' : undefined;
    const doc = written(body, gzip);
    const bulk = await readOrRefused(() => readBulkRequest(body, encoding));
    if (bulk !== undefined) {
      const problem = bulkProblem(bulk, doc);
      if (problem !== undefined) return problem;
      const imported = new Map([...advisoriesOf(bulk.keys())].map(([n, recs]) => [n, recs.map(bulkAdvisory).filter((a) => a !== null)]));
      const upstream = upstreamAuditJson(body);
      JSON.parse(JSON.stringify(mergeBulk(typeof upstream === 'string' ? null : upstream, imported)));
    }
    const tree = await readOrRefused(async () => installedNodes(await readAuditJson(body, encoding, 'an npm lockfile tree')));
    if (tree !== undefined) {
      for (const node of tree) {
        const problem = nodeProblem(node, doc);
        if (problem !== undefined) return problem;
      }
      const report = auditReport(tree, advisoriesOf(tree.map((n) => n.name)));
      const found = Object.values(report.advisories).length;
      if (found !== new Set(tree.map((n) => n.name)).size) return `${found} advisories reported for ${new Set(tree.map((n) => n.name)).size} vulnerable packages installed`;
      const upstream = gzip ? null : upstreamAuditJson(body);
      JSON.parse(JSON.stringify(mergeReports(typeof upstream === 'string' ? null : upstream, report)));
    }
    return undefined;
  },
  accepts: () => false,
};

export const targets: Record<string, FuzzTarget> = { 'npm-audit-request': npmAuditRequest };
