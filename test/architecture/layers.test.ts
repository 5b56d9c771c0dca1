/**
 * The module layering of ARCHITECTURE.md, enforced: every non-test source file under src/ may
 * import only the folders its layer allows. `storage/ports` is the storage *interface*; only the
 * composition root (`app/`) may reach the drivers. Type-only imports count too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const SRC = resolve(import.meta.dirname, '..', '..', 'src');

/** Folder → folders it may import (besides itself). `storage/ports` is listed separately from `storage`. */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  core: [],
  rego: ['core'],
  scan: ['core'],
  verify: ['core'],
  signals: ['core', 'storage/ports'],
  policy: ['rego', 'core', 'storage/ports'],
  gate: ['policy', 'signals', 'scan', 'verify', 'storage/ports', 'core'],
  storage: ['core'],
  upstream: ['core'],
  ecosystems: ['gate', 'upstream', 'storage/ports', 'scan', 'verify', 'signals', 'core'],
  api: ['gate', 'policy', 'storage/ports', 'core'],
  web: ['core'],
  app: ['*'],
  cli: ['app', 'api', 'gate', 'policy', 'rego', 'scan', 'verify', 'signals', 'storage/ports', 'core'],
};

function layerOf(file: string): string {
  const rel = relative(SRC, file).split(sep);
  if (rel[0] === 'storage' && rel[1] === 'ports') return 'storage/ports';
  return rel[0] ?? '';
}

function walk(dir: string, out: string[]): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, e.name);
    if (e.isDirectory()) walk(full, out);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !full.includes(`${sep}test-support${sep}`) && !full.includes(`${sep}conformance${sep}`)) out.push(full);
  }
}

const IMPORT_RE = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;

test('source folders import only what their layer allows', () => {
  const files: string[] = [];
  walk(SRC, files);
  const violations: string[] = [];
  for (const file of files) {
    const from = layerOf(file);
    const allowed = ALLOWED[from === 'storage/ports' ? 'storage' : from];
    if (allowed === undefined || allowed.includes('*')) continue;
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(IMPORT_RE)) {
      const spec = m[1] ?? m[2];
      if (spec === undefined) continue;
      const target = resolve(dirname(file), spec);
      if (!target.startsWith(SRC + sep)) {
        violations.push(`${relative(SRC, file)} imports ${spec} (outside src/)`);
        continue;
      }
      const to = layerOf(target);
      const same = to === from || (from === 'storage/ports' && to === 'storage') || (from === 'storage' && to === 'storage/ports');
      if (same || allowed.includes(to)) continue;
      violations.push(`${relative(SRC, file)} (${from}) imports ${relative(SRC, target)} (${to})`);
    }
  }
  assert.deepEqual(violations, [], `layering violations:\n${violations.join('\n')}`);
});
