/**
 * Name resolution: AST → IR. Declared variables get scoped slots, undeclared ones share a
 * rule-wide slot, rule names and import aliases become `data`/`input` refs, call operators
 * resolve to a builtin, an evaluator intrinsic or a function node.
 */
import type { BuiltinTable } from '../builtins/types.ts';
import type { Body, Expr, Loc, Module, Rule, Term, VarTerm, RefTerm } from '../syntax/ast.ts';
import { opName } from '../syntax/ast.ts';
import { RObject, RSet, type Value } from '../value.ts';
import type { Callee, ICompr, IConst, ILit, ILitBody, IRef, ITerm, IVar, IWith } from './ir.ts';
import { INTRINSICS } from './ir.ts';
import type { RuleTree, TreeNode } from './rule-tree.ts';
import { CompileFailure, RuleScopes, Scope } from './scope.ts';
import { resolveWith } from './resolve-with.ts';

type PrimKey = null | boolean | number | string;

export interface ImportTarget {
  readonly head: 'data' | 'input';
  readonly path: readonly PrimKey[];
}

export interface ModuleContext {
  readonly module: Module | null;
  readonly pkg: readonly PrimKey[];
  /** First names of rule refs in the package (across all its modules). */
  readonly ruleRoots: ReadonlySet<string>;
  readonly imports: ReadonlyMap<string, ImportTarget>;
  readonly tree: RuleTree;
  readonly builtins: BuiltinTable;
  /** Value of `rego.metadata.chain()` / `rego.metadata.rule()` inside `rule`. */
  readonly metadata: (rule: Rule | null, which: 'chain' | 'rule') => Value;
}

const VARIADIC = new Set(['print', 'internal.print']);
export const INTRINSIC_ARITY: Readonly<Record<string, number>> = {
  print: -1,
  'internal.print': -1,
  'internal.member_2': 2,
  'internal.member_3': 3,
  trace: 1,
  'opa.runtime': 0,
  'rego.metadata.chain': 0,
  'rego.metadata.rule': 0,
};

function isConst(t: ITerm): t is IConst {
  return t.t === 'const';
}

export class Resolver {
  readonly ctx: ModuleContext;
  readonly scopes: RuleScopes;
  readonly rule: Rule | null;

  constructor(ctx: ModuleContext, scopes: RuleScopes, rule: Rule | null) {
    this.ctx = ctx;
    this.scopes = scopes;
    this.rule = rule;
  }

  private fail(code: CompileFailure['code'], message: string, loc: Loc): never {
    throw new CompileFailure(code, message, loc);
  }

  // ---- global names -------------------------------------------------------------------------

  /** A global name's target: an import alias, `data`/`input`, or a rule of the package. */
  globalTarget(name: string): ImportTarget | null {
    const imp = this.ctx.imports.get(name);
    if (imp !== undefined) return imp;
    if (name === 'data') return { head: 'data', path: [] };
    if (name === 'input') return { head: 'input', path: [] };
    if (this.ctx.ruleRoots.has(name)) return { head: 'data', path: [...this.ctx.pkg, name] };
    return null;
  }

  private globalRef(target: ImportTarget, loc: Loc, rest: readonly ITerm[] = []): IRef {
    const path: ITerm[] = target.path.map((k): IConst => ({ t: 'const', v: k, loc }));
    return { t: 'ref', head: target.head, path: [...path, ...rest], loc };
  }

  resolveVar(v: VarTerm, scope: Scope): ITerm {
    const local = scope.lookup(v.name);
    if (local !== undefined) return { ...local, loc: v.loc };
    if (v.name.startsWith('$')) return this.scopes.layout.alloc(v.name, v.loc);
    const implicit = this.scopes.implicit.get(v.name);
    if (implicit !== undefined) return { ...implicit, loc: v.loc };
    const g = this.globalTarget(v.name);
    if (g !== null) return this.globalRef(g, v.loc);
    scope.used.add(v.name);
    return this.scopes.implicitVar(v.name, v.loc);
  }

  // ---- terms --------------------------------------------------------------------------------

  term(t: Term, scope: Scope): ITerm {
    switch (t.type) {
      case 'scalar':
        return { t: 'const', v: t.value, loc: t.loc };
      case 'var':
        return this.resolveVar(t, scope);
      case 'ref':
        return this.ref(t, scope);
      case 'array': {
        const items = t.items.map((x) => this.term(x, scope));
        if (items.every(isConst)) return { t: 'const', v: items.map((x) => x.v), loc: t.loc };
        return { t: 'array', items, loc: t.loc };
      }
      case 'set': {
        const items = t.items.map((x) => this.term(x, scope));
        if (items.every(isConst)) return { t: 'const', v: RSet.of(items.map((x) => x.v)), loc: t.loc };
        return { t: 'set', items, loc: t.loc };
      }
      case 'object': {
        const keys = t.entries.map(([k]) => this.term(k, scope));
        const values = t.entries.map(([, v]) => this.term(v, scope));
        if (keys.every(isConst) && values.every(isConst)) {
          const o = new RObject();
          keys.forEach((k, i) => o.set(k.v, (values[i] as IConst).v));
          return { t: 'const', v: o, loc: t.loc };
        }
        return { t: 'object', keys, values, loc: t.loc };
      }
      case 'arraycompr':
      case 'setcompr': {
        const inner = new Scope(scope);
        const body = this.body(t.body, inner);
        const value = this.term(t.head, inner);
        return { t: 'compr', kind: t.type === 'arraycompr' ? 'array' : 'set', key: null, value, body, loc: t.loc };
      }
      case 'objectcompr': {
        const inner = new Scope(scope);
        const body = this.body(t.body, inner);
        const key = this.term(t.key, inner);
        const value = this.term(t.value, inner);
        return { t: 'compr', kind: 'object', key, value, body, loc: t.loc };
      }
      case 'call':
        return this.callTerm(t.op, t.args, t.loc, scope);
      case 'template': {
        const parts: (string | ICompr)[] = [];
        for (const p of t.parts) {
          if (typeof p === 'string') parts.push(p);
          else parts.push(this.templatePart(p, scope));
        }
        return { t: 'template', parts, loc: t.loc };
      }
    }
  }

  private templatePart(e: Expr, scope: Scope): ICompr {
    const inner = new Scope(scope);
    let valueTerm: Term;
    if (e.kind === 'term') valueTerm = e.term;
    else if (e.kind === 'call') valueTerm = { type: 'call', op: e.op, args: e.args, loc: e.loc };
    else this.fail('rego_compile_error', 'invalid template-string expression', e.loc);
    const tmp = this.scopes.temp(e.loc);
    const value = this.term(valueTerm, inner);
    const withs = e.with.map((w) => this.withMod(w.target, w.value, w.loc, inner));
    const lit: ILit = { body: { k: 'unify', a: tmp, b: value }, negated: false, withs, loc: e.loc };
    return { t: 'compr', kind: 'set', key: null, value: tmp, body: [lit], loc: e.loc };
  }

  /** `{ t | t = x }`: the values of `x` as a set (empty when undefined), for `print`. */
  private asSetComprehension(x: Term, scope: Scope): ICompr {
    const inner = new Scope(scope);
    const tmp = this.scopes.temp(x.loc);
    const value = this.term(x, inner);
    const lit: ILit = { body: { k: 'unify', a: tmp, b: value }, negated: false, withs: [], loc: x.loc };
    return { t: 'compr', kind: 'set', key: null, value: tmp, body: [lit], loc: x.loc };
  }

  private ref(t: RefTerm, scope: Scope): ITerm {
    const [head, ...rest] = t.terms as [Term, ...Term[]];
    const path = rest.map((x) => this.term(x, scope));
    if (head.type === 'var') {
      const local = scope.lookup(head.name) ?? this.scopes.implicit.get(head.name);
      if (local !== undefined) return { t: 'ref', head: { ...local, loc: head.loc }, path, loc: t.loc };
      const g = this.globalTarget(head.name);
      if (g !== null) return this.globalRef(g, t.loc, path);
      const v = this.resolveVar(head, scope);
      return { t: 'ref', head: v, path, loc: t.loc };
    }
    const h = this.term(head, scope);
    if (h.t === 'ref') return { t: 'ref', head: h.head, path: [...h.path, ...path], loc: t.loc };
    return { t: 'ref', head: h, path, loc: t.loc };
  }

  // ---- calls --------------------------------------------------------------------------------

  /** Resolves a call operator to its target. */
  callee(op: VarTerm | RefTerm, nargs: number, loc: Loc, scope: Scope): Callee {
    const name = opName(op);
    if (name === null) this.fail('rego_type_error', 'illegal call operator', loc);
    const headName = op.type === 'var' ? op.name : (op.terms[0] as VarTerm).name;
    if (scope.lookup(headName) !== undefined) this.fail('rego_type_error', `undefined function ${name}`, loc);
    const node = this.functionNode(op);
    if (node !== null) return { kind: 'func', name: node.pathText, node, arity: node.arity };
    const decl = this.ctx.builtins.get(name);
    if (decl !== undefined) return { kind: 'builtin', name, decl };
    if (INTRINSICS.has(name)) return { kind: 'intrinsic', name, arity: INTRINSIC_ARITY[name] ?? -1 };
    void nargs;
    this.fail('rego_type_error', `undefined function ${name}`, loc);
  }

  /** The function node named by a call operator, if any. */
  functionNode(op: VarTerm | RefTerm): TreeNode | null {
    const headName = op.type === 'var' ? op.name : (op.terms[0] as VarTerm).name;
    const g = this.globalTarget(headName);
    if (g === null || g.head !== 'data') return null;
    const path: PrimKey[] = [...g.path];
    if (op.type === 'ref') {
      for (let i = 1; i < op.terms.length; i++) {
        const t = op.terms[i] as Term;
        if (t.type !== 'scalar' || typeof t.value !== 'string') return null;
        path.push(t.value);
      }
    }
    const n = this.ctx.tree.find(path);
    return n !== null && n.leafKind === 'function' ? n : null;
  }

  private arityOf(fn: Callee): number {
    return fn.kind === 'builtin' ? fn.decl.args.length : fn.arity;
  }

  private checkArity(fn: Callee, nargs: number, allowOut: boolean, loc: Loc): void {
    if (fn.kind === 'intrinsic' && VARIADIC.has(fn.name)) return;
    const arity = this.arityOf(fn);
    if (nargs === arity || (allowOut && nargs === arity + 1)) return;
    const name = fn.kind === 'func' ? fn.name : fn.name;
    this.fail('rego_type_error', `${name}: arity mismatch: have ${nargs} arguments, want ${arity}`, loc);
  }

  private callTerm(op: VarTerm | RefTerm, args: readonly Term[], loc: Loc, scope: Scope): ITerm {
    const fn = this.callee(op, args.length, loc, scope);
    this.checkArity(fn, args.length, false, loc);
    if (fn.kind === 'intrinsic' && (fn.name === 'rego.metadata.chain' || fn.name === 'rego.metadata.rule')) {
      return { t: 'const', v: this.ctx.metadata(this.rule, fn.name === 'rego.metadata.chain' ? 'chain' : 'rule'), loc };
    }
    return { t: 'call', fn, args: args.map((a) => this.term(a, scope)), loc };
  }

  // ---- literals -----------------------------------------------------------------------------

  body(body: Body, scope: Scope): ILit[] {
    const out: ILit[] = [];
    for (const e of body) {
      const l = this.literal(e, scope);
      if (l !== null) out.push(l);
    }
    return out;
  }

  /** Declares every variable of an assignment/`some … in` pattern. */
  private declarePattern(t: Term, scope: Scope, kind: 'assign' | 'some'): ITerm {
    switch (t.type) {
      case 'var':
        if (t.name.startsWith('$')) return this.scopes.layout.alloc(t.name, t.loc);
        return { ...this.scopes.declare(scope, t.name, t.loc, kind), loc: t.loc };
      case 'array': {
        const items = t.items.map((x) => this.declarePattern(x, scope, kind));
        return { t: 'array', items, loc: t.loc };
      }
      case 'object': {
        const keys = t.entries.map(([k]) => this.term(k, scope));
        const values = t.entries.map(([, v]) => this.declarePattern(v, scope, kind));
        return { t: 'object', keys, values, loc: t.loc };
      }
      case 'ref':
      case 'call':
        if (kind === 'assign') this.fail('rego_compile_error', `cannot assign to ${t.type}`, t.loc);
        return this.term(t, scope);
      default:
        return this.term(t, scope);
    }
  }

  literal(e: Expr, scope: Scope): ILit | null {
    const withs = (): IWith[] => e.with.map((w) => this.withMod(w.target, w.value, w.loc, scope));
    let body: ILitBody;
    switch (e.kind) {
      case 'some':
        for (const v of e.vars) this.scopes.declare(scope, v.name, v.loc, 'some');
        return null;
      case 'somein': {
        const domain = this.term(e.domain, scope);
        const ws = withs();
        const key = e.key === null ? null : this.declarePattern(e.key, scope, 'some');
        const value = this.declarePattern(e.value, scope, 'some');
        return { body: { k: 'somein', key, value, domain }, negated: false, withs: ws, loc: e.loc };
      }
      case 'every': {
        const domain = this.term(e.domain, scope);
        const inner = new Scope(scope);
        const key = e.key === null ? null : (this.declarePattern(e.key, inner, 'some') as IVar);
        const value = this.declarePattern(e.value, inner, 'some') as IVar;
        const b = this.body(e.body, inner);
        body = { k: 'every', key, value, domain, body: b };
        break;
      }
      case 'logic': {
        const left = this.body(e.left, new Scope(scope));
        const right = this.body(e.right, new Scope(scope));
        body = { k: 'logic', op: e.op, left, right };
        break;
      }
      case 'group':
        body = { k: 'logic', op: 'and', left: this.body(e.body, new Scope(scope)), right: [] };
        break;
      case 'term':
        body = { k: 'term', term: this.term(e.term, scope) };
        break;
      case 'call': {
        const name = opName(e.op);
        if (name === 'assign' || name === 'eq') {
          const [a, b] = e.args as [Term, Term];
          const rhs = this.term(b, scope);
          if (name === 'assign') {
            const lhs = this.declarePattern(a, scope, 'assign');
            body = { k: 'unify', a: lhs, b: rhs };
          } else {
            body = { k: 'unify', a: this.term(a, scope), b: rhs };
          }
          break;
        }
        const fn = this.callee(e.op, e.args.length, e.loc, scope);
        this.checkArity(fn, e.args.length, true, e.loc);
        const args =
          fn.kind === 'intrinsic' && VARIADIC.has(fn.name)
            ? e.args.map((a) => this.asSetComprehension(a, scope))
            : e.args.map((a) => this.term(a, scope));
        const variadic = fn.kind === 'intrinsic' && VARIADIC.has(fn.name);
        const arity = variadic ? args.length : this.arityOf(fn);
        if (fn.kind === 'intrinsic' && (fn.name === 'rego.metadata.chain' || fn.name === 'rego.metadata.rule')) {
          const v: IConst = { t: 'const', v: this.ctx.metadata(this.rule, fn.name === 'rego.metadata.chain' ? 'chain' : 'rule'), loc: e.loc };
          body = args.length === 1 ? { k: 'unify', a: args[0] as ITerm, b: v } : { k: 'term', term: v };
          break;
        }
        body =
          args.length > arity
            ? { k: 'call', fn, args: args.slice(0, arity), out: args[arity] as ITerm }
            : { k: 'call', fn, args, out: null };
        break;
      }
    }
    return { body, negated: e.negated, withs: withs(), loc: e.loc };
  }

  private withMod(target: VarTerm | RefTerm, value: Term, loc: Loc, scope: Scope): IWith {
    return resolveWith(this, target, value, loc, scope);
  }
}
