/**
 * YAML as the configuration reads it — the file, and each environment override's value — with the
 * limits the `yaml` reader does not keep by itself. It recurses once per nesting level (100,000
 * brackets took 0.7 s to overflow the stack, and the error it turned that into named the engine's
 * failure); it turns a mapping or list used as a key into a string by printing it, which costs
 * time exponential in how deep such keys nest (`{{{…}}}` 300 deep: 2.7 s) and prints a warning
 * from the library; and past its alias budget it throws a ReferenceError. So: at most
 * `MAX_CONFIG_DEPTH` levels, refused by a linear scan before the reader starts; keys are scalars
 * (no key of the configuration, or of policy data, is anything else); the alias budget spent is
 * an invalid document.
 */
import { LineCounter, parseDocument } from 'yaml';
import { AirlockError, collectionKeyAt, yamlDepthExceeded } from '../../core/index.ts';

/** Nesting the configuration takes: its own sections are a few levels deep, policy data at most 32 below `policy.data`. */
export const MAX_CONFIG_DEPTH = 64;

/** The text's value; `empty` when it holds no node at all (blank, or comments only); `invalid` with the reader's first complaint. */
export type ConfigYaml = { readonly kind: 'value'; readonly value: unknown } | { readonly kind: 'empty' } | { readonly kind: 'invalid'; readonly message: string };

/**
 * Reads `text` with the core schema (no YAML 1.1 booleans, no custom tags), duplicate keys
 * refused, at most `maxAliasCount` aliases resolved. Nesting past the limit and a key that is not
 * a scalar are CONFIG_INVALID errors starting with `where` (the file, or the variable).
 */
export function readConfigYaml(text: string, where: string, maxAliasCount: number): ConfigYaml {
  const deepAt = yamlDepthExceeded(text, MAX_CONFIG_DEPTH);
  if (deepAt !== undefined) throw new AirlockError('CONFIG_INVALID', `${where}: nested deeper than ${MAX_CONFIG_DEPTH} levels at line ${deepAt}`);
  const lines = new LineCounter();
  const doc = parseDocument(text, { schema: 'core', uniqueKeys: true, prettyErrors: true, lineCounter: lines });
  const first = doc.errors[0];
  if (first !== undefined) {
    // The scan counts a lower bound of the depth: what it missed can still overflow the reader.
    if (/Maximum call stack size exceeded/.test(first.message)) throw new AirlockError('CONFIG_INVALID', `${where}: nested too deeply to read (at most ${MAX_CONFIG_DEPTH} levels)`);
    return { kind: 'invalid', message: first.message.split('\n')[0] ?? 'invalid YAML' };
  }
  if (doc.contents === null) return { kind: 'empty' };
  const keyAt = collectionKeyAt(doc);
  if (keyAt !== undefined) {
    throw new AirlockError('CONFIG_INVALID', `${where}: the key at line ${lines.linePos(keyAt).line} is a mapping or a list; keys are plain names`);
  }
  try {
    return { kind: 'value', value: doc.toJS({ maxAliasCount }) };
  } catch (err) {
    // The only thing resolving the document throws on: more aliases than the budget.
    return { kind: 'invalid', message: err instanceof Error ? err.message : String(err) };
  }
}
