/**
 * The whole test suite: the type check (`tsc -p .`, strict), then unit tests beside the modules
 * (`src/**\/*.test.ts`) and the integration, conformance and real-client tests under `test/`.
 * Files run in parallel (node:test runs each file in its own process). Pass paths or folders to
 * run a subset, without the type check.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');

function collect(dir: string, out: string[]): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) collect(full, out);
    else if (entry.name.endsWith('.test.ts')) out.push(full);
  }
}

const targets = process.argv.slice(2);
const files: string[] = [];
for (const t of targets.length > 0 ? targets : ['src', 'test']) {
  const full = join(root, t);
  if (statSync(full, { throwIfNoEntry: false })?.isDirectory()) collect(full, files);
  else if (statSync(full, { throwIfNoEntry: false })?.isFile()) files.push(full);
}
files.sort();
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
if (targets.length === 0) {
  // Node runs the code with its types stripped, unchecked: a type error would pass every test.
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], { cwd: root, stdio: 'inherit' });
  if (tsc.status !== 0) {
    console.error('type check failed (tsc -p .)');
    process.exit(tsc.status ?? 1);
  }
}
const concurrency = Math.max(2, availableParallelism());
const result = spawnSync(
  process.execPath,
  ['--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files.map((f) => relative(root, f))],
  { cwd: root, stdio: 'inherit' },
);
process.exit(result.status ?? 1);
