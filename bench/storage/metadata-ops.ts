/**
 * Metadata store operation rates (SQLite driver, WAL), synchronous=normal and =full — and the
 * PostgreSQL driver when AIRLOCK_TEST_PG_URL is set — beside a baseline measured in the same run:
 * the same shape of statement on a bare node:sqlite connection without the store layer.
 *
 *   npm run bench:storage   (this, then the blob ingest benchmark)
 *   npx node bench/storage/metadata-ops.ts
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { makePurl, newId, sha256Of } from '../../src/core/index.ts';
import type { AuditEventInput, DecisionRecord, MetadataStore } from '../../src/storage/ports/index.ts';
import { openSqliteMetadataStore } from '../../src/storage/sqlite/index.ts';
import { openPostgresMetadataStore } from '../../src/storage/postgres/index.ts';

const DURATION_MS = Number(process.env['BENCH_MS'] ?? 700);

/** Operations per second; each call of `body` performs `per` of them. */
async function rate(body: (i: number) => unknown, per = 1): Promise<number> {
  for (let i = 0; i < 200; i++) await body(i);
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < DURATION_MS) {
    for (let k = 0; k < 50; k++) await body(n++);
  }
  return (n * per) / ((performance.now() - start) / 1000);
}

/** Calls in flight at once in the concurrent rows: a server's requests recording their decisions. */
const IN_FLIGHT = 16;

async function storeRates(store: MetadataStore): Promise<Record<string, number>> {
  await store.migrate();
  const blob = sha256Of('x');
  const purl = makePurl('npm', 'left-pad', '1.0.0');
  const doc = { repo: 'npm', key: 'packument:left-pad', blob, size: 1, contentType: 'application/json', etag: '"1"', lastModified: null, fetchedAt: new Date() };
  await store.putDocument(doc);
  await store.putToken({ id: newId(), hash: 'a'.repeat(64), role: 'reader', label: 'b', createdAt: new Date(), expiresAt: null, revokedAt: null, scope: null, exchangedFrom: null });
  const decision = (): DecisionRecord => ({
    id: newId(), repo: 'npm', purl, phase: 'artifact', verdict: 'allow', reasons: [], warnings: [],
    policyHash: 'f'.repeat(64), facts: { age_days: 30, scripts: [] }, request: null, createdAt: new Date(),
  });
  const decisionAudit = (d: DecisionRecord): AuditEventInput => ({ at: d.createdAt, actor: 'policy', action: 'decision.allow', subject: d.purl, details: { decision: d.id } });
  const out: Record<string, number> = {
    'getDocument (hot)': await rate(() => store.getDocument('npm', doc.key)),
    'findTokenByHash': await rate(() => store.findTokenByHash('a'.repeat(64))),
    'latestQuarantine (none)': await rate(() => store.latestQuarantine('npm', purl)),
    'putDocument (upsert)': await rate((i) => store.putDocument({ ...doc, key: `packument:p${i % 1000}` })),
    'recordDecision': await rate(() => store.recordDecision(decision())),
    'appendAudit (hash chain)': await rate((i) =>
      store.appendAudit({ at: new Date(), actor: 'policy', action: 'decision.allow', subject: `pkg:npm/p@${i}`, details: { i } }),
    ),
    // An audited decision as two calls (what the gate did before), and as one transaction.
    'decision, then its audit': await rate(async () => {
      const d = decision();
      await store.recordDecision(d);
      await store.appendAudit(decisionAudit(d));
    }),
    'decision + audit, one tx': await rate(() => {
      const d = decision();
      return store.recordDecision(d, decisionAudit(d));
    }),
    // The same from IN_FLIGHT callers at once: SQLite commits them as one group.
    [`decision + audit, ${IN_FLIGHT} at once`]: await rate(
      () =>
        Promise.all(
          Array.from({ length: IN_FLIGHT }, () => {
            const d = decision();
            return store.recordDecision(d, decisionAudit(d));
          }),
        ),
      IN_FLIGHT,
    ),
  };
  await store.close();
  return out;
}

function baselineRates(dir: string): Promise<Record<string, number>> {
  const db = new DatabaseSync(join(dir, 'baseline.db'));
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL');
  db.exec('CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT NOT NULL) STRICT');
  db.exec("INSERT INTO kv VALUES ('hot', 'value')");
  const get = db.prepare('SELECT * FROM kv WHERE k = ?');
  const put = db.prepare('INSERT INTO kv VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v');
  return (async () => {
    const out = {
      'raw select by key': await rate(() => get.get('hot')),
      'raw upsert': await rate((i) => put.run(`k${i % 1000}`, 'v')),
    };
    db.close();
    return out;
  })();
}

const dir = await mkdtemp(join(tmpdir(), 'airlock-bench-meta-'));
try {
  const baseline = await baselineRates(dir);
  const columns: Array<[string, Record<string, number>]> = [
    ['sqlite normal', await storeRates(openSqliteMetadataStore({ path: join(dir, 'normal.db'), synchronous: 'normal' }))],
    ['sqlite full', await storeRates(openSqliteMetadataStore({ path: join(dir, 'full.db'), synchronous: 'full' }))],
  ];
  const pgUrl = process.env['AIRLOCK_TEST_PG_URL'];
  const schema = `airlock_bench_${Date.now()}`;
  if (pgUrl !== undefined) columns.push(['postgres', await storeRates(openPostgresMetadataStore({ url: pgUrl, schema }))]);
  console.log(`metadata store, operations per second, sequential calls from one process (the last row: ${IN_FLIGHT} calls in flight)`);
  console.log(`${'operation'.padEnd(28)}${columns.map(([name]) => name.padStart(15)).join('')}`);
  for (const op of Object.keys(columns[0]?.[1] ?? {})) {
    console.log(`${op.padEnd(28)}${columns.map(([, r]) => (r[op] ?? 0).toFixed(0).padStart(15)).join('')}`);
  }
  if (pgUrl !== undefined) {
    const { default: postgres } = await import('postgres');
    const admin = postgres(pgUrl, { max: 1, onnotice: () => undefined });
    await admin.unsafe(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end({ timeout: 5 });
  }
  console.log('baseline (bare node:sqlite, sync=normal):');
  for (const [op, r] of Object.entries(baseline)) console.log(`${op.padEnd(28)} ${r.toFixed(0).padStart(12)}`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
