/**
 * `rego.metadata.rule()` and `rego.metadata.chain()`: annotations of the calling rule, its
 * document, its package and enclosing packages, computed at compile time (as OPA does).
 */
import type { Annotation, Module, Rule } from '../syntax/ast.ts';
import { fromJSON, RObject, type Value } from '../value.ts';
import { headPath } from './tree-build.ts';

function annotationValue(a: Annotation, scope: string): Value {
  const v = fromJSON({ ...(a.value as Record<string, unknown>), scope }) as RObject;
  return v;
}

export class MetadataIndex {
  private readonly modules: readonly Module[];

  constructor(modules: readonly Module[]) {
    this.modules = modules;
  }

  private ruleModule(rule: Rule): Module | undefined {
    return this.modules.find((m) => m.rules.includes(rule));
  }

  value(rule: Rule | null, which: 'chain' | 'rule'): Value {
    if (rule === null) return which === 'rule' ? new RObject() : [];
    const own = rule.annotations !== null && (rule.annotations.scope === '' || rule.annotations.scope === 'rule') ? rule.annotations : null;
    if (which === 'rule') return own === null ? new RObject() : annotationValue(own, 'rule');
    const m = this.ruleModule(rule);
    if (m === undefined) return [];
    const rulePath = [...m.package.path, ...headPath(rule).prefix];
    const chain: Value[] = [];
    const entry = (path: readonly unknown[], ann: Value | null): Value => {
      const o = new RObject();
      if (ann !== null) o.set('annotations', ann);
      o.set('path', fromJSON(path));
      return o;
    };
    chain.push(entry(rulePath, own === null ? null : annotationValue(own, 'rule')));
    for (const mod of this.modules) {
      if (mod.package.path.join('\u0000') !== m.package.path.join('\u0000')) continue;
      for (const r of mod.rules) {
        if (r.annotations === null || r.annotations.scope !== 'document') continue;
        const p = [...mod.package.path, ...headPath(r).prefix];
        if (p.join('\u0000') === rulePath.join('\u0000')) chain.push(entry(rulePath, annotationValue(r.annotations, 'document')));
      }
    }
    for (let len = m.package.path.length; len >= 1; len--) {
      const pkg = m.package.path.slice(0, len);
      for (const mod of this.modules) {
        if (mod.package.path.join('\u0000') !== pkg.join('\u0000')) continue;
        const a = mod.package.annotations;
        if (a === null) continue;
        const scope = a.scope === '' ? 'package' : a.scope;
        if (scope === 'package' && len === m.package.path.length) chain.push(entry(pkg, annotationValue(a, 'package')));
        else if (scope === 'subpackages') chain.push(entry(pkg, annotationValue(a, 'subpackages')));
      }
    }
    return chain;
  }
}
