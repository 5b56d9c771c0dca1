/**
 * The public entry points: compile modules (+ base data) once, then evaluate refs and queries
 * many times. Evaluation never performs I/O; `print` output goes to an optional hook.
 */
import { BUILTINS } from './builtins/index.ts';
import type { BuiltinTable } from './builtins/types.ts';
import { compileTree, type CompiledTree, toRegoError } from './compile/compiler.ts';
import type { ITerm } from './compile/ir.ts';
import { litVars } from './compile/ir.ts';
import { Resolver } from './compile/resolve.ts';
import { CompileFailure, FrameLayout, RuleScopes, Scope } from './compile/scope.ts';
import { UnsafeVars } from './compile/safety.ts';
import { RegoError, type SourceLocation } from './errors.ts';
import type { PlanFrame } from './eval/plan-terms.ts';
import { EvalMemo } from './eval/memo.ts';
import { batchRuleValue } from './eval/rules.ts';
import { withUnavailable } from './eval/unavailable.ts';
import { Ctx, type Ev, EvalState, Frame, type PrintHook, type Step } from './eval/runtime.ts';
import type { Module } from './syntax/ast.ts';
import { DEFAULT_PARSER_LIMITS, parseModule, parseQuery, parseTermText } from './syntax/parser.ts';
import { fromJSON, RObject, settle, type Value } from './value.ts';

export interface RegoModule {
  readonly path: string;
  readonly source: string;
}

export interface CompileOptions {
  /** The base document (JSON), mounted at `data`. */
  readonly data?: unknown;
  readonly builtins?: BuiltinTable;
  readonly limits?: { readonly maxModuleBytes?: number };
  /** Enables the experimental `and` / `or` keywords. */
  readonly experimentalKeywords?: boolean;
}

export interface EvalOptions {
  /** The input document: JSON, or a Value. Undefined leaves `input` undefined. */
  readonly input?: unknown;
  readonly strictBuiltinErrors?: boolean;
  /** Maximum evaluation steps (iterations, rule and function evaluations). */
  readonly maxSteps?: number;
  readonly timeoutMs?: number;
  /** The clock for time builtins (ns since the epoch); defaults to now. */
  readonly nowNs?: bigint;
  /** Receives `print(…)` output. */
  readonly print?: PrintHook;
  /**
   * Reuse across a run of similar inputs (see `CompiledPolicy.batch`). Ignored with a print
   * hook, and for an input that is not a JSON object.
   */
  readonly batch?: EvalBatch;
}

/**
 * What a run of evaluations of one policy share: rule values and rule branches kept with the
 * input reads and the rule values behind them, reused while those give the same answers.
 * Results are the same as evaluating each input alone. Keep one per run of related inputs (one
 * package's versions) and drop it afterwards; it is tied to one clock (`nowNs`) and strictness
 * and starts afresh when either changes, so give `nowNs` explicitly.
 */
export interface EvalBatch {
  /** Rule values and branches reused so far (the rules checked to reuse one count too). */
  readonly reused: number;
  /** Rule values computed so far (with their logs, for reuse). */
  readonly computed: number;
}

export interface QueryExpression {
  readonly value: Value;
  readonly text: string;
  readonly location: SourceLocation;
}

export interface QueryResult {
  /** Variables of the query (wildcards and generated variables omitted). */
  readonly bindings: Readonly<Record<string, Value>>;
  readonly expressions: readonly QueryExpression[];
}

export interface TestRule {
  readonly ref: string;
  readonly location: SourceLocation;
}

export interface CompiledPolicy {
  /** Value of a ref such as `data.airlock.deny`; undefined when undefined. */
  evaluate(ref: string, options?: EvalOptions): Value | undefined;
  /**
   * Values of several refs in one evaluation: rules they share are evaluated once and the
   * input is converted once (e.g. `deny`, `quarantine` and `warn` of one decision).
   */
  evaluateAll(refs: readonly string[], options?: EvalOptions): (Value | undefined)[];
  /** A batch for evaluating this policy against a run of similar inputs (`EvalOptions.batch`). */
  batch(): EvalBatch;
  /** A query body, like `opa eval` (bindings per row). */
  query(query: string, options?: EvalOptions): QueryResult[];
  /** Rules whose name starts with `test_` (for `policy test`). */
  tests(): readonly TestRule[];
}

const DEFAULT_MAX_STEPS = 100_000_000;
const DEFAULT_BUILTINS = withUnavailable(BUILTINS);

interface PreparedRef {
  readonly ev: Ev;
  readonly nslots: number;
  readonly naux: number;
}

interface PreparedQuery {
  readonly entry: Step;
  readonly nslots: number;
  readonly naux: number;
  readonly vars: readonly { readonly name: string; readonly slot: number }[];
  readonly exprs: readonly { readonly ev: Ev | null; readonly text: string; readonly location: SourceLocation }[];
  /** The modules' sources plus the query text (for error carets). */
  readonly sources: ReadonlyMap<string, string>;
}

interface QueryAcc {
  readonly rows: QueryResult[];
}

function queryContext(c: CompiledTree): ConstructorParameters<typeof Resolver>[0] {
  return {
    module: null,
    pkg: [],
    ruleRoots: new Set(),
    imports: new Map(),
    tree: c.tree,
    builtins: c.builtins,
    metadata: (rule, which) => c.metadata.value(rule, which),
  };
}

function rethrowCompile(e: unknown, c: CompiledTree, extra: ReadonlyMap<string, string>): never {
  const sources = new Map([...c.sources, ...extra]);
  if (e instanceof CompileFailure) throw toRegoError([e], sources);
  if (e instanceof UnsafeVars) throw toRegoError(e.errors, sources);
  throw e;
}

class Policy implements CompiledPolicy {
  private readonly c: CompiledTree;
  private readonly refs = new Map<string, PreparedRef>();
  private readonly queries = new Map<string, PreparedQuery>();
  private readonly experimental: boolean;

  constructor(c: CompiledTree, experimental: boolean) {
    this.c = c;
    this.experimental = experimental;
  }

  /** Must be called inside run(): converting a hostile input may exceed limits. */
  private state(o: EvalOptions | undefined, sources: ReadonlyMap<string, string> = this.c.sources): { state: EvalState; ctx: Ctx } {
    const timeout = o?.timeoutMs ?? Infinity;
    const limits = {
      maxSteps: o?.maxSteps ?? DEFAULT_MAX_STEPS,
      deadline: timeout === Infinity ? Infinity : performance.now() + timeout,
      timeoutMs: timeout,
    };
    const nowNs = o?.nowNs ?? BigInt(Date.now()) * 1_000_000n;
    const strict = o?.strictBuiltinErrors ?? false;
    const print = o?.print ?? null;
    const memo = o?.batch instanceof EvalMemo && print === null ? o.batch : null;
    if (memo !== null && memo.begin(this.c, strict, nowNs, o?.input)) {
      const state = new EvalState(limits, strict, nowNs, print, sources, memo.onVolatile);
      const ctx = new Ctx(state, memo.track(o?.input as Readonly<Record<string, unknown>>), null, null, memo, this.c.tree.nodes.length);
      memo.attach(batchRuleValue(ctx, memo));
      return { state, ctx };
    }
    const state = new EvalState(limits, strict, nowNs, print, sources);
    const input = o === undefined || o.input === undefined ? undefined : fromJSON(o.input);
    return { state, ctx: new Ctx(state, input, null, null, null, this.c.tree.nodes.length) };
  }

  private run<R>(f: () => R, batch?: EvalBatch): R {
    try {
      return f();
    } catch (e) {
      if (e instanceof RangeError && /call stack/i.test(e.message)) {
        throw RegoError.of('eval_limit_error', 'evaluation exceeded the maximum nesting depth (input or data too deeply nested, or rules too deeply chained)');
      }
      if (e instanceof TypeError && /is not a JSON value/.test(e.message)) {
        throw RegoError.of('eval_type_error', `invalid input document: ${e.message}`);
      }
      throw e;
    } finally {
      if (batch instanceof EvalMemo) batch.end();
    }
  }

  batch(): EvalBatch {
    return new EvalMemo();
  }

  private prepareRef(ref: string): PreparedRef {
    const cached = this.refs.get(ref);
    if (cached !== undefined) return cached;
    const term = parseTermText(ref, { file: 'ref' });
    const layout = new FrameLayout();
    const resolver = new Resolver(queryContext(this.c), new RuleScopes(layout), null);
    let ir: ITerm;
    try {
      ir = resolver.term(term, new Scope(null));
    } catch (e) {
      rethrowCompile(e, this.c, new Map([['ref', ref]]));
    }
    if (layout.nslots > 0) {
      throw RegoError.of('rego_compile_error', `evaluate: ${ref} is not a ground reference (use query() for variables)`);
    }
    const pf: PlanFrame = { layout, naux: 0 };
    let ev: Ev;
    try {
      ev = this.c.planner.ev(ir, new Set(), pf);
    } catch (e) {
      rethrowCompile(e, this.c, new Map([['ref', ref]]));
    }
    const p = { ev, nslots: layout.nslots, naux: pf.naux };
    if (this.refs.size > 1000) this.refs.clear();
    this.refs.set(ref, p);
    return p;
  }

  evaluate(ref: string, options?: EvalOptions): Value | undefined {
    const p = this.prepareRef(ref);
    const v = this.run(() => p.ev(new Frame(p.nslots, p.naux, this.state(options).ctx)), options?.batch);
    return v === undefined ? undefined : settle(v);
  }

  evaluateAll(refs: readonly string[], options?: EvalOptions): (Value | undefined)[] {
    const prepared = refs.map((r) => this.prepareRef(r));
    return this.run(() => {
      const ctx = this.state(options).ctx;
      return prepared.map((p) => {
        const v = p.ev(new Frame(p.nslots, p.naux, ctx));
        return v === undefined ? undefined : settle(v);
      });
    }, options?.batch);
  }

  private prepareQuery(q: string): PreparedQuery {
    const cached = this.queries.get(q);
    if (cached !== undefined) return cached;
    const body = parseQuery(q, { file: 'query', experimental: this.experimental });
    const layout = new FrameLayout();
    const resolver = new Resolver(queryContext(this.c), new RuleScopes(layout), null);
    const scope = new Scope(null);
    const pf: PlanFrame = { layout, naux: 0 };
    let prepared: PreparedQuery;
    try {
      const lits = resolver.body(body, scope);
      const seen = new Map<string, number>();
      for (const l of lits) {
        litVars(l, (v) => {
          if (!v.name.startsWith('$') && !v.name.startsWith('__') && !seen.has(v.name)) seen.set(v.name, v.slot);
        });
      }
      const vars = [...seen].map(([name, slot]) => ({ name, slot }));
      const exprs: { ev: Ev | null; text: string; location: SourceLocation }[] = [];
      const entry = this.c.planner.planBody(lits, new Set(), pf, (after) => {
        body.forEach((e, i) => {
          const l = lits[i];
          const text = q.slice(e.loc.offset, e.loc.end);
          const location = { file: e.loc.file, row: e.loc.row, col: e.loc.col };
          const ev = l !== undefined && !l.negated && l.withs.length === 0 && l.body.k === 'term' ? this.c.planner.ev(l.body.term, after, pf) : null;
          exprs.push({ ev, text, location });
        });
        return (f) => {
          const bindings: Record<string, Value> = Object.create(null) as Record<string, Value>;
          for (const { name, slot } of vars) {
            const v = f.slots[slot];
            if (v !== undefined) bindings[name] = v;
          }
          const expressions = exprs.map((x) => ({ value: x.ev === null ? true : (x.ev(f) ?? true), text: x.text, location: x.location }));
          (f.acc as QueryAcc).rows.push({ bindings, expressions });
          return false;
        };
      });
      prepared = { entry, nslots: layout.nslots, naux: pf.naux, vars, exprs, sources: new Map([...this.c.sources, ['query', q]]) };
    } catch (e) {
      rethrowCompile(e, this.c, new Map([['query', q]]));
    }
    if (this.queries.size > 1000) this.queries.clear();
    this.queries.set(q, prepared);
    return prepared;
  }

  query(query: string, options?: EvalOptions): QueryResult[] {
    const p = this.prepareQuery(query);
    const acc: QueryAcc = { rows: [] };
    this.run(() => {
      const f = new Frame(p.nslots, p.naux, this.state(options, p.sources).ctx);
      f.acc = acc;
      return p.entry(f);
    }, options?.batch);
    for (const r of acc.rows) {
      for (const v of Object.values(r.bindings)) settle(v);
      for (const e of r.expressions) settle(e.value);
    }
    return acc.rows;
  }

  tests(): readonly TestRule[] {
    const out: TestRule[] = [];
    const seen = new Set<string>();
    for (const r of this.c.tree.rules) {
      const last = r.node.path[r.node.path.length - 1];
      if (r.kind === 'function' || r.kind === 'dynamic' || typeof last !== 'string' || !last.startsWith('test_')) continue;
      const ref = r.node.pathText;
      if (seen.has(ref)) continue;
      seen.add(ref);
      out.push({ ref, location: { file: r.rule.loc.file, row: r.rule.loc.row, col: r.rule.loc.col } });
    }
    return out;
  }
}

/** Compiles modules (and base data) into a policy that can be evaluated many times. Throws RegoError. */
export function compile(modules: readonly RegoModule[], options?: CompileOptions): CompiledPolicy {
  const limits = { ...DEFAULT_PARSER_LIMITS, ...(options?.limits?.maxModuleBytes === undefined ? {} : { maxModuleBytes: options.limits.maxModuleBytes }) };
  const experimental = options?.experimentalKeywords ?? false;
  const parsed: Module[] = [];
  const errors: RegoError[] = [];
  for (const m of modules) {
    try {
      parsed.push(parseModule(m.path, m.source, { limits, experimental }));
    } catch (e) {
      if (e instanceof RegoError) errors.push(e);
      else throw e;
    }
  }
  if (errors.length > 0) throw new RegoError(errors.flatMap((e) => e.errors));
  let base: Value;
  try {
    base = options?.data === undefined ? new RObject() : fromJSON(options.data);
  } catch (e) {
    throw RegoError.of('rego_compile_error', `invalid data document: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!(base instanceof RObject)) throw RegoError.of('rego_compile_error', 'the data document must be an object');
  const tree = compileTree(parsed, base, options?.builtins ?? DEFAULT_BUILTINS);
  return new Policy(tree, experimental);
}
