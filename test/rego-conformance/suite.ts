/**
 * Shared node:test driver: runs the cases of some folders and compares them with the
 * checked-in lists of cases expected to pass (`passing/<folder>.txt`). A listed case that
 * fails is a regression (test failure); a passing case missing from the list is reported so
 * that `npm run conformance:update` records it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { EXCLUDED_CASES, SKIPPED_FOLDERS, scopeOf } from './folders.ts';
import { type Case, listFolders, loadFolder, runCase, suiteAvailable } from './run-case.ts';

export const PASSING_DIR = join(import.meta.dirname, 'passing');

export function readPassing(folder: string): Set<string> {
  try {
    const text = readFileSync(join(PASSING_DIR, `${folder}.txt`), 'utf8');
    return new Set(text.split('\n').filter((l) => l.length > 0 && !l.startsWith('#')));
  } catch {
    return new Set();
  }
}

export interface FolderResult {
  readonly folder: string;
  readonly total: number;
  readonly passed: readonly string[];
  readonly failed: readonly { readonly c: Case; readonly detail: string }[];
}

export function runFolder(folder: string): FolderResult {
  const passed: string[] = [];
  const failed: { c: Case; detail: string }[] = [];
  let total = 0;
  for (const c of loadFolder(folder)) {
    if (EXCLUDED_CASES[c.note] !== undefined) continue;
    total++;
    const o = runCase(c);
    if (o.ok) passed.push(c.key);
    else failed.push({ c, detail: o.detail });
  }
  return { folder, total, passed, failed };
}

/** The runnable folders (not skipped), in a stable order. */
export function runnableFolders(): string[] {
  return listFolders().filter((f) => SKIPPED_FOLDERS[f] === undefined);
}

/** Splits the runnable folders into `n` groups of similar case counts, returning group `i`. */
export function folderShard(i: number, n: number): string[] {
  const folders = runnableFolders();
  return folders.filter((_, j) => j % n === i);
}

export function conformanceSuite(title: string, folders: readonly string[]): void {
  describe(title, { skip: suiteAvailable() ? false : 'the OPA conformance suite (../shared/opa-conformance) is not available' }, () => {
    const lines: string[] = [];
    for (const folder of folders) {
      test(folder, () => {
        const r = runFolder(folder);
        const expected = readPassing(folder);
        const passed = new Set(r.passed);
        const regressions = r.failed.filter((f) => expected.has(f.c.key));
        const newly = r.passed.filter((k) => !expected.has(k));
        lines.push(`${folder.padEnd(40)} ${scopeOf(folder).padEnd(5)} ${String(r.passed.length).padStart(4)}/${String(r.total).padEnd(4)}${newly.length > 0 ? `  (+${newly.length} not yet recorded)` : ''}`);
        for (const k of expected) {
          if (!passed.has(k) && !r.failed.some((f) => f.c.key === k)) lines.push(`  note: recorded case ${k} no longer exists`);
        }
        assert.equal(
          regressions.length,
          0,
          `regressions in ${folder}:\n${regressions.map((f) => `  ${f.c.key} [${f.c.note}]: ${f.detail}`).join('\n')}`,
        );
      });
    }
    after(() => {
      if (lines.length > 0) process.stdout.write(`\nOPA conformance (${title}):\n${lines.join('\n')}\n`);
    });
  });
}
