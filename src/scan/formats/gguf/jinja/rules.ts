/**
 * What the template analysis reports, and how an attribute name is judged. The reference point
 * is Jinja's own `SandboxedEnvironment`: it refuses every attribute that starts with `_` and the
 * frame/code/function internals of generators, coroutines and functions. A template that reaches
 * for those is escaping (CVE-2024-34359 in llama-cpp-python rendered chat templates without the
 * sandbox). Chat templates have no legitimate use for any of them.
 */
import type { FindingClass } from '../../../types.ts';
import type { Severity } from '../../../../core/index.ts';

export type IssueKind =
  | 'python-internals'
  | 'private-attribute'
  | 'dynamic-attribute'
  | 'dangerous-global'
  | 'template-loading'
  | 'dunder-string'
  | 'unparseable';

export interface TemplateIssue {
  readonly kind: IssueKind;
  /** The attribute, global or construct involved. */
  readonly detail: string;
  /** How it was reached: `.name`, `[…]`, `|attr`, `map(attribute=)`, `str.format` … */
  readonly via: string;
  readonly offset: number;
}

export const ISSUE_CLASS: Readonly<Record<IssueKind, { readonly cls: FindingClass; readonly severity: Severity; readonly what: string }>> = {
  'python-internals': { cls: 'malicious', severity: 'critical', what: 'reaches Python internals (sandbox escape)' },
  'private-attribute': { cls: 'suspicious', severity: 'high', what: 'accesses a private attribute' },
  'dynamic-attribute': { cls: 'suspicious', severity: 'high', what: 'accesses an attribute whose name is computed' },
  'dangerous-global': { cls: 'suspicious', severity: 'medium', what: 'uses a template global that exposes Python internals' },
  'template-loading': { cls: 'suspicious', severity: 'medium', what: 'loads other templates' },
  'dunder-string': { cls: 'suspicious', severity: 'medium', what: 'contains a Python special name as a string' },
  unparseable: { cls: 'unscannable', severity: 'medium', what: 'could not be analysed' },
};

/** Attributes Jinja's sandbox refuses besides the `_`-prefixed ones, plus frame/traceback walking. */
const INTROSPECTION = new Set([
  'mro', 'func_globals', 'func_code', 'func_closure', 'func_defaults', 'func_dict', 'im_func', 'im_self', 'im_class',
  'gi_frame', 'gi_code', 'gi_yieldfrom', 'gi_suspended', 'cr_frame', 'cr_code', 'cr_await', 'cr_origin', 'ag_frame', 'ag_code', 'ag_await',
  'f_globals', 'f_locals', 'f_builtins', 'f_back', 'f_code', 'f_trace', 'tb_frame', 'tb_next', 'co_code', 'co_consts', 'co_names',
]);

/**
 * Template globals that hand out Python objects with reachable module globals (`lipsum`,
 * `cycler`, `joiner` are plain functions/classes; `self`, `request`, `config`, `url_for`,
 * `get_flashed_messages` exist in web frameworks' environments).
 */
export const DANGEROUS_GLOBALS = new Set(['lipsum', 'cycler', 'joiner', 'self', 'request', 'config', 'url_for', 'get_flashed_messages']);

/** Judges one attribute (or subscript key) name; undefined when harmless. */
export function attributeRisk(name: string): IssueKind | undefined {
  if (name.includes('__')) return 'python-internals';
  if (INTROSPECTION.has(name)) return 'python-internals';
  if (name.startsWith('_')) return 'private-attribute';
  return undefined;
}

/** A string that is exactly a Python special name (`__class__`), wherever it appears. */
export function isDunderName(s: string): boolean {
  return /^__[A-Za-z][A-Za-z0-9_]*__$/.test(s);
}

/**
 * Attribute steps inside a `str.format` replacement field: `{0.__class__}`, `{x[__globals__]}`.
 * Returns the attribute/key names used by every field of `fmt`.
 */
export function formatFieldAttributes(fmt: string): string[] {
  const out: string[] = [];
  const fields = fmt.replaceAll('{{', '').replaceAll('}}', '').matchAll(/\{([^{}]*)\}/g);
  for (const m of fields) fieldSteps((m[1] ?? '').split(/[!:]/)[0] ?? '', out);
  return out;
}

/**
 * The steps of one field, left to right: `.name` (a name runs to the next `.`, `[` or `]`; a `.`
 * without one is skipped) and `[key]` (to the first `]`; a `[` with none after it is skipped).
 * Scanned, not a regular expression: that one looked for a `]` from every unclosed `[`, which is
 * quadratic on a hostile template's long run of them.
 */
function fieldSteps(field: string, out: string[]): void {
  let close: number | undefined; // the first ']' after the current '[', -1 when there is none
  for (let i = 0; i < field.length; i++) {
    const c = field[i];
    if (c === '.') {
      let end = i + 1;
      while (end < field.length && !'.[]'.includes(field[end] as string)) end++;
      if (end === i + 1) continue;
      out.push(field.slice(i + 1, end));
      i = end - 1;
    } else if (c === '[') {
      if (close === undefined || (close !== -1 && close <= i)) close = field.indexOf(']', i + 1);
      if (close === -1) continue;
      out.push(field.slice(i + 1, close));
      i = close;
    }
  }
}
