/**
 * `airlock policy eval` output: `--format json` is `opa eval --format json`'s shape,
 * `--format pretty` prints values (one expression) or a bindings table.
 */
import { marshalIndent } from '../../../rego/builtins/json-text.ts';
import type { QueryResult } from '../../../rego/index.ts';
import type { Value } from '../../../rego/value.ts';

class ValueLeaf {
  readonly value: Value;

  constructor(value: Value) {
    this.value = value;
  }
}

type Json = string | number | boolean | null | ValueLeaf | readonly Json[] | { readonly [k: string]: Json };

function leaf(v: Value): Json {
  return new ValueLeaf(v);
}

function write(j: Json, depth: number): string {
  const pad = '  '.repeat(depth);
  const inner = '  '.repeat(depth + 1);
  if (j === null || typeof j !== 'object') return JSON.stringify(j);
  if (j instanceof ValueLeaf) return marshalIndent(j.value, pad, '  ').slice(pad.length);
  if (Array.isArray(j)) {
    if (j.length === 0) return '[]';
    return `[\n${(j as Json[]).map((x) => inner + write(x, depth + 1)).join(',\n')}\n${pad}]`;
  }
  const entries = Object.entries(j as Record<string, Json>);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, x]) => `${inner}${JSON.stringify(k)}: ${write(x, depth + 1)}`).join(',\n')}\n${pad}}`;
}

export function formatJSON(rows: readonly QueryResult[]): string {
  if (rows.length === 0) return '{}\n';
  const result: Json[] = rows.map((r) => {
    const row: Record<string, Json> = {
      expressions: r.expressions.map((e) => ({
        value: leaf(e.value),
        text: e.text,
        location: { row: e.location.row, col: e.location.col },
      })),
    };
    const names = Object.keys(r.bindings);
    if (names.length > 0) {
      const b: Record<string, Json> = {};
      for (const n of names) b[n] = leaf(r.bindings[n] as Value);
      row.bindings = b;
    }
    return row;
  });
  return `${write({ result }, 0)}\n`;
}

export function formatPretty(rows: readonly QueryResult[]): string {
  if (rows.length === 0) return 'undefined\n';
  const first = rows[0] as QueryResult;
  const names = Object.keys(first.bindings);
  if (names.length === 0) {
    return rows.map((r) => r.expressions.map((e) => marshalIndent(e.value, '', '  ')).join('\n')).join('\n') + '\n';
  }
  const cells = rows.map((r) => names.map((n) => marshalIndent((r.bindings[n] ?? null) as Value, '', '  ').replace(/\n\s*/g, ' ')));
  const widths = names.map((n, i) => Math.max(n.length, ...cells.map((c) => (c[i] as string).length)));
  const line = (vals: readonly string[]): string => `| ${vals.map((v, i) => v.padEnd(widths[i] as number)).join(' | ')} |`;
  const sepLine = `+-${widths.map((w) => '-'.repeat(w)).join('-+-')}-+`;
  return [sepLine, line(names), sepLine, ...cells.map(line), sepLine].join('\n') + '\n';
}

/** `--format values`: the expression values of every result, as one JSON array. */
export function formatValues(rows: readonly QueryResult[]): string {
  const values: Json[] = rows.flatMap((r) => r.expressions.map((e) => leaf(e.value)));
  return `${write(values, 0)}\n`;
}

/** `--format bindings`: the bindings of every result, as one JSON array. */
export function formatBindings(rows: readonly QueryResult[]): string {
  const out: Json[] = rows.map((r) => {
    const b: Record<string, Json> = {};
    for (const n of Object.keys(r.bindings)) b[n] = leaf(r.bindings[n] as Value);
    return b;
  });
  return `${write(out, 0)}\n`;
}

/** `--format raw`: each expression value on its own line, strings unquoted. */
export function formatRaw(rows: readonly QueryResult[]): string {
  const lines = rows.flatMap((r) => r.expressions.map((e) => (typeof e.value === 'string' ? e.value : marshalIndent(e.value, '', '  '))));
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
