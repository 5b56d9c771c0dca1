/**
 * Variable scopes while resolving one rule (or query). Declared variables (`x := …`,
 * `some x`, function arguments, `every` variables) are lexically scoped; undeclared variables
 * are unification variables shared by the whole rule, closures included, as in OPA.
 */
import type { Loc } from '../syntax/ast.ts';
import type { IVar } from './ir.ts';

export class CompileFailure {
  readonly code: 'rego_compile_error' | 'rego_type_error' | 'rego_unsafe_var_error' | 'rego_recursion_error';
  readonly message: string;
  readonly loc: Loc;

  constructor(code: CompileFailure['code'], message: string, loc: Loc) {
    this.code = code;
    this.message = message;
    this.loc = loc;
  }
}

/** Slot allocation for one frame (a rule body, an else branch, a function, a query). */
export class FrameLayout {
  nslots = 0;
  /** Names of slots, for query bindings and messages. */
  readonly names: string[] = [];

  alloc(name: string, loc: Loc): IVar {
    const slot = this.nslots++;
    this.names.push(name);
    return { t: 'var', slot, name, loc };
  }
}

export class Scope {
  readonly parent: Scope | null;
  readonly declared = new Map<string, IVar>();
  /** Undeclared names used in this scope (for "referenced above" errors). */
  readonly used = new Set<string>();

  constructor(parent: Scope | null) {
    this.parent = parent;
  }

  lookup(name: string): IVar | undefined {
    for (let s: Scope | null = this; s !== null; s = s.parent) {
      const v = s.declared.get(name);
      if (v !== undefined) return v;
    }
    return undefined;
  }
}

export class RuleScopes {
  readonly layout: FrameLayout;
  /** Unification (undeclared) variables of the rule, by name. */
  readonly implicit = new Map<string, IVar>();
  private temps = 0;

  constructor(layout: FrameLayout) {
    this.layout = layout;
  }

  temp(loc: Loc): IVar {
    return this.layout.alloc(`__t${this.temps++}`, loc);
  }

  declare(scope: Scope, name: string, loc: Loc, kind: 'assign' | 'some'): IVar {
    if (scope.declared.has(name)) {
      throw new CompileFailure('rego_compile_error', `var ${name} ${kind === 'assign' ? 'assigned' : 'declared'} above`, loc);
    }
    if (scope.used.has(name)) {
      throw new CompileFailure('rego_compile_error', `var ${name} referenced above`, loc);
    }
    const v = this.layout.alloc(name, loc);
    scope.declared.set(name, v);
    return v;
  }

  implicitVar(name: string, loc: Loc): IVar {
    let v = this.implicit.get(name);
    if (v === undefined) {
      v = this.layout.alloc(name, loc);
      this.implicit.set(name, v);
    }
    return { ...v, loc };
  }
}
