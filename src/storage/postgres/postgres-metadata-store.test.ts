/**
 * The PostgreSQL driver against the same conformance suites as SQLite. Needs a server:
 * AIRLOCK_TEST_PG_URL=postgres://user@host:port/db (each fixture gets its own schema, dropped
 * afterwards). Without it the suite is skipped, saying so.
 */
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import postgres from 'postgres';
import { runMetadataStoreConformance, runSignalStoreConformance } from '../conformance/index.ts';
import { openPostgresMetadataStore } from './postgres-metadata-store.ts';
import type { PostgresMetadataStore } from './postgres-metadata-store.ts';

const url = process.env['AIRLOCK_TEST_PG_URL'];

async function pgFixture() {
  if (url === undefined) throw new Error('AIRLOCK_TEST_PG_URL is not set');
  const schema = `airlock_test_${randomBytes(6).toString('hex')}`;
  const opened: PostgresMetadataStore[] = [];
  const open = async (): Promise<PostgresMetadataStore> => {
    const store = openPostgresMetadataStore({ url, schema, maxConnections: 4 });
    opened.push(store);
    await store.migrate();
    return store;
  };
  const store = await open();
  return {
    store,
    openPeer: open,
    cleanup: async () => {
      for (const s of opened) await s.close();
      const admin = postgres(url, { max: 1, onnotice: () => undefined });
      try {
        await admin.unsafe(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await admin.end({ timeout: 5 });
      }
    },
  };
}

if (url === undefined) {
  test('PostgreSQL metadata store conformance', { skip: 'set AIRLOCK_TEST_PG_URL=postgres://… to run it against a server' }, () => {});
} else {
  runMetadataStoreConformance('postgresql', pgFixture);
  runSignalStoreConformance('postgresql', pgFixture);
}
