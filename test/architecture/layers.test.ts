/**
 * The module seams of ARCHITECTURE.md, enforced: a layer that imports what it must not
 * fails the build. `ports` is `src/storage/ports` (the interfaces), apart from the drivers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const SRC = resolve(import.meta.dirname, '../../src');

/** Which of our modules each module may import (itself always allowed). */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  core: [],
  rego: ['core'],
  scan: ['core'],
  verify: ['core'],
  ports: ['core'],
  storage: ['core', 'ports'],
  upstream: ['core'],
  signals: ['core', 'ports'],
  policy: ['core', 'rego', 'ports'],
  gate: ['core', 'ports', 'policy', 'signals', 'scan', 'verify'],
  // Adapters check their protocol's signatures with the verification library (npm attestations),
  // and read the archives they serve with the scanner library (wheels and sdists).
  ecosystems: ['core', 'ports', 'gate', 'upstream', 'verify', 'scan'],
  // Delivers the audit trail's events to receivers over HTTP (the upstream module's transport).
  webhooks: ['core', 'ports', 'upstream'],
  // The admin API also serves the loaded policy (GET /-/api/policy) and the webhooks' delivery, and
  // checks the OIDC ID tokens it exchanges for Airlock tokens with the verification library (JWTs).
  api: ['core', 'ports', 'gate', 'policy', 'webhooks', 'verify'],
  cli: ['core', 'ports', 'app', 'gate', 'rego', 'scan', 'verify', 'signals', 'policy', 'storage', 'api'],
  app: ['*'],
  web: [],
};

function moduleOf(file: string): string | null {
  const rel = relative(SRC, file).split(sep);
  if (rel[0] === '..' || rel.length < 2) return null;
  if (rel[0] === 'storage' && rel[1] === 'ports') return 'ports';
  return rel[0] ?? null;
}

function* sourceFiles(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, e.name);
    if (e.isDirectory()) yield* sourceFiles(full);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) yield full;
  }
}

const IMPORT_RE = /(?:^|[^.\w])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

test('modules import only what ARCHITECTURE.md allows', () => {
  const violations: string[] = [];
  for (const file of sourceFiles(SRC)) {
    const from = moduleOf(file);
    if (from === null) continue;
    const allowed = ALLOWED[from];
    assert.ok(allowed !== undefined, `module ${from} is not in the architecture table (add it deliberately)`);
    if (allowed.includes('*')) continue;
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(IMPORT_RE)) {
      const spec = m[1] ?? m[2];
      if (spec === undefined || !spec.startsWith('.')) continue;
      const to = moduleOf(resolve(dirname(file), spec));
      if (to === null || to === from || allowed.includes(to)) continue;
      violations.push(`${relative(SRC, file)} (${from}) imports ${spec} (${to})`);
    }
  }
  assert.deepEqual(violations, [], `layering violations:\n${violations.join('\n')}`);
});

test('libraries do no network I/O and no logging', () => {
  const offenders: string[] = [];
  for (const lib of ['rego', 'scan', 'verify']) {
    let files: Generator<string>;
    try {
      readdirSync(join(SRC, lib));
      files = sourceFiles(join(SRC, lib));
    } catch {
      continue;
    }
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const banned of ["'node:http'", "'node:https'", "'node:net'", "'node:dgram'", "'node:dns'", "'undici'", "'pino'", "'fastify'"]) {
        if (text.includes(`from ${banned}`) || text.includes(`import(${banned})`)) offenders.push(`${relative(SRC, file)}: ${banned}`);
      }
      if (/\bconsole\.(log|error|warn|info|debug)\(/.test(text)) offenders.push(`${relative(SRC, file)}: console`);
      if (/\bfetch\(/.test(text)) offenders.push(`${relative(SRC, file)}: fetch`);
    }
  }
  assert.deepEqual(offenders, []);
});
