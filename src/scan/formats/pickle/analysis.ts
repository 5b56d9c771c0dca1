/**
 * Judges what the symbolic unpickler does: every import and call is checked against the
 * callable policy, tampering with imported objects is flagged, nested loaders are queued for a
 * scan of their payload. Findings are aggregated per callable (first offset, count) and flushed
 * once, so a million-opcode pickle yields a readable report.
 */
import type { FindingClass, ScanContext, ScanFinding } from '../../types.ts';
import { finding } from '../../engine/findings.ts';
import type { Severity } from '../../../core/index.ts';
import type { BuildEffect, MachineHooks } from './machine.ts';
import { judgeName, type Judgement } from './policy.ts';
import { PAYLOAD_LOADERS } from './policy-data.ts';
import { evaluate, evaluateCallOfCall } from './evaluate.ts';
import { boundMethod, instanceClass, invokedArguments, iteratedObject, pathLikeText } from './usage.ts';
import { isObj, typeName, type PyBytes, type PyCall, type PyGlobal, type PyValue } from './values.ts';
import { encodeLatin1 } from './text.ts';
import { arrayWrapperEffect, classOf, compatWrapperFile, isArrayWrapper } from '../joblib/array-wrapper.ts';
import { pathEscape } from '../common/path-safety.ts';

interface CallableRecord {
  readonly path: string;
  readonly judgement: Judgement;
  readonly offset: number;
  readonly via: string;
  calls: number;
  callOffset: number | undefined;
  callVia: string | undefined;
  /** Calls that only fetched a bound method of a rebuilt object (`getattr(obj, 'method')`). */
  boundMethodCalls: number;
  /** Times an allowlisted function received it in a position it invokes. */
  invoked: number;
  /** A path, URL or command passed to the constructor of a namespace class. */
  textArgument: string | undefined;
}

interface OtherRecord {
  readonly finding: ScanFinding;
  count: number;
}

export interface NestedPayload {
  readonly loader: string;
  readonly mode: 'tolerated' | 'malicious';
  readonly payload: PyBytes;
  readonly offset: number;
}

export interface PickleContext {
  /** Inside a PyTorch archive or legacy file: persistent ids are storages, not anomalies. */
  readonly torch: boolean;
  /**
   * A TorchScript archive: `__torch__.*` names are TorchScript types resolved by the TorchScript
   * type system, and `torch.jit._pickle.*` its own helpers, not Python imports.
   */
  readonly torchscript?: boolean;
}

export class PickleAnalysis implements MachineHooks {
  readonly #callables = new Map<string, CallableRecord>();
  readonly #others = new Map<string, OtherRecord>();
  readonly nested: NestedPayload[] = [];
  readonly persistentIds: PyValue[] = [];
  readonly #ctx: ScanContext;
  readonly #pctx: PickleContext;
  /** Set when joblib array wrappers were seen (the file is a joblib dump). */
  joblib = false;

  constructor(ctx: ScanContext, pctx: PickleContext) {
    this.#ctx = ctx;
    this.#pctx = pctx;
  }

  #judge(g: PyGlobal): Judgement {
    if (this.#pctx.torchscript === true && g.via !== 'derived') {
      if (g.module === '__torch__' || g.module.startsWith('__torch__.')) return { verdict: 'allowed', reason: 'TorchScript type', basis: 'listed' };
    }
    return judgeName(g.module, g.name);
  }

  #record(g: PyGlobal, via: string): CallableRecord {
    let r = this.#callables.get(g.path);
    if (r === undefined) {
      r = {
        path: g.path, judgement: this.#judge(g), offset: g.offset, via, calls: 0, callOffset: undefined, callVia: undefined,
        boundMethodCalls: 0, invoked: 0, textArgument: undefined,
      };
      this.#callables.set(g.path, r);
    }
    return r;
  }

  #other(key: string, make: () => ScanFinding): void {
    const r = this.#others.get(key);
    if (r === undefined) this.#others.set(key, { finding: make(), count: 1 });
    else r.count++;
  }

  onGlobal(g: PyGlobal, opcode: string): void {
    this.#record(g, opcode);
    if (g.path === 'joblib.numpy_pickle.NumpyArrayWrapper') this.joblib = true;
  }

  onDynamicGlobal(module: PyValue, name: PyValue, offset: number): void {
    this.#other(`dyn:${offset}`, () =>
      finding(
        'pickle.global.dynamic',
        'malicious',
        `STACK_GLOBAL imports a name computed at load time (${typeName(module)}, ${typeName(name)}): the callable cannot be verified`,
        { offset, opcode: 'STACK_GLOBAL' },
      ),
    );
  }

  onExt(code: number, offset: number): void {
    this.#other(`ext:${code}`, () =>
      finding(
        'pickle.ext.unregistered',
        'suspicious',
        `EXT opcode names callable #${code} through copyreg's extension registry, which legitimate model files never use`,
        { offset, code },
      ),
    );
  }

  onCall(c: PyCall): PyValue | undefined {
    const fn = c.fn;
    if (isObj(fn) && fn.t === 'global') return this.#callGlobal(fn, c);
    if (isObj(fn) && fn.t === 'ext') {
      this.#other(`extcall:${fn.code}`, () =>
        finding('pickle.call.ext', 'malicious', `calls callable #${fn.code} from copyreg's extension registry`, {
          offset: c.offset,
          opcode: c.via,
          code: fn.code,
        }),
      );
      return undefined;
    }
    if (isObj(fn) && fn.t === 'call') {
      const reached = evaluateCallOfCall(fn, c);
      if (reached !== undefined) {
        const r = this.#record(reached.target, 'derived');
        if (reached.called) this.#noteCall(r, c);
        return reached.called ? undefined : reached.target;
      }
    }
    const what = typeName(fn);
    const cls: FindingClass = isObj(fn) && (fn.t === 'unknown' || fn.t === 'call') ? 'malicious' : 'suspicious';
    this.#other(`computed:${what}:${c.via}`, () =>
      finding(
        'pickle.call.computed',
        cls,
        `${c.via} invokes a ${what === 'call' ? 'value returned by another call' : what} rather than an imported name`,
        { offset: c.offset, opcode: c.via },
      ),
    );
    return undefined;
  }

  #noteCall(r: CallableRecord, c: PyCall): void {
    r.calls++;
    if (r.callOffset === undefined) {
      r.callOffset = c.offset;
      r.callVia = c.via;
    }
  }

  #callGlobal(g: PyGlobal, c: PyCall): PyValue | undefined {
    const r = this.#record(g, g.via);
    this.#noteCall(r, c);
    for (const target of invokedArguments(g.path, c)) {
      const t = this.#record(target, target.via);
      t.invoked++;
      if (t.judgement.basis === 'namespace-class' && t.textArgument === undefined) t.textArgument = pathLikeText(c.args);
    }
    if (r.judgement.basis === 'namespace-class' && r.textArgument === undefined && c.via !== 'NEWOBJ' && c.via !== 'NEWOBJ_EX') {
      r.textArgument = pathLikeText(c.args) ?? pathLikeText(c.kwargs);
    }
    const iterated = iteratedObject(g.path, c);
    if (iterated !== undefined) {
      const of = instanceClass(iterated)?.path ?? 'an object returned by a call';
      this.#other(`iterates:${g.path}:${of}`, () =>
        finding('pickle.iterates-object', 'suspicious', `${g.path} iterates ${of}, which the pickle rebuilt: iterating runs that class's code and whatever callables it holds`, {
          callable: g.path,
          offset: c.offset,
          opcode: c.via,
        }, 'high'),
      );
    }
    const method = boundMethod(g.path, c, (cls) => this.#judge(cls).verdict === 'allowed');
    if (method !== undefined) {
      r.boundMethodCalls++;
      // The method is judged by its dotted name like any stored reference (a planted `unlink`).
      this.#record(method, 'derived');
      return method;
    }
    const loader = PAYLOAD_LOADERS.get(g.path);
    if (loader !== undefined) {
      let payload = isObj(c.args) && c.args.t === 'tuple' ? c.args.items[0] : undefined;
      // A Python 2 str (STRING/BINSTRING) is bytes to a Python 2 loader, or with encoding='bytes'.
      if (typeof payload === 'string') {
        const data = encodeLatin1(payload);
        if (data !== undefined) payload = { t: 'bytes', arg: { kind: 'bytes-arg', offset: -1, length: data.length, data, text: undefined }, mutable: false };
      }
      if (payload !== undefined && isObj(payload) && payload.t === 'bytes') {
        this.nested.push({ loader: g.path, mode: loader, payload, offset: c.offset });
      } else {
        this.#other(`opaque:${g.path}`, () =>
          finding('pickle.loader.opaque', 'malicious', `${g.path} loads a payload that is not a literal byte string`, {
            callable: g.path,
            offset: c.offset,
          }),
        );
      }
      return undefined;
    }
    if (r.judgement.verdict === 'allowed' || r.judgement.verdict === 'malicious') return evaluate(g.path, c);
    return undefined;
  }

  onBuild(target: PyValue, state: PyValue, offset: number): BuildEffect {
    if (isObj(target) && target.t === 'global') {
      this.#other(`build:${target.path}`, () =>
        finding(
          'pickle.build.global',
          'malicious',
          `BUILD sets attributes on the imported object ${target.path}: module state is tampered with while loading`,
          { callable: target.path, offset, opcode: 'BUILD', state: typeName(state) },
        ),
      );
      return { kind: 'none' };
    }
    if (isArrayWrapper(target)) {
      this.joblib = true;
      return arrayWrapperEffect(target);
    }
    const companion = compatWrapperFile(target, state);
    if (companion !== undefined) this.#companionFile(companion.cls, companion.filename, offset);
    if (isObj(target) && (target.t === 'ext' || target.t === 'unknown')) {
      this.#other(`build:${target.t}`, () =>
        finding('pickle.build.unverified', 'suspicious', `BUILD applies state to an object that cannot be identified`, {
          offset,
          opcode: 'BUILD',
        }),
      );
    }
    return { kind: 'none' };
  }

  #companionFile(cls: string, filename: string | null, offset: number): void {
    const loads = cls.endsWith('.NDArrayWrapper') ? 'unpickles (numpy.load with allow_pickle=True)' : 'reads';
    const escape = filename === null ? 'the name is not a literal string' : pathEscape(filename);
    this.#other(`companion:${filename ?? ''}`, () =>
      escape === undefined
        ? finding('joblib.companion-file', 'info', `${cls} ${loads} the companion file ${JSON.stringify(filename)}, which must be scanned too`, { callable: cls, offset, path: filename ?? '' })
        : finding('joblib.companion-file', 'malicious', `${cls} ${loads} ${filename === null ? 'a file' : JSON.stringify(filename)} outside the model's directory (${escape})`, { callable: cls, offset, path: filename ?? '' }, 'critical'),
    );
  }

  onMutate(target: PyValue, opcode: string, offset: number): void {
    if (isObj(target) && target.t === 'global') {
      this.#other(`mutate:${target.path}`, () =>
        finding(
          'pickle.mutate.global',
          'malicious',
          `${opcode} modifies the imported object ${target.path} in place`,
          { callable: target.path, offset, opcode },
        ),
      );
    } else if (isObj(target) && target.t === 'call') {
      const cls = classOf(target);
      if (cls === undefined) {
        this.#other(`mutate:computed:${opcode}`, () =>
          finding('pickle.mutate.computed', 'suspicious', `${opcode} calls methods of an object that cannot be identified`, {
            offset,
            opcode,
          }),
        );
      }
    }
  }

  onPersistentId(pid: PyValue, offset: number): PyValue | undefined {
    if (this.persistentIds.length < 1_000_000) this.persistentIds.push(pid);
    if (!this.#pctx.torch) {
      this.#other('persid', () =>
        finding('pickle.persistent-id', 'info', 'pickle refers to persistent objects the loader must supply', { offset }),
      );
      return undefined;
    }
    // Legacy torch.save persists module classes as ('module', cls, source_file, source):
    // persistent_load returns cls, which the pickle then instantiates.
    const items = isObj(pid) && pid.t === 'tuple' ? pid.items : undefined;
    if (items !== undefined && items[0] === 'module' && items[1] !== undefined) return items[1];
    return undefined;
  }

  onOutOfBandBuffer(offset: number): void {
    this.#other('oob', () =>
      finding('pickle.buffer.out-of-band', 'info', 'pickle refers to out-of-band buffers (protocol 5)', { offset }),
    );
  }

  /**
   * Uses that make a flagged name harmless, and allowed names used harmfully: a trusted-namespace
   * function that is only stored; `getattr` used only to rebuild bound methods; a namespace
   * class constructed with a path, URL or command (reported here, then excused).
   */
  #excused(r: CallableRecord): boolean {
    const j = r.judgement;
    if (j.verdict === 'allowed') {
      if (r.textArgument === undefined) return true;
      this.#ctx.report(
        finding('pickle.callable.text-argument', 'suspicious',
          `constructs ${r.path} with ${JSON.stringify(r.textArgument.slice(0, 80))}: a class of a trusted namespace given a path, URL or command runs its __init__ on it`,
          { callable: r.path, offset: r.callOffset ?? r.offset, opcode: r.callVia ?? r.via }, 'high'),
      );
      return true;
    }
    if (j.basis === 'reference' && r.calls === 0 && r.invoked === 0) return true;
    if (r.path === 'builtins.getattr' && r.calls > 0 && r.calls === r.boundMethodCalls && r.invoked === 0) {
      this.#ctx.report(
        finding('pickle.bound-method', 'info', `getattr rebuilds ${r.calls} bound method(s) of objects the pickle reconstructs`, {
          callable: r.path,
          offset: r.callOffset ?? r.offset,
        }),
      );
      return true;
    }
    return false;
  }

  /** Reports everything aggregated so far (call once, also after errors). */
  flush(): void {
    for (const r of this.#callables.values()) {
      if (this.#excused(r)) continue;
      const malicious = r.judgement.verdict === 'malicious';
      const called = r.calls + r.invoked > 0;
      const severity: Severity = malicious ? 'critical' : called ? 'high' : 'medium';
      const how = r.via === 'derived' ? 'reaches' : 'imports';
      const message = `${how} ${r.path}${called ? ` and calls it${r.calls > 1 ? ` ${r.calls} times` : ''}` : ''}: ${r.judgement.reason}`;
      this.#ctx.report(
        finding(malicious ? 'pickle.callable.malicious' : 'pickle.callable.unlisted', r.judgement.verdict === 'malicious' ? 'malicious' : 'suspicious', message, {
          callable: r.path,
          offset: r.offset,
          opcode: r.via,
          ...(called ? { calls: r.calls, callOffset: r.callOffset ?? r.offset, callOpcode: r.callVia ?? '' } : {}),
        }, severity),
      );
    }
    for (const r of this.#others.values()) {
      const f = r.finding;
      this.#ctx.report(r.count > 1 ? { ...f, evidence: { ...f.evidence, count: r.count } } : f);
    }
    this.#callables.clear();
    this.#others.clear();
  }
}
