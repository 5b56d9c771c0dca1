/**
 * Rego errors: OPA's error codes, `file:row:col` locations and caret rendering.
 *
 * A `RegoError` carries one or more details. Its `message` is OPA's text (`file:row: code:
 * message` for a single evaluation error, as OPA prints it), and `render()` adds the column,
 * the source line and a caret under the offending position.
 */

export type RegoErrorCode =
  | 'rego_parse_error'
  | 'rego_compile_error'
  | 'rego_type_error'
  | 'rego_unsafe_var_error'
  | 'rego_recursion_error'
  | 'eval_type_error'
  | 'eval_builtin_error'
  | 'eval_conflict_error'
  | 'eval_limit_error';

export interface SourceLocation {
  readonly file: string;
  /** 1-based line. */
  readonly row: number;
  /** 1-based column, counted in code points. */
  readonly col: number;
}

export interface RegoErrorDetail {
  readonly code: RegoErrorCode;
  readonly message: string;
  readonly location?: SourceLocation;
  /** The source line the location points into, for caret rendering. */
  readonly line?: string;
}

function prefix(d: RegoErrorDetail, withCol: boolean): string {
  if (d.location === undefined) return `${d.code}: ${d.message}`;
  const l = d.location;
  return `${l.file}:${l.row}${withCol ? `:${l.col}` : ''}: ${d.code}: ${d.message}`;
}

/** OPA's one-line text for a detail: `file:row: code: message`. */
export function formatDetail(d: RegoErrorDetail): string {
  return prefix(d, false);
}

export class RegoError extends Error {
  readonly code: RegoErrorCode;
  readonly errors: readonly RegoErrorDetail[];

  constructor(errors: readonly RegoErrorDetail[]) {
    const first = errors[0];
    if (first === undefined) throw new TypeError('RegoError needs at least one detail');
    super(
      errors.length === 1
        ? formatDetail(first)
        : `${errors.length} errors occurred:\n${errors.map(formatDetail).join('\n')}`,
    );
    this.name = 'RegoError';
    this.code = first.code;
    this.errors = errors;
  }

  static of(code: RegoErrorCode, message: string, location?: SourceLocation, line?: string): RegoError {
    const d: RegoErrorDetail =
      location === undefined ? { code, message } : line === undefined ? { code, message, location } : { code, message, location, line };
    return new RegoError([d]);
  }

  /** Every detail as `file:row:col: code: message`, followed by the source line and a caret. */
  render(): string {
    const out: string[] = [];
    for (const d of this.errors) {
      out.push(prefix(d, true));
      if (d.line !== undefined && d.location !== undefined) {
        const line = d.line.replace(/\t/g, ' ');
        out.push(`  ${line}`);
        out.push(`  ${' '.repeat(Math.max(0, d.location.col - 1))}^`);
      }
    }
    return out.join('\n');
  }
}
