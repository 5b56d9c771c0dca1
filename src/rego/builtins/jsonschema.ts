/**
 * `json.verify_schema` and `json.match_schema`: a compact JSON Schema (draft-07) validator
 * with the error objects OPA returns ({error, type, field, desc}, worded as gojsonschema).
 * Only local `$ref`s ("#/…") resolve; remote references are refused (no network).
 */
import { compareValues, RObject, RSet, typeName, valuesEqual, type RArray, type Value } from '../value.ts';
import { divideNumbers, isInteger, remainderNumbers, type RNumber } from '../number.ts';
import { arg, builtinError, fn, isRNumber } from './args.ts';
import { isValidJSON, marshalCompact, parseJSONText } from './json-text.ts';
import { compileRe2 } from './regex.ts';
import { Re2TooCostly } from './re2-vm.ts';
import { RegexSyntaxError } from './re2.ts';
import type { BuiltinDecl } from './types.ts';

class SchemaError extends Error {}

/** Whether a schema's (already checked) pattern matches; a search too costly to finish is the schema's error. */
function patternMatches(pattern: string, s: string): boolean {
  try {
    return compileRe2(pattern).test(s);
  } catch (e) {
    if (e instanceof Re2TooCostly || e instanceof RegexSyntaxError) throw new SchemaError(`pattern '${pattern}': ${e.message}`);
    throw e;
  }
}

/**
 * A `$ref` pointer's segment as the key it names. Broken percent-encoding is the schema's error
 * (gojsonschema cannot parse the reference either), not a URIError that halts evaluation even
 * where builtin errors are not strict.
 */
function refSegment(ref: string, raw: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    throw new SchemaError(`reference ${ref} is not valid percent-encoding`);
  }
  return decoded.replaceAll('~1', '/').replaceAll('~0', '~');
}

const TYPES = ['array', 'boolean', 'integer', 'number', 'null', 'object', 'string'];

interface Failure {
  readonly field: string;
  readonly type: string;
  readonly desc: string;
}

function loadOperand(v: Value): Value {
  if (typeof v === 'string') {
    if (!isValidJSON(v)) throw new SchemaError('invalid JSON string');
    return parseJSONText(v);
  }
  if (v instanceof RObject || Array.isArray(v)) return v;
  throw new SchemaError('wrong type, expected string or object');
}

function jsonType(v: Value): string {
  if (isRNumber(v)) return isInteger(v) ? 'integer' : 'number';
  const t = typeName(v);
  return t === 'set' ? 'array' : t;
}

function get(s: RObject, k: string): Value | undefined {
  return s.get(k);
}

/** Reject what gojsonschema rejects when compiling a schema (the common cases). */
function checkSchema(s: Value): void {
  if (typeof s === 'boolean') return;
  if (!(s instanceof RObject)) throw new SchemaError(`Invalid type. Expected: object, given: ${jsonType(s)}`);
  const t = get(s, 'type');
  if (t !== undefined) {
    const list = Array.isArray(t) ? (t as RArray) : [t];
    for (const x of list) {
      if (typeof x !== 'string' || !TYPES.includes(x)) {
        throw new SchemaError(`has a primitive type that is NOT VALID -- given: /${typeof x === 'string' ? x : marshalCompact(x)}/ Expected valid values are:[${TYPES.join(' ')}]`);
      }
    }
  }
  const pattern = get(s, 'pattern');
  if (typeof pattern === 'string') {
    try {
      compileRe2(pattern);
    } catch {
      throw new SchemaError(`Invalid regex pattern '${pattern}'`);
    }
  }
  for (const k of ['properties', 'patternProperties', 'definitions', '$defs']) {
    const m = get(s, k);
    if (m instanceof RObject) m.forEach((_, sub) => checkSchema(sub));
  }
  for (const k of ['items', 'additionalItems', 'additionalProperties', 'not', 'if', 'then', 'else', 'contains', 'propertyNames']) {
    const sub = get(s, k);
    if (Array.isArray(sub)) for (const x of sub as RArray) checkSchema(x);
    else if (sub !== undefined) checkSchema(sub);
  }
  for (const k of ['allOf', 'anyOf', 'oneOf']) {
    const sub = get(s, k);
    if (Array.isArray(sub)) for (const x of sub as RArray) checkSchema(x);
  }
  const ref = get(s, '$ref');
  if (typeof ref === 'string' && !ref.startsWith('#')) throw new SchemaError(`remote reference ${ref} is not allowed`);
}

class Validator {
  readonly errors: Failure[] = [];
  private readonly root: Value;
  private depth = 0;

  constructor(root: Value) {
    this.root = root;
  }

  private fail(field: string, type: string, desc: string): void {
    this.errors.push({ field, type, desc });
  }

  private resolve(ref: string): Value {
    let cur: Value | undefined = this.root;
    for (const raw of ref.replace(/^#\/?/, '').split('/').filter((p) => p !== '')) {
      const key = refSegment(ref, raw);
      cur = cur instanceof RObject ? cur.get(key) : Array.isArray(cur) ? (cur as RArray)[Number(key)] : undefined;
    }
    if (cur === undefined) throw new SchemaError(`reference ${ref} not found`);
    return cur;
  }

  /** Validate quietly (for anyOf/oneOf/not/if). */
  private passes(s: Value, v: Value, field: string): boolean {
    const sub = new Validator(this.root);
    sub.depth = this.depth;
    sub.validate(s, v, field);
    return sub.errors.length === 0;
  }

  validate(s: Value, v: Value, field: string): void {
    if (++this.depth > 256) throw new SchemaError('schema nesting too deep');
    try {
      this.check(s, v, field);
    } finally {
      this.depth--;
    }
  }

  private check(s: Value, v: Value, field: string): void {
    if (s === true) return;
    if (s === false) return this.fail(field, 'false', 'False always fails validation');
    if (!(s instanceof RObject)) return;
    const ref = get(s, '$ref');
    if (typeof ref === 'string') return this.validate(this.resolve(ref), v, field);
    const t = get(s, 'type');
    if (t !== undefined) {
      const list = (Array.isArray(t) ? (t as RArray) : [t]) as string[];
      const actual = jsonType(v);
      if (!list.includes(actual) && !(actual === 'integer' && list.includes('number'))) {
        return this.fail(field, 'invalid_type', `Invalid type. Expected: ${list.join(', ')}, given: ${actual}`);
      }
    }
    const en = get(s, 'enum');
    if (Array.isArray(en) && !(en as RArray).some((x) => valuesEqual(x, v))) {
      this.fail(field, 'enum', `${field} must be one of the following: ${(en as RArray).map(marshalCompact).join(', ')}`);
    }
    const cn = get(s, 'const');
    if (cn !== undefined && !valuesEqual(cn, v)) this.fail(field, 'const', `${field} does not match: ${marshalCompact(cn)}`);
    for (const k of ['allOf', 'anyOf', 'oneOf'] as const) {
      const subs = get(s, k);
      if (!Array.isArray(subs)) continue;
      const ok = (subs as RArray).filter((x) => this.passes(x, v, field)).length;
      if (k === 'allOf' && ok < subs.length) this.fail(field, 'number_all_of', 'Must validate all the schemas (allOf)');
      if (k === 'anyOf' && ok === 0) this.fail(field, 'number_any_of', 'Must validate at least one schema (anyOf)');
      if (k === 'oneOf' && ok !== 1) this.fail(field, 'number_one_of', 'Must validate one and only one schema (oneOf)');
    }
    const not = get(s, 'not');
    if (not !== undefined && this.passes(not, v, field)) this.fail(field, 'number_not', 'Must not validate the schema (not)');
    const cond = get(s, 'if');
    if (cond !== undefined) {
      const branch = this.passes(cond, v, field) ? 'then' : 'else';
      const sub = get(s, branch);
      if (sub !== undefined && !this.passes(sub, v, field)) {
        this.fail(field, `condition_${branch}`, `Must validate "${branch}" as "if" was ${branch === 'then' ? 'valid' : 'not valid'}`);
      }
    }
    if (typeof v === 'string') this.checkString(s, v, field);
    else if (isRNumber(v)) this.checkNumber(s, v, field);
    else if (Array.isArray(v) || v instanceof RSet) this.checkArray(s, v instanceof RSet ? v.values() : (v as RArray), field);
    else if (v instanceof RObject) this.checkObject(s, v, field);
  }

  private checkString(s: RObject, v: string, field: string): void {
    const len = Array.from(v).length;
    const min = get(s, 'minLength');
    const max = get(s, 'maxLength');
    if (typeof min === 'number' && len < min) this.fail(field, 'string_gte', `String length must be greater than or equal to ${min}`);
    if (typeof max === 'number' && len > max) this.fail(field, 'string_lte', `String length must be less than or equal to ${max}`);
    const pattern = get(s, 'pattern');
    if (typeof pattern === 'string') {
      if (!patternMatches(pattern, v)) this.fail(field, 'pattern', `Does not match pattern '${pattern}'`);
    }
  }

  private checkNumber(s: RObject, v: RNumber, field: string): void {
    const cmp = (k: string, bad: (c: number) => boolean, type: string, text: string): void => {
      const b = get(s, k);
      if (isRNumber(b) && bad(compareValues(v, b))) this.fail(field, type, `${text} ${marshalCompact(b)}`);
    };
    cmp('minimum', (c) => c < 0, 'number_gte', 'Must be greater than or equal to');
    cmp('maximum', (c) => c > 0, 'number_lte', 'Must be less than or equal to');
    cmp('exclusiveMinimum', (c) => c <= 0, 'number_gt', 'Must be greater than');
    cmp('exclusiveMaximum', (c) => c >= 0, 'number_lt', 'Must be less than');
    const m = get(s, 'multipleOf');
    if (isRNumber(m)) {
      const q = isInteger(v) && isInteger(m) ? remainderNumbers(v, m) : null;
      const ok = q !== null ? q === 0 : isInteger(divideNumbers(v, m));
      if (!ok) this.fail(field, 'multiple_of', `Must be a multiple of ${marshalCompact(m)}`);
    }
  }

  private checkArray(s: RObject, v: readonly Value[], field: string): void {
    const min = get(s, 'minItems');
    const max = get(s, 'maxItems');
    if (typeof min === 'number' && v.length < min) this.fail(field, 'array_min_items', `Array must have at least ${min} items`);
    if (typeof max === 'number' && v.length > max) this.fail(field, 'array_max_items', `Array must have at most ${max} items`);
    if (get(s, 'uniqueItems') === true) {
      for (let i = 0; i < v.length; i++) {
        for (let j = i + 1; j < v.length; j++) {
          if (valuesEqual(v[i] as Value, v[j] as Value)) {
            this.fail(field, 'unique', `array items[${i},${j}] must be unique`);
            i = v.length;
            break;
          }
        }
      }
    }
    const items = get(s, 'items');
    if (Array.isArray(items)) {
      const tuple = items as RArray;
      v.forEach((x, i) => {
        if (i < tuple.length) this.validate(tuple[i] as Value, x, `${field}.${i}`);
      });
      const extra = get(s, 'additionalItems');
      if (extra === false && v.length > tuple.length) this.fail(field, 'array_no_additional_items', 'No additional items allowed on array');
      else if (extra instanceof RObject) v.slice(tuple.length).forEach((x, i) => this.validate(extra, x, `${field}.${i + tuple.length}`));
    } else if (items !== undefined) v.forEach((x, i) => this.validate(items, x, `${field}.${i}`));
    const contains = get(s, 'contains');
    if (contains !== undefined && !v.some((x) => this.passes(contains, x, field))) this.fail(field, 'contains', 'At least one of the items must match');
  }

  private checkObject(s: RObject, v: RObject, field: string): void {
    const at = (k: Value): string => (field === '(root)' ? String(k) : `${field}.${String(k)}`);
    const req = get(s, 'required');
    if (Array.isArray(req)) {
      for (const k of req as RArray) if (!v.has(k)) this.fail(field, 'required', `${String(k)} is required`);
    }
    const min = get(s, 'minProperties');
    const max = get(s, 'maxProperties');
    if (typeof min === 'number' && v.size < min) this.fail(field, 'array_min_properties', `Must have at least ${min} properties`);
    if (typeof max === 'number' && v.size > max) this.fail(field, 'array_max_properties', `Must have at most ${max} properties`);
    const props = get(s, 'properties');
    const patterns = get(s, 'patternProperties');
    const additional = get(s, 'additionalProperties');
    const names = get(s, 'propertyNames');
    v.forEach((k, x) => {
      let matched = false;
      if (props instanceof RObject) {
        const sub = props.get(k);
        if (sub !== undefined) {
          matched = true;
          this.validate(sub, x, at(k));
        }
      }
      if (patterns instanceof RObject && typeof k === 'string') {
        patterns.forEach((p, sub) => {
          if (typeof p !== 'string') return;
          if (patternMatches(p, k)) {
            matched = true;
            this.validate(sub, x, at(k));
          }
        });
      }
      if (!matched && additional === false) this.fail(field, 'additional_property_not_allowed', `Additional property ${String(k)} is not allowed`);
      else if (!matched && additional instanceof RObject) this.validate(additional, x, at(k));
      if (names !== undefined && !this.passes(names, k, at(k))) this.fail(at(k), 'invalid_property_name', `Property name of "${String(k)}" does not match`);
    });
    const deps = get(s, 'dependencies');
    if (deps instanceof RObject) {
      deps.forEach((k, d) => {
        if (!v.has(k)) return;
        if (Array.isArray(d)) {
          for (const r of d as RArray) if (!v.has(r)) this.fail(field, 'missing_dependency', `Has a dependency on ${String(r)}`);
        } else this.validate(d, v, field);
      });
    }
  }
}

function failureValue(f: Failure): Value {
  return RObject.fromEntries([
    ['error', `${f.field}: ${f.desc}`],
    ['type', f.type],
    ['field', f.field],
    ['desc', f.desc],
  ]);
}

export const JSONSCHEMA_BUILTINS: readonly BuiltinDecl[] = [
  fn('json.verify_schema', [{ anyOf: ['string', { objectOf: { key: 'any', value: 'any' } }] }], { arrayOf: { anyOf: ['boolean', 'null', 'string'] } }, (args) => {
    try {
      checkSchema(loadOperand(arg(args, 0)));
      return [true, null];
    } catch (e) {
      if (e instanceof SchemaError) return [false, `jsonschema: ${e.message}`];
      throw e;
    }
  }),
  fn(
    'json.match_schema',
    [{ anyOf: ['string', { objectOf: { key: 'any', value: 'any' } }] }, { anyOf: ['string', { objectOf: { key: 'any', value: 'any' } }] }],
    { arrayOf: { anyOf: ['boolean', { arrayOf: { objectOf: { key: 'string', value: 'any' } } }] } },
    (args) => {
      try {
        const doc = loadOperand(arg(args, 0));
        const schema = loadOperand(arg(args, 1));
        checkSchema(schema);
        const v = new Validator(schema);
        v.validate(schema, doc, '(root)');
        return [v.errors.length === 0, v.errors.map(failureValue)];
      } catch (e) {
        if (e instanceof SchemaError) throw builtinError('json.match_schema', e.message);
        throw e;
      }
    },
  ),
];
