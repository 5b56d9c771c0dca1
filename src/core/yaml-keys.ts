/**
 * A mapping or a sequence used as a key (`{a: 1}: 2`, `? [a]`) in a parsed YAML document. The
 * `yaml` reader turns such a key into a string by printing it when the document is converted, at
 * a cost that grows steeply with how deep such keys nest: a 604-byte line of keys nested 300 deep
 * took 4.5 s. Neither the configuration nor JSON-shaped data has such keys (go-yaml, which OPA
 * reads with, refuses them as invalid map keys), so readers refuse a document that has one before
 * converting it.
 */
import { isAlias, isScalar, visit, type Document, type Node } from 'yaml';

/** The offset in the text of the first key that is a mapping or a sequence, or undefined. */
export function collectionKeyAt(doc: Document): number | undefined {
  let at: number | undefined;
  visit(doc, {
    Pair: (_, pair) => {
      const key = pair.key as Node | null;
      if (key === null || isScalar(key) || (isAlias(key) && isScalar(key.resolve(doc)))) return undefined;
      at = key.range?.[0] ?? 0;
      return visit.BREAK;
    },
  });
  return at;
}
