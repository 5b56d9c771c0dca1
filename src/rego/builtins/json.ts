/** JSON builtins: marshal, marshal_with_options, unmarshal, is_valid, filter, remove. */
import { RObject, type Value } from '../value.ts';
import { ANY_OBJECT, anyOf, arg, arrayOf, builtinError, fn, obj, operandError, setOf, str, typeError } from './args.ts';
import { filterByTree, parsePaths, pathsToTree, removeByTree } from './json-paths.ts';
import { isValidJSON, JsonSyntaxError, marshalCompact, marshalIndent, parseJSONText } from './json-text.ts';
import { goQuote } from './term-text.ts';
import type { BuiltinDecl } from './types.ts';

function marshalWithOptions(args: readonly Value[]): Value {
  const v = arg(args, 0);
  const opts = obj('json.marshal_with_options', args, 1);
  let indent = '\t';
  let prefix = '';
  let implicit = false;
  let explicit: boolean | null = null;
  let problem: string | null = null;
  opts.forEach((k, x) => {
    if (typeof k !== 'string') {
      problem = `failed to stringify key ${k === null ? 'null' : String(k)}`;
      return false;
    }
    switch (k) {
      case 'prefix':
      case 'indent':
        if (typeof x !== 'string') {
          problem = `key ${k} failed cast to string`;
          return false;
        }
        if (k === 'prefix') prefix = x;
        else indent = x;
        implicit = true;
        return true;
      case 'pretty':
        if (typeof x !== 'boolean') {
          problem = `key ${k} failed cast to bool`;
          return false;
        }
        explicit = x;
        return true;
      default:
        problem = `object contained unknown key ${goQuote(k)}`;
        return false;
    }
  });
  if (problem !== null) throw operandError('json.marshal_with_options', 2, problem);
  const pretty = explicit ?? implicit;
  return pretty ? marshalIndent(v, prefix, indent) : marshalCompact(v);
}

function unmarshal(args: readonly Value[]): Value {
  const text = str('json.unmarshal', args, 0);
  try {
    return parseJSONText(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw builtinError('json.unmarshal', e.message);
    throw e;
  }
}

const PATHS = anyOf(arrayOf(anyOf('string', arrayOf('any'))), setOf(anyOf('string', arrayOf('any'))));

export const JSON_BUILTINS: readonly BuiltinDecl[] = [
  fn('json.marshal', ['any'], 'string', (args) => marshalCompact(arg(args, 0))),
  fn('json.marshal_with_options', ['any', { objectOf: { key: 'string', value: 'any' } }], 'string', marshalWithOptions),
  fn('json.unmarshal', ['string'], 'any', unmarshal),
  fn('json.is_valid', ['string'], 'boolean', (args) => {
    const s = arg(args, 0);
    return typeof s === 'string' && isValidJSON(s);
  }),
  fn('json.filter', [ANY_OBJECT, PATHS], 'any', (args) => {
    const o = obj('json.filter', args, 0);
    const tree = pathsToTree(parsePaths('json.filter', arg(args, 1)));
    return filterByTree(o, tree);
  }),
  fn('json.remove', [ANY_OBJECT, PATHS], 'any', (args) => {
    const o = arg(args, 0);
    if (!(o instanceof RObject)) throw typeError('json.remove', 1, o, 'object');
    const tree = pathsToTree(parsePaths('json.remove', arg(args, 1)));
    return removeByTree(o, { child: tree });
  }),
];
