/**
 * Evaluation state shared by the planned closures.
 *
 * - `EvalState`: one per evaluation (limits, clock, strict mode, print hook).
 * - `Ctx`: one per `with` scope (input, data overrides, function mocks, rule caches).
 * - `Frame`: one per rule body / function call / query (variable slots).
 *
 * A `Step` runs one planned literal and then its continuation; it returns true to stop the
 * enumeration (a solution was enough), false to let the caller backtrack into the next one.
 */
import type { BuiltinContext } from '../builtins/types.ts';
import { RegoError, type RegoErrorCode, type SourceLocation } from '../errors.ts';
import type { Callee } from '../compile/ir.ts';
import type { Loc } from '../syntax/ast.ts';
import type { Value } from '../value.ts';
import type { EvalMemo, ReadLog, RuleMemo } from './memo.ts';

export type Step = (f: Frame) => boolean;
export type PrintHook = (message: string, location: SourceLocation) => void;
export type Ev = (f: Frame) => Value | undefined;

export interface EvalLimits {
  readonly maxSteps: number;
  /** Absolute deadline (performance.now() milliseconds), Infinity for none. */
  readonly deadline: number;
  readonly timeoutMs: number;
}

/** What builtins see of an evaluation. Its scratch map is made when a builtin first asks for it (few do). */
class EvalBuiltinContext implements BuiltinContext {
  readonly strict: boolean;
  readonly nowNs: bigint;
  readonly volatile: (() => void) | undefined;
  #cache: Map<string, unknown> | null = null;

  constructor(strict: boolean, nowNs: bigint, volatile: (() => void) | undefined) {
    this.strict = strict;
    this.nowNs = nowNs;
    this.volatile = volatile;
  }

  get cache(): Map<string, unknown> {
    return (this.#cache ??= new Map());
  }
}

export class EvalState {
  steps = 0;
  readonly limits: EvalLimits;
  readonly strict: boolean;
  readonly builtinCtx: BuiltinContext;
  readonly print: PrintHook | null;
  /** Source lines by file, for error rendering. */
  readonly sources: ReadonlyMap<string, string>;

  constructor(limits: EvalLimits, strict: boolean, nowNs: bigint, print: PrintHook | null, sources: ReadonlyMap<string, string>, volatile?: () => void) {
    this.limits = limits;
    this.strict = strict;
    this.builtinCtx = new EvalBuiltinContext(strict, nowNs, volatile);
    this.print = print;
    this.sources = sources;
  }

  /** Counts one unit of work; throws when a limit is exceeded. */
  tick(): void {
    const n = ++this.steps;
    if (n > this.limits.maxSteps) {
      throw RegoError.of('eval_limit_error', `evaluation exceeded the step limit (${this.limits.maxSteps} steps)`);
    }
    if ((n & 1023) === 0 && performance.now() > this.limits.deadline) {
      throw RegoError.of('eval_limit_error', `evaluation timed out after ${this.limits.timeoutMs} ms`);
    }
  }
}

export interface Override {
  readonly path: readonly Value[];
  readonly value: Value;
}

export type Mock = { readonly kind: 'value'; readonly value: Value } | { readonly kind: 'callee'; readonly fn: Callee };

/** Marker for "computed, undefined" in the rule caches. */
export const NONE: unique symbol = Symbol('none');
/** Marker for "being computed" (guards against runtime cycles). */
export const BUSY: unique symbol = Symbol('busy');

export type CacheEntry = Value | typeof NONE | typeof BUSY | undefined;

export class Ctx {
  readonly state: EvalState;
  readonly input: Value | undefined;
  readonly overrides: readonly Override[] | null;
  readonly mocks: ReadonlyMap<string, Mock> | null;
  /** Node values by node id. */
  readonly values: CacheEntry[];
  /** Dynamic-rule contributions by rule id. */
  readonly dyn: (unknown[] | undefined)[];
  /**
   * Batch evaluation (reuse across inputs): set on the root context only; `with` scopes and
   * mocks evaluate plainly. The logs are the reads behind `values` (documents built from rules)
   * and `dyn`; `rules` holds the memos of the leaf rules in `values`.
   */
  readonly memo: EvalMemo | null;
  readonly logs: (ReadLog | undefined)[];
  readonly rules: (RuleMemo | undefined)[];
  readonly dynLogs: (ReadLog | undefined)[];

  /** `nodes`: the rule tree's node count, so that `values` and `rules` are allocated once, not grown. */
  constructor(
    state: EvalState,
    input: Value | undefined,
    overrides: readonly Override[] | null,
    mocks: ReadonlyMap<string, Mock> | null,
    memo: EvalMemo | null = null,
    nodes = 0,
  ) {
    this.state = state;
    this.input = input;
    this.overrides = overrides;
    this.mocks = mocks;
    this.dyn = [];
    this.memo = memo;
    if (memo === null) {
      this.values = new Array<CacheEntry>(nodes);
      this.rules = NO_RULES;
    } else {
      // A batch's evaluations run one after another: they take turns with the same two arrays.
      const [values, rules] = memo.scratch(nodes);
      this.values = values as CacheEntry[];
      this.rules = rules as (RuleMemo | undefined)[];
    }
    this.logs = memo === null ? NO_LOGS : [];
    this.dynLogs = memo === null ? NO_LOGS : [];
  }
}

/** Contexts without a batch never write their logs. */
const NO_LOGS = Object.freeze([]) as unknown as (ReadLog | undefined)[];
const NO_RULES = Object.freeze([]) as unknown as (RuleMemo | undefined)[];

export class Frame {
  readonly slots: (Value | undefined)[];
  /** Evaluator scratch (comprehension builders, saved contexts), by index. */
  readonly aux: unknown[];
  ctx: Ctx;
  /** Function arguments (function frames). */
  args: readonly Value[] | null = null;
  /** The consumer of solutions (rule accumulators, query rows). */
  acc: unknown = null;

  constructor(nslots: number, naux: number, ctx: Ctx) {
    this.slots = new Array<Value | undefined>(nslots);
    this.aux = naux === 0 ? EMPTY_AUX : new Array<unknown>(naux);
    this.ctx = ctx;
  }
}

const EMPTY_AUX: unknown[] = [];

export function evalError(state: EvalState, code: RegoErrorCode, message: string, loc: Loc | null): RegoError {
  if (loc === null) return RegoError.of(code, message);
  const src = state.sources.get(loc.file);
  let line: string | undefined;
  if (src !== undefined) {
    const s = src.lastIndexOf('\n', loc.offset - 1) + 1;
    let e = src.indexOf('\n', loc.offset);
    if (e < 0) e = src.length;
    line = src.slice(s, e).replace(/\r$/, '');
  }
  return RegoError.of(code, message, { file: loc.file, row: loc.row, col: loc.col }, line);
}
