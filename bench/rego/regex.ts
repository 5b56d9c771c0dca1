/**
 * `npm run bench:regex`: the policy engine's regular expressions on the linear-time matcher
 * (`src/rego/builtins/re2-vm.ts`) next to V8 running the same translated pattern by
 * backtracking (what every pattern ran on before), in one process:
 *   1. typical checks: patterns a policy writes about package metadata, on the workload's
 *      package names (from `../shared/bench/npm-workload`), in µs per call, each engine;
 *   2. a hostile input: `^([a-z0-9]{1,63}-?)+$` on n letters and a `!`. The matcher's time
 *      grows with n; V8's backtracking grows exponentially, and is stopped after the first n
 *      that takes it over a second.
 * Options: --seconds S per typical measurement (default 1).
 */
import { parseArgs } from 'node:util';
import { emitJs, parseRe2 } from '../../src/rego/builtins/re2.ts';
import { compileRe2Program } from '../../src/rego/builtins/re2-vm.ts';
import { lockedPackages } from '../npm/workload.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '1' } } });
const SECONDS = Number(values.seconds);

interface Engine {
  readonly label: string;
  test(s: string): boolean;
}

function engines(pattern: string): { vm: Engine; v8: Engine; size: number } {
  const syntax = parseRe2(pattern);
  const program = compileRe2Program(syntax, pattern);
  const re = new RegExp(emitJs(syntax.node, syntax.unicode), syntax.unicode ? 'u' : '');
  return { vm: { label: 'matcher', test: (s) => program.test(s) }, v8: { label: 'V8', test: (s) => re.test(s) }, size: program.size };
}

/** Microseconds per call over `inputs`, repeated for about SECONDS. */
function perCall(e: Engine, inputs: readonly string[]): { us: number; matched: number } {
  let calls = 0;
  let matched = 0;
  const started = performance.now();
  while (performance.now() - started < SECONDS * 1000) {
    for (const s of inputs) if (e.test(s)) matched++;
    calls += inputs.length;
  }
  return { us: ((performance.now() - started) * 1000) / calls, matched: matched / (calls / inputs.length) };
}

function timeOne(e: Engine, s: string): number {
  const started = performance.now();
  e.test(s);
  return performance.now() - started;
}

const TYPICAL: readonly [string, string][] = [
  ['npm name, length 1-214', '^(?:@[a-z0-9-~][a-z0-9-._~]*/)?[a-z0-9-~][a-z0-9-._~]{0,213}$'],
  ['npm name, unbounded', '^(?:@[a-z0-9-~][a-z0-9-._~]*/)?[a-z0-9-~][a-z0-9-._~]*$'],
  ['letters, Unicode class', '^[\\pL\\pN@/._-]+$'],
  ['internal scope, any case', '(?i)^@(acme|acme-internal)/'],
];

function main(): void {
  const names = [...new Set(lockedPackages().map((p) => p.name))];
  const out: string[] = [];
  out.push(`typical checks: the workload's ${names.length} package names, µs per call (over ${SECONDS} s each)`);
  out.push(`  ${'pattern'.padEnd(28)} ${'matcher'.padStart(9)} ${'V8'.padStart(9)}   matched   program`);
  for (const [label, pattern] of TYPICAL) {
    const { vm, v8, size } = engines(pattern);
    const a = perCall(vm, names);
    const b = perCall(v8, names);
    if (a.matched !== b.matched) throw new Error(`${label}: the engines disagree (${a.matched} against ${b.matched} names)`);
    out.push(`  ${label.padEnd(28)} ${a.us.toFixed(2).padStart(9)} ${b.us.toFixed(2).padStart(9)}   ${String(a.matched).padStart(7)}   ${size} instructions`);
  }
  const hostile = '^([a-z0-9]{1,63}-?)+$';
  const { vm, v8 } = engines(hostile);
  out.push(`hostile input: ${hostile} on n letters and "!", ms for one call`);
  for (const n of [1_000, 4_000, 16_000]) out.push(`  matcher  n=${String(n).padStart(6)}  ${timeOne(vm, `${'a'.repeat(n)}!`).toFixed(1)} ms`);
  for (let n = 14; n <= 40; n += 2) {
    const ms = timeOne(v8, `${'a'.repeat(n)}!`);
    out.push(`  V8       n=${String(n).padStart(6)}  ${ms.toFixed(1)} ms`);
    if (ms > 1000) {
      out.push('  (V8 stopped here: each 2 more letters multiply its time)');
      break;
    }
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

main();
