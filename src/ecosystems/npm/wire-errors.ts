/**
 * The npm error dialect, in one place: `{"error": "<one line>"}` with a status npm renders well
 * (npm.md §11). npm prints `<status> <text> - <METHOD> <url> - <error>`. Codes map to statuses
 * and messages in `shared/wire-error.ts`, for every ecosystem.
 */
import { wireError } from '../shared/wire-error.ts';

export interface WireError {
  readonly status: number;
  readonly body: { readonly error: string };
  /** Whether this is Airlock's fault or an outage worth a log line at error level. */
  readonly serious: boolean;
}

export function npmWireError(err: unknown, requestId: string, request?: { readonly destroyed: boolean }): WireError {
  const w = wireError(err, requestId, request);
  return { status: w.status, body: { error: w.message }, serious: w.serious };
}
