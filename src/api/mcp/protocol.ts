/**
 * The MCP protocol revisions the endpoint speaks, how one is chosen in `initialize`, and what
 * each allows: structured tool results and output schemas came with 2025-06-18, which also
 * dropped JSON-RPC batches (2025-03-26 allowed them); 2025-11-25 reports a tool's invalid
 * arguments as a tool error the model can correct, where earlier revisions used -32602.
 */

/** Newest first: the first is offered to a client that asks for one this server does not know. */
export const PROTOCOL_VERSIONS = ['2025-11-25', '2025-06-18', '2025-03-26'] as const;
export type ProtocolVersion = (typeof PROTOCOL_VERSIONS)[number];

export function isProtocolVersion(v: string): v is ProtocolVersion {
  return (PROTOCOL_VERSIONS as readonly string[]).includes(v);
}

/** The revision the client asked for when this server speaks it, else the newest (the client then decides whether to go on). */
export function negotiate(requested: string): ProtocolVersion {
  return isProtocolVersion(requested) ? requested : PROTOCOL_VERSIONS[0];
}

export interface ProtocolFeatures {
  /** `structuredContent` in tool results and `outputSchema`/`title` in tool definitions. */
  readonly structuredContent: boolean;
  /** JSON-RPC batches (an array of messages in one POST). */
  readonly batching: boolean;
  /** Invalid tool arguments answered as a tool result with `isError` (else a -32602 error). */
  readonly argumentErrorsAsToolErrors: boolean;
}

export function featuresOf(v: ProtocolVersion): ProtocolFeatures {
  switch (v) {
    case '2025-03-26':
      return { structuredContent: false, batching: true, argumentErrorsAsToolErrors: false };
    case '2025-06-18':
      return { structuredContent: true, batching: false, argumentErrorsAsToolErrors: false };
    case '2025-11-25':
      return { structuredContent: true, batching: false, argumentErrorsAsToolErrors: true };
  }
}
