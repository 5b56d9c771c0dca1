/**
 * YAML builtins over the `yaml` package, configured for the YAML 1.1 scalars go-yaml resolves
 * (yes/no/on/off are booleans), with timestamps left as strings, exact integers, aliases
 * bounded, nesting bounded by a linear pre-scan (the reader recurses once per level), and
 * go-yaml's error wording for the common failures.
 */
import { LineCounter, parseAllDocuments, stringify, type Document } from 'yaml';
import { collectionKeyAt, setMember, yamlDepthExceeded } from '../../core/index.ts';
import { fromJSON, type Value } from '../value.ts';
import { arg, builtinError, fn, str } from './args.ts';
import { stringOf } from './encoding.ts';
import { marshalCompact } from './json-text.ts';
import type { BuiltinDecl } from './types.ts';

export class YamlError extends Error {}

/** Bytes of YAML text accepted by the parser: bigger inputs are refused, not parsed. */
export const MAX_YAML_LENGTH = 16 * 1024 * 1024;

/**
 * Collections a document may nest. go-yaml stops at 10,000 ("exceeded max depth of 10000"), but
 * the `yaml` reader overflows the stack in flow collections somewhat under 1,000 levels, taking
 * ~0.5 s to do so on 100,000; 256 is the bound the other nested inputs have (npm's packument
 * reader, JSON Schemas), far above what real documents nest.
 */
export const MAX_YAML_DEPTH = 256;

const PARSE_OPTIONS = {
  version: '1.1' as const,
  intAsBigInt: true,
  uniqueKeys: false,
  // go-yaml resolves neither timestamps nor sexagesimal numbers when converting to JSON.
  customTags: <T extends string | { tag?: unknown }>(tags: T[]): T[] =>
    tags.filter((t) => {
      const id = typeof t === 'string' ? t : String(t.tag);
      return !/timestamp|Time$/.test(id) && !(typeof t === 'object' && /:(int|float)$/.test(id) && String((t as { format?: unknown }).format) === 'TIME');
    }),
};

function goYamlMessage(code: string, message: string, source: string): string {
  if (code === 'MISSING_CHAR' || (code === 'BAD_INDENT' && /Flow (sequence|map)/.test(message))) {
    return /sequence/.test(message) ? "did not find expected ',' or ']'" : "did not find expected ',' or '}'";
  }
  if (code === 'BAD_INDENT') return 'did not find expected key';
  if (code === 'DUPLICATE_KEY') return 'mapping key already defined';
  const first = message.split(' at line ')[0] ?? message;
  return first.length > 0 ? first : `cannot parse ${JSON.stringify(source.slice(0, 20))}`;
}

/**
 * The reader's value as plain JSON. `open` holds the collections being converted around `js`: an
 * alias naming a node that contains it (`a: &x [*x]`) comes back as a cycle, which go-yaml refuses
 * ("anchor 'x' value contains itself") and the walk would follow until the stack overflows.
 */
function toPlain(js: unknown, open: Set<object> = new Set()): unknown {
  if (js instanceof Uint8Array) return stringOf(js);
  if (js === null || typeof js !== 'object') {
    if (typeof js === 'number' && !Number.isFinite(js)) throw new YamlError('json: unsupported value: non-finite number');
    return js;
  }
  if (open.has(js)) throw new YamlError("yaml: an anchor's value contains itself");
  open.add(js);
  const plain = plainCollection(js, open);
  open.delete(js);
  return plain;
}

function plainCollection(js: object, open: Set<object>): unknown {
  const each = (v: unknown): unknown => toPlain(v, open);
  if (js instanceof Map) {
    const o: Record<string, unknown> = {};
    for (const [k, v] of js) setMember(o, typeof k === 'string' ? k : String(k), each(v));
    return o;
  }
  if (js instanceof Set) return [...js].map(each);
  if (Array.isArray(js)) return js.map(each);
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(js)) setMember(o, k, each(v));
  return o;
}

/** Parse the first YAML document into a Rego value. */
export function parseYaml(text: string): Value {
  if (text.length > MAX_YAML_LENGTH) throw new YamlError(`yaml: input larger than ${MAX_YAML_LENGTH} bytes`);
  const deepAt = yamlDepthExceeded(text, MAX_YAML_DEPTH);
  if (deepAt !== undefined) throw new YamlError(`yaml: line ${deepAt}: exceeded max depth of ${MAX_YAML_DEPTH}`);
  let docs: Document.Parsed[];
  const lines = new LineCounter();
  try {
    docs = parseAllDocuments(text, { ...PARSE_OPTIONS, lineCounter: lines }) as Document.Parsed[];
  } catch (e) {
    throw new YamlError(`yaml: ${(e as Error).message}`);
  }
  if (!Array.isArray(docs)) throw new YamlError('yaml: unsupported document stream');
  const doc = docs[0];
  if (doc === undefined) return null;
  const err = doc.errors[0];
  if (err !== undefined) {
    const line = err.linePos?.[0]?.line ?? 1;
    throw new YamlError(`yaml: line ${line}: ${goYamlMessage(err.code, err.message, text)}`);
  }
  // go-yaml refuses a mapping or sequence as a key; converted, such keys cost time steep in their depth.
  const keyAt = collectionKeyAt(doc);
  if (keyAt !== undefined) throw new YamlError(`yaml: line ${lines.linePos(keyAt).line}: invalid map key: a mapping or a sequence`);
  let js: unknown;
  try {
    js = toPlain(doc.toJS({ maxAliasCount: 100 }));
  } catch (e) {
    if (e instanceof YamlError) throw e;
    throw new YamlError(`yaml: ${(e as Error).message}`);
  }
  return fromJSON(js === undefined ? null : js);
}

/** go-yaml style output of a value's JSON form (sorted keys, unindented sequences). */
export function stringifyYaml(v: Value): string {
  // Round-trip through JSON text so sets become arrays and numbers keep their exact digits.
  const plain = JSON.parse(marshalCompact(v), (_k, x: unknown, ctx?: { source?: string }) => {
    if (typeof x === 'number' && ctx?.source !== undefined && !Number.isSafeInteger(x) && /^-?\d+$/.test(ctx.source)) {
      return BigInt(ctx.source);
    }
    return x;
  }) as unknown;
  return stringify(plain, { version: '1.1', sortMapEntries: true, indentSeq: false, lineWidth: 0 });
}

function yamlUnmarshal(args: readonly Value[]): Value {
  const text = str('yaml.unmarshal', args, 0);
  try {
    return parseYaml(text);
  } catch (e) {
    if (e instanceof YamlError) throw builtinError('yaml.unmarshal', e.message);
    throw e;
  }
}

export const YAML_BUILTINS: readonly BuiltinDecl[] = [
  fn('yaml.marshal', ['any'], 'string', (args) => stringifyYaml(arg(args, 0))),
  fn('yaml.unmarshal', ['string'], 'any', yamlUnmarshal),
  fn('yaml.is_valid', ['string'], 'boolean', (args) => {
    const s = arg(args, 0);
    if (typeof s !== 'string') return false;
    try {
      parseYaml(s);
      return true;
    } catch {
      return false;
    }
  }),
];
