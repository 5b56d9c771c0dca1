/**
 * `with` modifiers: targets (input or data paths, functions, builtins) and replacement values
 * (a term, or a function / builtin to call instead).
 */
import type { BuiltinTable } from '../builtins/types.ts';
import type { Loc, RefTerm, Term, VarTerm } from '../syntax/ast.ts';
import { opName } from '../syntax/ast.ts';
import { INTRINSICS, type IWith, type WithTarget, type WithValue } from './ir.ts';
import { INTRINSIC_ARITY, type Resolver } from './resolve.ts';
import { CompileFailure, type Scope } from './scope.ts';

type PrimKey = null | boolean | number | string;

function fail(code: CompileFailure['code'], message: string, loc: Loc): never {
  throw new CompileFailure(code, message, loc);
}

export function resolveWith(r: Resolver, target: VarTerm | RefTerm, value: Term, loc: Loc, scope: Scope): IWith {
  const t = withTarget(r, target, loc);
  let v: WithValue | null = null;
  if (t.kind === 'builtin' || t.kind === 'func') {
    if (value.type === 'var' || (value.type === 'ref' && value.terms.every((x, i) => (i === 0 ? x.type === 'var' : x.type === 'scalar')))) {
      const fnOp = value as VarTerm | RefTerm;
      const headName = fnOp.type === 'var' ? fnOp.name : (fnOp.terms[0] as VarTerm).name;
      if (scope.lookup(headName) === undefined && !r.scopes.implicit.has(headName)) {
        const fnNode = r.functionNode(fnOp);
        const name = opName(fnOp);
        if (fnNode !== null) v = { kind: 'callee', fn: { kind: 'func', name: fnNode.pathText, node: fnNode, arity: fnNode.arity } };
        else if (name !== null && r.ctx.builtins.has(name)) {
          v = { kind: 'callee', fn: { kind: 'builtin', name, decl: r.ctx.builtins.get(name) as NonNullable<ReturnType<BuiltinTable['get']>> } };
        } else if (name !== null && INTRINSICS.has(name)) {
          v = { kind: 'callee', fn: { kind: 'intrinsic', name, arity: INTRINSIC_ARITY[name] ?? -1 } };
        }
      }
    }
  }
  if (v === null) v = { kind: 'term', term: r.term(value, scope) };
  return { target: t, value: v, loc };
}

function withTarget(r: Resolver, target: VarTerm | RefTerm, loc: Loc): WithTarget {
  const name = opName(target);
  const headName = target.type === 'var' ? target.name : (target.terms[0] as VarTerm).name;
  const g = headName === 'data' || headName === 'input' ? r.globalTarget(headName) : r.ctx.imports.get(headName) ?? null;
  if (g !== null) {
    const path: PrimKey[] = [...g.path];
    if (target.type === 'ref') {
      for (let i = 1; i < target.terms.length; i++) {
        const t = target.terms[i] as Term;
        if (t.type !== 'scalar' || (t.value !== null && typeof t.value === 'object')) {
          fail('rego_compile_error', 'with keyword target must be a ground reference', loc);
        }
        path.push(t.value as PrimKey);
      }
    }
    if (g.head === 'input') return { kind: 'input', path };
    const node = r.ctx.tree.find(path);
    if (node !== null && node.leafKind === 'function') return { kind: 'func', name: node.pathText, node, arity: node.arity };
    return { kind: 'data', path };
  }
  const fnNode = r.functionNode(target);
  if (fnNode !== null) return { kind: 'func', name: fnNode.pathText, node: fnNode, arity: fnNode.arity };
  if (name !== null) {
    const decl = r.ctx.builtins.get(name);
    if (decl !== undefined) return { kind: 'builtin', name, arity: decl.args.length };
    if (INTRINSICS.has(name)) return { kind: 'builtin', name, arity: INTRINSIC_ARITY[name] ?? -1 };
  }
  fail('rego_compile_error', `with keyword target must reference existing input, data, or a function`, loc);
}
