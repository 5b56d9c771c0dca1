import { describe } from 'node:test';
import { auditLogCases } from './metadata/audit.ts';
import { auditedChangeCases } from './metadata/audited-changes.ts';
import { decisionLogCases } from './metadata/decisions.ts';
import { artifactIndexCases, documentCacheCases } from './metadata/documents.ts';
import { exceptionStoreCases, tokenStoreCases } from './metadata/exceptions-tokens.ts';
import type { MakeMetadataFixture } from './metadata/fixture.ts';
import { hostedPackageCases } from './metadata/hosted.ts';
import { lifecycleCases } from './metadata/lifecycle.ts';
import { quarantineCases } from './metadata/quarantine.ts';
import { uploadSessionCases } from './metadata/upload-sessions.ts';
import { webhookCursorCases } from './metadata/webhooks.ts';

/**
 * The behaviour every MetadataStore driver must show (SQLite today; PostgreSQL next). Call it
 * from the driver's own test file with a factory that yields a fresh, migrated, empty store and
 * a way to open a second instance on the same database.
 */
export function runMetadataStoreConformance(driver: string, makeFixture: MakeMetadataFixture): void {
  describe(`MetadataStore conformance: ${driver}`, () => {
    documentCacheCases(makeFixture);
    artifactIndexCases(makeFixture);
    hostedPackageCases(makeFixture);
    decisionLogCases(makeFixture);
    quarantineCases(makeFixture);
    exceptionStoreCases(makeFixture);
    tokenStoreCases(makeFixture);
    auditLogCases(makeFixture);
    auditedChangeCases(makeFixture);
    webhookCursorCases(makeFixture);
    uploadSessionCases(makeFixture);
    lifecycleCases(makeFixture);
  });
}
