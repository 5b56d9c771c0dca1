/**
 * Template-injection analysis of a Jinja2 template (chat templates in GGUF metadata and
 * tokenizer configs). Lex → parse into events → abstract interpretation to a fixpoint, so
 * obfuscated attribute names (`'__cla' ~ 'ss__'`, `|attr('\x5f\x5fclass\x5f\x5f')`,
 * `('_'*2,'class','_'*2)|join`, `dict(__class__=1)|first`, names assembled in `set` blocks,
 * loops or macro arguments) are judged by what they spell, not by how they look.
 * If the template cannot be parsed, a token-level scan still reports the obvious and the
 * template is reported as not analysable (fail closed).
 */
import type { Event, Target } from './ast.ts';
import { Evaluator } from './evaluate.ts';
import type { Token } from './lexer.ts';
import { TemplateSyntaxError, tokenize } from './lexer.ts';
import { parseTemplate } from './parser.ts';
import type { TemplateIssue } from './rules.ts';
import { attributeRisk, isDunderName } from './rules.ts';
import type { AV } from './values.ts';
import { BOTTOM, BUILT, constant, DATA, elementsOf, join, lift2, pyStr } from './values.ts';

export interface TemplateAnalysisOptions {
  /** Upper bound on tokens (a guard against pathological templates). */
  readonly maxTokens: number;
  /** Called between passes; may throw to stop (deadline). */
  readonly checkpoint?: () => void;
}

const MAX_PASSES = 8;

export function analyzeTemplate(source: string, options: TemplateAnalysisOptions): TemplateIssue[] {
  let tokens: Token[];
  try {
    tokens = tokenize(source, options.maxTokens);
  } catch (err) {
    if (!(err instanceof TemplateSyntaxError)) throw err;
    return [{ kind: 'unparseable', detail: err.message, via: 'lexer', offset: err.offset }, ...rawScan(source)];
  }
  let events: Event[];
  try {
    events = parseTemplate(tokens);
  } catch (err) {
    if (!(err instanceof TemplateSyntaxError)) throw err;
    return [{ kind: 'unparseable', detail: err.message, via: 'parser', offset: err.offset }, ...tokenScan(tokens)];
  }
  const ev = new Evaluator();
  collectBindings(events, ev);
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    options.checkpoint?.();
    ev.changed = false;
    run(events, ev);
    if (!ev.changed) break;
  }
  ev.recording = true;
  run(events, ev);
  return dedupe(ev.issues);
}

function collectBindings(events: readonly Event[], ev: Evaluator): void {
  const bindTarget = (t: Target): void => {
    if (t.k === 'name') ev.bound.add(t.name);
    else if (t.k === 'tuple') t.items.forEach(bindTarget);
  };
  for (const e of events) {
    if (e.k === 'assign' || e.k === 'loop' || e.k === 'capture') bindTarget(e.target);
    else if (e.k === 'macro') {
      ev.bound.add(e.name);
      ev.macros.set(e.name, e.params.map(([p]) => p));
      for (const [p] of e.params) ev.bound.add(p);
    } else if (e.k === 'load') for (const n of e.names) ev.bound.add(n);
  }
}

interface Capture {
  readonly target: Target;
  readonly filters: Event & { k: 'capture' };
  value: AV;
}

function run(events: readonly Event[], ev: Evaluator): void {
  const captures: Capture[] = [];
  const append = (v: AV): void => {
    for (const c of captures) c.value = lift2(c.value, v, (a, b) => pyStr(a) + pyStr(b));
  };
  for (const e of events) {
    switch (e.k) {
      case 'data':
        append(constant(e.text));
        break;
      case 'output':
        append(ev.eval(e.expr));
        break;
      case 'eval':
        ev.eval(e.expr);
        break;
      case 'assign': {
        const v = ev.eval(e.value);
        if (e.value.k === 'call' && e.value.fn.k === 'name' && e.value.fn.name === 'namespace' && e.target.k === 'name') {
          for (const [k, x] of e.value.args.keywords) ev.assign(`${e.target.name}.${k}`, ev.eval(x));
        }
        bind(e.target, v, ev);
        break;
      }
      case 'loop':
        bind(e.target, elementsOf(ev.eval(e.iter)), ev);
        break;
      case 'capture':
        captures.push({ target: e.target, filters: e, value: constant('') });
        break;
      case 'capture-end': {
        const c = captures.pop();
        if (c === undefined) break;
        let v = c.value;
        for (const f of c.filters.filters) if (f.k === 'filter') v = ev.filter(v, f.name, f.args, f.at);
        bind(c.target, v, ev);
        break;
      }
      case 'macro':
        for (const [p, def] of e.params) ev.assign(p, join(def === undefined ? BOTTOM : ev.eval(def), DATA));
        break;
      case 'load':
        ev.eval(e.expr);
        ev.issue('template-loading', e.tag, `{% ${e.tag} %}`, e.at);
        for (const n of e.names) ev.assign(n, BUILT);
        break;
      case 'control':
        // Control flow inside a `{% set %}` block makes its text depend on branches.
        for (const c of captures) c.value = join(c.value, BUILT);
        break;
    }
  }
}

function bind(t: Target, v: AV, ev: Evaluator): void {
  switch (t.k) {
    case 'name':
      ev.assign(t.name, v);
      return;
    case 'attr':
      ev.checkName(t.name, '{% set ns.attribute %}', 0);
      ev.assign(`${t.obj}.${t.name}`, v);
      return;
    case 'tuple': {
      const exact = v.seqs.filter((s) => s.length === t.items.length);
      t.items.forEach((item, i) => {
        let part = BOTTOM;
        for (const s of exact) part = join(part, s[i] ?? BOTTOM);
        if (exact.length !== v.seqs.length || v.consts.length > 0 || v.dicts.length > 0 || v.unknown !== 0 || v.globals.length > 0) {
          part = join(part, elementsOf({ ...v, seqs: v.seqs.filter((s) => s.length !== t.items.length) }));
        }
        bind(item, part, ev);
      });
    }
  }
}

/** Same kind, detail and route reported once (first offset kept); dunder strings already judged as accesses are dropped. */
function dedupe(issues: readonly TemplateIssue[]): TemplateIssue[] {
  const seen = new Map<string, TemplateIssue>();
  for (const i of issues) {
    const key = `${i.kind}\u0000${i.detail}\u0000${i.via}`;
    if (!seen.has(key)) seen.set(key, i);
  }
  const out = [...seen.values()];
  const accessed = new Set(out.filter((i) => i.kind === 'python-internals').map((i) => i.detail));
  return out.filter((i) => !(i.kind === 'dunder-string' && accessed.has(i.detail)));
}

/** Fallback when parsing failed: names after `.` and string literals judged one by one. */
function tokenScan(tokens: readonly Token[]): TemplateIssue[] {
  const issues: TemplateIssue[] = [];
  tokens.forEach((t, i) => {
    const prev = tokens[i - 1];
    if (t.type === 'name' && prev?.type === 'operator' && prev.value === '.') {
      const risk = attributeRisk(t.value);
      if (risk !== undefined) issues.push({ kind: risk, detail: t.value, via: '.attribute', offset: t.offset });
    } else if (t.type === 'string' && (isDunderName(t.value) || attributeRisk(t.value) === 'python-internals')) {
      issues.push({ kind: isDunderName(t.value) ? 'python-internals' : 'dunder-string', detail: t.value, via: 'string literal', offset: t.offset });
    } else if (t.type === 'name' && t.value === 'attr' && prev?.type === 'operator' && prev.value === '|') {
      issues.push({ kind: 'dynamic-attribute', detail: 'attr filter', via: '|attr()', offset: t.offset });
    }
  });
  return dedupe(issues);
}

/** Fallback when even lexing failed: dunder-shaped words anywhere in the text. */
function rawScan(source: string): TemplateIssue[] {
  const issues: TemplateIssue[] = [];
  for (const m of source.matchAll(/__[A-Za-z][A-Za-z0-9_]*__/g)) {
    issues.push({ kind: 'python-internals', detail: m[0], via: 'text', offset: m.index });
    if (issues.length >= 16) break;
  }
  return dedupe(issues);
}
