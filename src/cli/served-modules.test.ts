/**
 * The compile cache's fill loads what the server loads: every module the server's own code
 * imports on demand (`import('./x.ts')`) is on the fill's list, so a server started on a cold
 * cache never strips a module itself (which loads the stripper for the life of the process).
 * The server's code is found by following its static imports from its command.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SERVED_MODULES, WORKER_ENTRY_MODULE } from './served-modules.ts';

/** Imports named at run time, by the file that makes them, and what they load. */
const COMPUTED: ReadonlyMap<string, string> = new Map([
  // The scan pool's workers boot from code that imports their entry (workerBoot).
  [fileURLToPath(new URL('../scan/worker/pool.ts', import.meta.url)), WORKER_ENTRY_MODULE],
]);

/** Source without comments (a comment may show `import('./x')` as an example). */
function code(file: string): string {
  return readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

/** Relative modules a file loads when it loads: its static imports and re-exports, not those of types only (erased). */
function staticImports(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(/^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s*)?['"](\.{1,2}\/[^'"]+)['"]/gm)) {
    if (m[2] === undefined) out.push(m[3] as string);
  }
  return out;
}

/** What `import(...)` names in a file: literal specifiers, and whether any is not a literal. */
function dynamicImports(source: string): { literal: string[]; computed: boolean } {
  const literal = [...source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] as string);
  const computed = /\bimport\(\s*[^'"\s)]/.test(source);
  return { literal, computed };
}

/**
 * The modules loading `roots` loads: their static imports, transitively, and with `onDemand` also
 * what they import on demand (COMPUTED's too). Throws on an import named at run time that
 * COMPUTED does not name (nobody could list it).
 */
function closure(roots: readonly string[], onDemand: boolean): Map<string, string> {
  const reached = new Map<string, string>(roots.map((r) => [r, '(root)']));
  const queue = [...roots];
  while (queue.length > 0) {
    const url = queue.pop() as string;
    const file = fileURLToPath(url);
    const source = code(file);
    const next = staticImports(source);
    const dynamic = dynamicImports(source);
    assert.ok(!dynamic.computed || COMPUTED.has(file), `${file} imports a module named at run time: the fill cannot know it`);
    if (onDemand) {
      next.push(...dynamic.literal.filter((spec) => spec.startsWith('.')));
      const computed = COMPUTED.get(file);
      if (computed !== undefined) next.push(computed);
      // A package (npm-high-impact): its entry, not followed further.
      for (const spec of dynamic.literal.filter((spec) => !spec.startsWith('.') && !spec.startsWith('node:'))) reached.set(import.meta.resolve(spec), file);
    }
    for (const spec of next) {
      const target = new URL(spec, url).href;
      if (reached.has(target)) continue;
      reached.set(target, file);
      queue.push(target);
    }
  }
  return reached;
}

const SERVE = new URL('./commands/serve.ts', import.meta.url).href;

test('every module the server may load, on demand too, is one the compile cache fill loads', () => {
  const server = closure([SERVE], true);
  const filled = closure([...SERVED_MODULES, WORKER_ENTRY_MODULE], false);
  assert.ok(server.has(WORKER_ENTRY_MODULE), 'the walk follows the scan pool to its workers\' entry');
  assert.ok(server.size > 100, `the walk found the server's modules (${server.size})`);
  const missing = [...server].filter(([url]) => !filled.has(url)).map(([url, from]) => `${fileURLToPath(url)} (imported by ${from})`);
  assert.deepEqual(missing, [], 'add what imports these on demand to src/cli/served-modules.ts');
  // The on-demand imports are what the list is for: without them the fill would miss modules.
  const withoutOnDemand = closure(SERVED_MODULES.filter((url) => url.endsWith('/main.ts') || url.endsWith('/serve.ts')), false);
  assert.ok([...server.keys()].some((url) => !withoutOnDemand.has(url)), 'the server loads modules on demand that only the list brings in');
});

test('every module on the list exists, and the worker entry the fill loads', () => {
  for (const url of SERVED_MODULES) assert.ok(existsSync(fileURLToPath(url)), url);
  assert.ok(SERVED_MODULES.includes(SERVE));
  assert.ok(existsSync(fileURLToPath(WORKER_ENTRY_MODULE)));
});
