/**
 * Analysis of a Keras model configuration (`.keras` `config.json`, the legacy HDF5
 * `model_config`/`training_config` attributes, SavedModel Keras metadata, `model.to_json()`).
 * Every object spec in the tree is judged, wherever it is nested:
 *
 * - Lambda-style code: Keras 3 `__lambda__` objects and Keras 2 `function_type: "lambda"` carry
 *   marshalled Python bytecode that runs at load (CVE-2024-3660); any string that decodes to a
 *   marshalled code object is treated the same way, whatever key holds it;
 * - references: `module`/`class_name`/`registered_name` outside Keras (CVE-2025-1550 imports the
 *   module), function references to loaders/downloaders/configuration (CVE-2025-8747,
 *   CVE-2025-9906), TFOpLambda calls into `tf.io` and friends;
 * - file paths in configs (lookup-layer vocabularies, CVE-2025-12058) that are absolute, climb
 *   out or are URLs;
 * - classes Keras does not know: custom objects (suspicious).
 */
import type { ScanContext } from '../../types.ts';
import { checkAborted, report } from '../common/findings.ts';
import { pathEscape } from '../common/path-safety.ts';
import type { JsonObject, JsonValue } from '../common/strict-json.ts';
import { isJsonObject } from '../common/strict-json.ts';
import { KERAS_CLASS_NAMES, LAMBDA_CLASSES } from './known-classes.ts';
import type { RefVerdict } from './references.ts';
import { isKerasModule, isKerasPackage, judgeClassModule, judgeFunction, judgeTfSymbol } from './references.ts';

export interface KerasConfigSource {
  /** Where the JSON came from, for messages: `config.json`, `model_config attribute` … */
  readonly origin: string;
  /** Rule prefix, `keras`. */
  readonly prefix: string;
}

const MAX_NODES = 5_000_000;
const PATH_KEYS = new Set(['vocabulary', 'filepath', 'file_path', 'path', 'fname', 'origin', 'cache_dir', 'vocabulary_path', 'vocab_file', 'idf_weights', 'merges', 'proto']);
/** Config fields Keras layers read from disk (or any TF file system URL) when the model loads. */
const LOADED_PATH_KEYS = new Set(['vocabulary', 'vocabulary_path', 'vocab_file', 'idf_weights', 'merges', 'proto']);

interface Walk {
  readonly ctx: ScanContext;
  readonly src: KerasConfigSource;
  nodes: number;
  readonly reported: Set<string>;
}

/** Analyses a parsed config; returns true when it looks like a Keras object tree at all. */
export function analyzeKerasConfig(ctx: ScanContext, root: JsonValue, src: KerasConfigSource): boolean {
  const w: Walk = { ctx, src, nodes: 0, reported: new Set() };
  let kerasShaped = false;
  const visit = (v: JsonValue, path: string, depth: number): void => {
    if (++w.nodes % 65536 === 0) checkAborted(ctx, `${src.prefix}.deadline`);
    if (w.nodes > MAX_NODES) return;
    if (typeof v === 'string') {
      bytecodeString(w, v, path);
      return;
    }
    if (Array.isArray(v)) {
      v.forEach((x, i) => visit(x, `${path}[${i}]`, depth + 1));
      return;
    }
    if (!isJsonObject(v)) return;
    if (typeof v.get('class_name') === 'string') {
      kerasShaped = true;
      objectSpec(w, v, path);
    }
    legacyLambdaFields(w, v, path);
    for (const [k, x] of v) visit(x, path === '' ? k : `${path}.${k}`, depth + 1);
  };
  visit(root, '', 0);
  if (w.nodes > MAX_NODES) {
    report(ctx, `${src.prefix}.config.limit`, 'unscannable', `${src.origin} has more than ${MAX_NODES} values; the rest was not analysed`);
  }
  return kerasShaped;
}

function once(w: Walk, key: string): boolean {
  if (w.reported.has(key)) return false;
  w.reported.add(key);
  return true;
}

/** One bytecode finding per Lambda: nested paths of an already reported one are the same code. */
function lambdaOnce(w: Walk, path: string): boolean {
  for (const k of w.reported) {
    if (!k.startsWith('lambda:')) continue;
    const p = k.slice('lambda:'.length);
    if (path === p || path.startsWith(`${p}.`) || path.startsWith(`${p}[`) || p.startsWith(`${path}.`)) return false;
  }
  w.reported.add(`lambda:${path}`);
  return true;
}

function str(v: JsonValue | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function layerName(spec: JsonObject): string {
  const cfg = spec.get('config');
  const name = isJsonObject(cfg) ? str(cfg.get('name')) : undefined;
  return name ?? str(spec.get('name')) ?? '?';
}

function objectSpec(w: Walk, spec: JsonObject, path: string): void {
  const { ctx, src } = w;
  const className = str(spec.get('class_name')) ?? '';
  const module = str(spec.get('module'));
  const registered = str(spec.get('registered_name'));
  const cfg = spec.get('config');
  const at = { path: path === '' ? '(root)' : path, class_name: className, ...(module === undefined ? {} : { module }) };

  if (className === '__lambda__') {
    if (lambdaOnce(w, path)) {
      report(ctx, `${src.prefix}.lambda.bytecode`, 'malicious', `${src.origin}: serialized Python lambda (marshalled bytecode runs at load, CVE-2024-3660) at ${at.path}`, at);
    }
    return;
  }
  if (className === 'function') {
    const fn = str(cfg) ?? registered ?? '';
    judged(w, judgeFunction(module, fn), 'function', `function reference ${module ?? ''}.${fn}`, at);
    return;
  }
  if (LAMBDA_CLASSES.has(className)) lambdaLayer(w, className, spec, at);
  if (isJsonObject(cfg)) pathFields(w, cfg, path === '' ? 'config' : `${path}.config`);

  if (module !== undefined) {
    judged(w, judgeClassModule(module), 'module', `class ${className} from module ${module}`, at);
    // Keras looks `class_name` up in the module with getattr: a lowercase name is a function.
    if (isKerasModule(module) && /^[a-z_]/.test(className)) judged(w, judgeFunction(module, className), 'function', `function ${module}.${className} used as a class`, at);
  } else if (!KERAS_CLASS_NAMES.has(className) && !LAMBDA_CLASSES.has(className) && once(w, `custom:${className}`)) {
    report(ctx, `${src.prefix}.class.custom`, 'suspicious', `${src.origin}: custom object class ${JSON.stringify(className)} needs code outside Keras to load`, at, 'low');
  }
  const pkg = registered?.split('>')[0];
  if (registered !== undefined && pkg !== undefined && registered.includes('>') && !isKerasPackage(pkg) && once(w, `registered:${registered}`)) {
    report(ctx, `${src.prefix}.class.registered`, 'suspicious', `${src.origin}: custom registered object ${JSON.stringify(registered)} needs its package's code`, at, 'low');
  }
}

function lambdaLayer(w: Walk, className: string, spec: JsonObject, at: Readonly<Record<string, string>>): void {
  const cfg = spec.get('config');
  if (!isJsonObject(cfg)) return;
  const fn = cfg.get('function');
  const name = layerName(spec);
  if (className === 'TFOpLambda' || className === 'SlicingOpLambda') {
    const symbol = str(fn) ?? '';
    judged(w, judgeTfSymbol(symbol), 'tf-op', `${className} layer ${JSON.stringify(name)} calls tf.${symbol}`, at);
    return;
  }
  // Keras 2: function is [code, defaults, closure] with function_type "lambda", or a name with a module.
  const ftype = str(cfg.get('function_type'));
  if (ftype === 'function' && typeof fn === 'string') {
    judged(w, judgeFunction(str(cfg.get('module')), fn), 'function', `Lambda layer ${JSON.stringify(name)} calls ${str(cfg.get('module')) ?? ''}.${fn}`, at);
  } else if (ftype === 'lambda' || ftype === 'raw' || Array.isArray(fn)) {
    if (lambdaOnce(w, at['path'] ?? '')) {
      report(w.ctx, `${w.src.prefix}.lambda.bytecode`, 'malicious', `${w.src.origin}: Lambda layer ${JSON.stringify(name)} carries marshalled Python bytecode (runs at load, CVE-2024-3660)`, at);
    }
  } else if (isJsonObject(fn) && str(fn.get('class_name')) === 'function') {
    // Keras 3 function reference: judged when the walk reaches it; a Lambda calling it with
    // config-supplied arguments is how CVE-2025-9906 disabled safe_mode.
  } else if (fn !== undefined && !isJsonObject(fn)) {
    report(w.ctx, `${w.src.prefix}.lambda.unknown`, 'suspicious', `${w.src.origin}: Lambda layer ${JSON.stringify(name)} has an unrecognised function form`, at, 'high');
  }
}

/** Keras 2 layers with callable fields beside Lambda (`output_shape_type`, `mask_type`, custom layers). */
function legacyLambdaFields(w: Walk, obj: JsonObject, path: string): void {
  for (const [k, v] of obj) {
    if (!k.endsWith('_type') || v !== 'lambda') continue;
    const field = k.slice(0, -'_type'.length);
    if (obj.has(field) && obj.get(field) !== null && lambdaOnce(w, `${path}.${field}`)) {
      report(w.ctx, `${w.src.prefix}.lambda.bytecode`, 'malicious', `${w.src.origin}: ${path}.${field} is a serialized Python lambda (CVE-2024-3660)`, { path: `${path}.${field}` });
    }
  }
}

/**
 * File paths in a layer's config. Lookup-layer vocabularies are read at load time
 * (CVE-2025-12058: any path or URL TensorFlow's file system reaches); other path-like fields are
 * not read by Keras itself but point outside the model for whatever code uses them.
 */
function pathFields(w: Walk, cfg: JsonObject, path: string): void {
  for (const [k, v] of cfg) {
    if (!PATH_KEYS.has(k) || typeof v !== 'string' || v.length === 0) continue;
    const escape = pathEscape(v);
    const where = `${path}.${k}`;
    const loaded = LOADED_PATH_KEYS.has(k);
    if (!once(w, `path:${where}`)) continue;
    if (escape !== undefined) {
      report(w.ctx, `${w.src.prefix}.config.path-escape`, loaded ? 'malicious' : 'suspicious', `${w.src.origin}: ${where} points at ${JSON.stringify(v)} (${escape})${loaded ? '; loading reads it (CVE-2025-12058)' : ''}`, { path: where, value: v }, 'high');
    } else if (loaded) {
      report(w.ctx, `${w.src.prefix}.config.file-reference`, 'suspicious', `${w.src.origin}: ${where} loads a file ${JSON.stringify(v)} at load time`, { path: where, value: v }, 'low');
    }
  }
}

function judged(w: Walk, v: RefVerdict, kind: string, what: string, at: Readonly<Record<string, string>>): void {
  if (v.level === 'ok') return;
  if (!once(w, `${kind}:${v.level}:${what}`)) return;
  if (v.level === 'dangerous') {
    report(w.ctx, `${w.src.prefix}.reference.dangerous`, 'malicious', `${w.src.origin}: ${what} — ${v.why}`, at);
  } else {
    report(w.ctx, `${w.src.prefix}.reference.custom`, 'suspicious', `${w.src.origin}: ${what} — ${v.why}`, at);
  }
}

/**
 * Base64 text that decodes to a marshalled Python code object is bytecode, wherever it sits: the
 * type byte `c` (0x63, or 0xe3 with FLAG_REF) followed by small little-endian int32 counts
 * (argcount, posonlyargcount, kwonlyargcount …), which is what `marshal.dumps(fn.__code__)`
 * starts with on every Python 3 version.
 */
function bytecodeString(w: Walk, s: string, path: string): void {
  if (s.length < 32 || s.length > 16 << 20) return;
  const head = s.slice(0, 64).replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]{28}/.test(head) || !/^[A-Za-z0-9+/=\s]+$/.test(s)) return;
  const b = Buffer.from(head.slice(0, 28), 'base64');
  if (b.length < 21 || (b[0] !== 0xe3 && b[0] !== 0x63)) return;
  for (const at of [1, 5, 9]) if (b.readUInt32LE(at) > 255) return;
  if (lambdaOnce(w, path)) {
    report(w.ctx, `${w.src.prefix}.lambda.bytecode`, 'malicious', `${w.src.origin}: ${path} holds marshalled Python bytecode (CVE-2024-3660)`, { path });
  }
}
