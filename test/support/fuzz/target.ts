/**
 * What a fuzz target is: valid seed inputs built the way the parser's own tests build them, a
 * call into the parser, and its contract — which thrown errors are its own clear ones, and
 * which results are wrong (a scanner calling garbage it could not parse clean is fail-open).
 * Target modules export `targets: Record<string, FuzzTarget>` and are loaded in a worker.
 */

export interface FuzzTarget {
  /** Valid inputs to corrupt. */
  readonly seeds: () => Promise<readonly Uint8Array[]> | readonly Uint8Array[];
  /** Mutate as text (numbers, brackets, quotes) as well as bytes. */
  readonly text?: boolean;
  /** Hand-built hostile inputs run once each (100k-deep nesting …). */
  readonly extra?: () => readonly Uint8Array[];
  /** Calls the parser; returns a defect description when the result itself is wrong. */
  readonly run: (input: Uint8Array) => Promise<string | undefined> | string | undefined;
  /** Whether a thrown value is the parser's own clear error. */
  readonly accepts: (err: unknown) => boolean;
  /** Releases what the target set up (a store in a temporary directory), once every input ran. */
  readonly done?: () => Promise<void> | void;
}

/** An error of one of `classes` whose message says something specific. */
export function ownError(...classes: readonly (abstract new (...args: never[]) => Error)[]): (err: unknown) => boolean {
  return (err) => classes.some((c) => err instanceof c) && (err as Error).message.length > 0 && !isGenericJsFailure(err as Error);
}

/** The engine's own failures, which no parser may leak whatever its error class. */
export function isGenericJsFailure(err: Error): boolean {
  return /Cannot read properties of|is not a function|is not iterable|Maximum call stack size|Invalid array length|Invalid typed array length|Array buffer allocation failed|Invalid string length|out of memory/i.test(
    err.message,
  );
}

export const text = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));
export const asText = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');
