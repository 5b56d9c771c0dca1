/**
 * The builtin table: every family's declarations in one frozen map, keyed by the dotted name
 * Rego code uses. Built once at module load; no registry to mutate.
 */
import { AGGREGATE_BUILTINS } from './aggregates.ts';
import { ARITHMETIC_BUILTINS } from './arithmetic.ts';
import { ARRAY_BUILTINS } from './arrays.ts';
import { BITS_BUILTINS } from './bits.ts';
import { CAST_BUILTINS } from './casts.ts';
import { COMPARISON_BUILTINS } from './comparison.ts';
import { CRYPTO_BUILTINS } from './crypto.ts';
import { ENCODING_BUILTINS } from './encoding.ts';
import { GLOB_BUILTINS } from './glob.ts';
import { GRAPH_BUILTINS } from './graph.ts';
import { JSON_BUILTINS } from './json.ts';
import { JSONPATCH_BUILTINS } from './jsonpatch.ts';
import { JSONSCHEMA_BUILTINS } from './jsonschema.ts';
import { NET_BUILTINS } from './net.ts';
import { NUMBER_BUILTINS } from './numbers.ts';
import { OBJECT_BUILTINS } from './objects.ts';
import { REGEX_BUILTINS } from './regex.ts';
import { SEMVER_BUILTINS } from './semver.ts';
import { SET_BUILTINS } from './sets.ts';
import { SPRINTF_BUILTINS } from './sprintf.ts';
import { STRING_BUILTINS } from './strings.ts';
import { TIME_BUILTINS } from './time.ts';
import { TYPE_BUILTINS } from './typenames.ts';
import { UNITS_BUILTINS } from './units.ts';
import { URI_BUILTINS } from './uri.ts';
import { UUID_BUILTINS } from './uuid.ts';
import { YAML_BUILTINS } from './yaml.ts';
import type { BuiltinDecl, BuiltinTable } from './types.ts';

const FAMILIES: readonly (readonly BuiltinDecl[])[] = [
  AGGREGATE_BUILTINS,
  ARITHMETIC_BUILTINS,
  ARRAY_BUILTINS,
  BITS_BUILTINS,
  CAST_BUILTINS,
  COMPARISON_BUILTINS,
  CRYPTO_BUILTINS,
  ENCODING_BUILTINS,
  GLOB_BUILTINS,
  GRAPH_BUILTINS,
  JSON_BUILTINS,
  JSONPATCH_BUILTINS,
  JSONSCHEMA_BUILTINS,
  NET_BUILTINS,
  NUMBER_BUILTINS,
  OBJECT_BUILTINS,
  REGEX_BUILTINS,
  SEMVER_BUILTINS,
  SET_BUILTINS,
  SPRINTF_BUILTINS,
  STRING_BUILTINS,
  TIME_BUILTINS,
  TYPE_BUILTINS,
  UNITS_BUILTINS,
  URI_BUILTINS,
  UUID_BUILTINS,
  YAML_BUILTINS,
];

function assemble(): BuiltinTable {
  const table = new Map<string, BuiltinDecl>();
  for (const family of FAMILIES) {
    for (const decl of family) {
      if (table.has(decl.name)) throw new Error(`builtin ${decl.name} declared twice`);
      table.set(decl.name, Object.freeze(decl));
    }
  }
  return table;
}

export const BUILTINS: BuiltinTable = assemble();
