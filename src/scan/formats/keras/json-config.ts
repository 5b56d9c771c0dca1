/** Parses JSON text as Python's `json` does and runs the Keras configuration analysis on it. */
import type { ScanContext } from '../../types.ts';
import { report } from '../common/findings.ts';
import type { JsonValue } from '../common/strict-json.ts';
import { parseStrictJson } from '../common/strict-json.ts';
import { analyzeKerasConfig } from './config.ts';

export interface ParsedJson {
  readonly value: JsonValue;
  readonly duplicateKeys: readonly string[];
}

/** Python-compatible parse (NaN/Infinity, lone surrogates, duplicate keys: last wins). */
export function parsePythonJson(text: string, rule: string): ParsedJson {
  const duplicateKeys: string[] = [];
  const value = parseStrictJson(text, {
    rule,
    maxDepth: 900,
    maxValues: 20_000_000,
    duplicates: 'last',
    onDuplicate: (k) => {
      if (duplicateKeys.length < 16) duplicateKeys.push(k);
    },
    allowNonFinite: true,
    allowLoneSurrogates: true,
  });
  return { value, duplicateKeys };
}

/**
 * Analyses JSON text that is (or should be) a Keras config. Returns whether it was Keras-shaped.
 * Parse failures are the caller's concern (they throw `FormatParseError`).
 */
export function analyzeKerasJsonText(ctx: ScanContext, text: string, origin: string): boolean {
  const parsed = parsePythonJson(text, 'keras.config.json');
  const keras = analyzeKerasConfig(ctx, parsed.value, { origin, prefix: 'keras' });
  if (keras && parsed.duplicateKeys.length > 0) {
    report(ctx, 'keras.config.duplicate-key', 'suspicious', `${origin} repeats keys (${parsed.duplicateKeys.join(', ')}): readers disagree on which value wins`, {
      keys: [...parsed.duplicateKeys],
    }, 'low');
  }
  return keras;
}
