/**
 * `npm run conformance:update`: runs every runnable conformance folder and rewrites
 * `passing/<folder>.txt` with the cases that pass now. Prints a per-scope summary.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scopeOf, SKIPPED_FOLDERS } from './folders.ts';
import { suiteAvailable } from './run-case.ts';
import { PASSING_DIR, runFolder, runnableFolders } from './suite.ts';

if (!suiteAvailable()) {
  process.stderr.write('the OPA conformance suite (../shared/opa-conformance/v1) is not available\n');
  process.exit(1);
}
mkdirSync(PASSING_DIR, { recursive: true });
const totals = new Map<string, [number, number]>();
const verbose = process.argv.includes('-v');
for (const folder of runnableFolders()) {
  const r = runFolder(folder);
  writeFileSync(join(PASSING_DIR, `${folder}.txt`), r.passed.length === 0 ? '' : `${[...r.passed].sort().join('\n')}\n`);
  const scope = scopeOf(folder);
  const t = totals.get(scope) ?? [0, 0];
  t[0] += r.passed.length;
  t[1] += r.total;
  totals.set(scope, t);
  const mark = r.passed.length === r.total ? '' : '  <--';
  process.stdout.write(`${folder.padEnd(40)} ${scope.padEnd(5)} ${String(r.passed.length).padStart(4)}/${r.total}${mark}\n`);
  if (verbose) for (const f of r.failed) process.stdout.write(`    ${f.c.key} [${f.c.note}]: ${f.detail.split('\n')[0]}\n`);
}
process.stdout.write('\n');
for (const [scope, [p, n]] of totals) process.stdout.write(`${scope.padEnd(6)} ${p}/${n} (${((100 * p) / n).toFixed(1)}%)\n`);
process.stdout.write(`skipped folders: ${Object.keys(SKIPPED_FOLDERS).length}\n`);
