/**
 * Batch evaluation: one compiled policy evaluated against a run of similar inputs (the versions
 * of one package share most of their facts). Rule values, and each branch of a multi-value
 * rule, are kept with the input reads that produced them; the next evaluation reuses them when
 * those reads give the same answers, so only what reads a changed part of the input runs again.
 *
 * Reads are reported by the input's lazily converted objects (`RObject.trackedFromJSON`):
 * - a member lookup records the member: absent, a scalar and its value, an array (compared
 *   whole), or an object — whose own reads are then recorded as they happen;
 * - anything that enumerates an object (size, keys, iteration, equality, conversion) records
 *   the whole object;
 * - a stored value that holds an object of the input records that object whole (the value
 *   carries its content, read or not).
 * A computation's log also records each rule value it used, with the value it got (a dependency),
 * in the order of first use among its reads. A stored value is reused when every entry of its
 * log still holds, checked in that order: a read gives the same answer, a dependency comes out
 * equal when computed for the current input (reused itself, or computed again). A value read
 * from a changed part of the input thus stops there when it comes out the same (early cut-off):
 * a version's publication time makes `in_cooldown` run again, but the rules that use it are
 * reused while it stays false. Checking in order computes no rule that the computation being
 * checked would not have computed itself: up to a dependency, everything it observed is the
 * same, so it would have reached that rule too (and its errors are the computation's errors).
 * The logs of a multi-value rule's branches, of documents built from rules and of rules with
 * variables in their path are copied into the logs of their users instead. Reuse is sound
 * because evaluation is deterministic given the policy, `data`, the clock, the strictness and
 * what was read from the input; a batch is therefore tied to one policy, one clock and one
 * strictness, and forgets everything when any of them changes. Builtins that answer
 * differently on every evaluation (`rand.intn`, `uuid.rfc4122`) make the computations that
 * call them never reused.
 */
import { isArray, isJSONObject, type ReadObserver, RObject, RSet, type Value, valuesEqual } from '../value.ts';

const ABSENT = 0;
const SCALAR = 1;
const OBJECT = 2;
const DEEP = 3;
const SAME = 4;
const WHOLE = 5;
/** A rule value used: the entry's slot is the rule's node id, its raw the `RuleMemo`. */
const DEP = 6;

/** Distinct input reads (paths and members) a batch numbers; past this it stops reusing. */
const MAX_SLOTS = 20_000;
/** Entries one log records; past this the computation is not kept for reuse. */
const MAX_LOG_ENTRIES = 4_096;

/**
 * What one computation observed, in order of first use: input reads (a slot — an object's
 * member, or an object whole —, how it is compared, and what it gave) and the rule values it
 * used (a node id, DEP, and the node with its value).
 */
export class ReadLog {
  readonly slots: number[] = [];
  readonly kinds: number[] = [];
  readonly raws: unknown[] = [];
  /** Never to be reused (volatile builtin, too many reads). */
  volatile = false;
  /** The input (epoch) the log was last checked against, and the answer. */
  epoch: number;
  ok = true;
  /** Tells logs apart in the batch's duplicate marks. */
  readonly serial: number;

  constructor(epoch: number, serial: number) {
    this.epoch = epoch;
    this.serial = serial;
  }
}

/**
 * A rule's value for one input, with its log: stored for reuse, and the dependency its users
 * record (the evaluator computes the rule at `node` again to check it).
 */
export interface RuleMemo {
  /** The node's id (its dependents' log entries are keyed by it). */
  readonly id: number;
  readonly node: object;
  readonly value: Value | undefined;
  readonly log: ReadLog;
}

interface BranchMemo {
  readonly log: ReadLog;
  readonly values: readonly Value[];
}

/** The value of a rule's node for the input being evaluated: reused, or computed. */
export type RuleValue = (node: object) => Value | undefined;

/** A log that records nothing. */
function volatileLog(): ReadLog {
  const log = new ReadLog(-1, -1);
  log.volatile = true;
  return log;
}

const NOT_OBJECT: unique symbol = Symbol('not an object');
type Resolved = Readonly<Record<string, unknown>> | typeof NOT_OBJECT;

/** How a member's raw JSON is compared on the next input. */
function kindOf(raw: unknown): number {
  if (raw === undefined) return ABSENT;
  if (raw === null) return SCALAR;
  switch (typeof raw) {
    case 'string':
    case 'boolean':
    case 'number':
    case 'bigint':
      return SCALAR;
    case 'object':
      if (Array.isArray(raw)) return DEEP;
      return isJSONObject(raw) ? OBJECT : SAME;
    default:
      return SAME;
  }
}

/** Equality of JSON as `fromJSON` reads it (members set to undefined do not exist). */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (!isJSONObject(a) || !isJSONObject(b)) return false;
  let n = 0;
  for (const k of Object.keys(a)) {
    const x = a[k];
    if (x === undefined) continue;
    n++;
    if (!Object.hasOwn(b, k) || !jsonEqual(x, b[k])) return false;
  }
  for (const k of Object.keys(b)) if (b[k] !== undefined) n--;
  return n === 0;
}

/**
 * The reuse state of a batch (see the file comment). `EvalBatch` is its public face; the
 * evaluator talks to this class.
 */
export class EvalMemo implements ReadObserver {
  /**
   * Slots: a member `key` of the object at path `pid`, or (key null) that object whole. An
   * object's path is named by the slot that holds it: path 0 is the input, path s + 1 the object
   * in member slot s.
   */
  readonly #slotPid: number[] = [];
  readonly #slotKey: (string | null)[] = [];
  /** Slots of each path's members, by key, and of the path whole. */
  readonly #members: (Map<string, number> | undefined)[] = [];
  readonly #wholeSlot: number[] = [];
  #nodes: (RuleMemo | undefined)[] = [];
  #branches = new Map<object, BranchMemo>();
  readonly #stack: ReadLog[] = [];
  #epoch = 0;
  #input: unknown = undefined;
  /** What each slot reads in the current input, looked up once per input. */
  readonly #slotValue: unknown[] = [];
  readonly #slotAt: number[] = [];
  #owner: unknown = null;
  #strict = false;
  #nowNs = 0n;
  /**
   * The log each slot was last added to: a repeated read is not added twice in a row. (A slot
   * read in a parent, then in a child, then in the parent again is listed twice; harmless.)
   */
  readonly #marks: number[] = [];
  /** The same, for each rule node a log depends on (by node id). */
  readonly #depMarks: number[] = [];
  #serial = 0;
  /** Computes a dependency again; set for each evaluation by `attach`. */
  #ruleValue: RuleValue | null = null;
  /**
   * Takes what checking a dependency logs (the rule computed, the comparison's reads): a check
   * is no part of the computation that asked for it, which records the dependency itself.
   * Volatile, so it records nothing.
   */
  readonly #sink = volatileLog();
  /** The node-indexed arrays of the evaluation in progress (see `scratch`). */
  #scratch: [unknown[], unknown[]] = [[], []];
  /** Rule values and branches reused, and rule values computed (for tests and benchmarks). */
  reused = 0;
  computed = 0;

  /**
   * Starts an evaluation of `input` (plain JSON). Returns false when this input cannot be
   * evaluated with reuse (not a JSON object): evaluate it plainly.
   */
  begin(owner: unknown, strict: boolean, nowNs: bigint, input: unknown): boolean {
    if (owner !== this.#owner || strict !== this.#strict || nowNs !== this.#nowNs) {
      this.#owner = owner;
      this.#strict = strict;
      this.#nowNs = nowNs;
      this.#nodes = [];
      this.#branches = new Map();
    }
    this.#stack.length = 0;
    if (!isJSONObject(input) || this.#slotPid.length > MAX_SLOTS) return false;
    this.#epoch++;
    this.#input = input;
    return true;
  }

  /** How this evaluation computes a dependency again (see `RuleValue`). */
  attach(ruleValue: RuleValue): void {
    this.#ruleValue = ruleValue;
  }

  /**
   * Two arrays of `n` empty entries for an evaluation's rule values and memos by node id. An
   * evaluation of the batch ends before the next begins, so each takes the same two instead of
   * allocating its own.
   */
  scratch(n: number): [unknown[], unknown[]] {
    const s = this.#scratch;
    for (const a of s) {
      if (a.length !== n) a.length = n;
      a.fill(undefined);
    }
    return s;
  }

  /** Ends an evaluation. */
  end(): void {
    this.#stack.length = 0;
    this.#input = undefined;
    this.#ruleValue = null;
  }

  // --- recording -----------------------------------------------------------------------------

  member(pid: number, key: string, raw: unknown): number {
    const kind = kindOf(raw);
    const slot = this.#memberSlot(pid, key);
    const top = this.#stack[this.#stack.length - 1];
    // An object member is compared by kind only: its own reads are recorded as they happen.
    if (top !== undefined) this.#add(top, slot, kind, kind === OBJECT ? null : raw);
    return kind === OBJECT ? slot + 1 : -1;
  }

  path(pid: number, key: string): number {
    return this.#memberSlot(pid, key) + 1;
  }

  whole(pid: number, src: Readonly<Record<string, unknown>>): void {
    const top = this.#stack[this.#stack.length - 1];
    if (top === undefined) return;
    let slot = this.#wholeSlot[pid];
    if (slot === undefined) {
      slot = this.#newSlot(pid, null);
      this.#wholeSlot[pid] = slot;
    }
    this.#add(top, slot, WHOLE, src);
  }

  #add(log: ReadLog, slot: number, kind: number, raw: unknown): void {
    // Never checked (never stored, and its users become volatile too).
    if (log.volatile) return;
    const marks = kind === DEP ? this.#depMarks : this.#marks;
    if (marks[slot] === log.serial) return;
    marks[slot] = log.serial;
    if (log.slots.length >= MAX_LOG_ENTRIES) {
      log.volatile = true;
      return;
    }
    log.slots.push(slot);
    log.kinds.push(kind);
    log.raws.push(raw);
  }

  /** Makes every computation in progress never reused (a volatile builtin ran). */
  volatile(): void {
    for (const l of this.#stack) l.volatile = true;
  }

  /** `volatile`, bound once, for the builtins of each evaluation of the batch. */
  readonly onVolatile = (): void => this.volatile();

  #memberSlot(pid: number, key: string): number {
    let m = this.#members[pid];
    if (m === undefined) this.#members[pid] = m = new Map();
    let slot = m.get(key);
    if (slot === undefined) {
      slot = this.#newSlot(pid, key);
      m.set(key, slot);
    }
    return slot;
  }

  #newSlot(pid: number, key: string | null): number {
    const slot = this.#slotPid.length;
    this.#slotPid.push(pid);
    this.#slotKey.push(key);
    this.#marks.push(-1);
    // Too many distinct reads: what is in progress is not kept, and later inputs run plainly.
    if (slot > MAX_SLOTS) this.volatile();
    return slot;
  }

  /**
   * Runs a computation with its own log (its reads go there). Returns the value and the log; the
   * caller then lets the computation in progress `use` the log or `depend` on the value.
   */
  logged<T>(compute: () => T): [T, ReadLog] {
    const log = new ReadLog(this.#epoch, this.#serial++);
    this.#stack.push(log);
    let v: T;
    try {
      v = compute();
    } finally {
      if (this.#stack.pop() !== log) throw new Error('internal: read logs closed out of order');
    }
    return [v, log];
  }

  /**
   * The computation in progress used the value of a rule: it records the dependency, not the
   * rule's reads. A volatile rule makes it volatile.
   */
  depend(rule: RuleMemo): void {
    const top = this.#stack[this.#stack.length - 1];
    if (top === undefined || top === rule.log) return;
    if (rule.log.volatile) top.volatile = true;
    this.#add(top, rule.id, DEP, rule);
  }

  /**
   * The computation in progress includes one whose log is `log` (a branch of a multi-value
   * rule, a document built from rules): its entries are copied in.
   */
  use(log: ReadLog | undefined): void {
    if (log === undefined) return;
    const top = this.#stack[this.#stack.length - 1];
    if (top === undefined || top === log) return;
    if (log.volatile) top.volatile = true;
    const { slots, kinds, raws } = log;
    for (let i = 0; i < slots.length; i++) this.#add(top, slots[i] as number, kinds[i] as number, raws[i]);
  }

  /**
   * Records, in the log in progress, every object of the input that `v` holds, whole: a value
   * stored for reuse carries the content of those objects whether or not it was read. Returns `v`.
   */
  seal<V extends Value | undefined>(v: V): V {
    if (v === undefined || v === null || typeof v !== 'object') return v;
    if (isArray(v)) {
      for (const x of v) this.seal(x);
    } else if (v instanceof RSet) {
      for (const x of v.values()) this.seal(x);
    } else if (v instanceof RObject) {
      const t = v.trackedAs();
      if (t !== null) this.whole(t.pid, t.src);
      // A lazy object not from the input holds only what `fromJSON` made of plain JSON.
      else if (!v.isLazy) v.forEach((_k, x) => void this.seal(x));
    }
    return v;
  }

  // --- reuse ---------------------------------------------------------------------------------

  node(id: number): RuleMemo | undefined {
    const m = this.#nodes[id];
    if (m === undefined || !this.#valid(m.log)) return undefined;
    this.reused++;
    return m;
  }

  /** Keeps a computed rule value for reuse (unless volatile); returns it as its users' dependency. */
  storeNode(id: number, node: object, log: ReadLog, value: Value | undefined): RuleMemo {
    this.computed++;
    const m: RuleMemo = { id, node, value, log };
    if (!log.volatile) this.#nodes[id] = m;
    return m;
  }

  branch(plan: object): BranchMemo | undefined {
    const m = this.#branches.get(plan);
    if (m === undefined || !this.#valid(m.log)) return undefined;
    this.reused++;
    return m;
  }

  storeBranch(plan: object, log: ReadLog, values: readonly Value[]): void {
    if (!log.volatile) this.#branches.set(plan, { log, values });
  }

  /** Whether every entry of `log` holds for the current input, checked in order (see the file comment). */
  #valid(log: ReadLog): boolean {
    if (log.volatile) return false;
    if (log.epoch === this.#epoch) return log.ok;
    let ok = true;
    const { slots, kinds, raws } = log;
    for (let i = 0; ok && i < slots.length; i++) {
      const kind = kinds[i] as number;
      ok = kind === DEP ? this.#depHolds(raws[i] as RuleMemo) : this.#holds(slots[i] as number, kind, raws[i]);
    }
    log.epoch = this.#epoch;
    log.ok = ok;
    return ok;
  }

  /**
   * Whether a dependency's rule comes out equal for the current input. A rule that throws
   * throws here (the computation being checked would have thrown); the evaluation then ends,
   * and with it the stack.
   */
  #depHolds(dep: RuleMemo): boolean {
    const ruleValue = this.#ruleValue;
    if (ruleValue === null) return false;
    const stack = this.#stack;
    stack.push(this.#sink);
    const cur = ruleValue(dep.node);
    const old = dep.value;
    const same = cur === old || (cur !== undefined && old !== undefined && valuesEqual(cur, old));
    stack.pop();
    return same;
  }

  #holds(slot: number, kind: number, raw: unknown): boolean {
    const cur = this.#read(slot);
    switch (kind) {
      case ABSENT:
        return cur === undefined;
      case SCALAR:
      case SAME:
        return cur === raw;
      case OBJECT:
        return isJSONObject(cur);
      default:
        // DEEP, WHOLE
        return cur !== NOT_OBJECT && jsonEqual(cur, raw);
    }
  }

  /** What a slot reads in the current input (NOT_OBJECT when its object is not there). */
  #read(slot: number): unknown {
    if (this.#slotAt[slot] === this.#epoch) return this.#slotValue[slot];
    const obj = this.#path(this.#slotPid[slot] as number);
    const key = this.#slotKey[slot] as string | null;
    let v: unknown;
    if (obj === NOT_OBJECT) v = NOT_OBJECT;
    else if (key === null) v = obj;
    else v = Object.hasOwn(obj, key) ? obj[key] : undefined;
    this.#slotValue[slot] = v;
    this.#slotAt[slot] = this.#epoch;
    return v;
  }

  /** The object at a path in the current input, or NOT_OBJECT. */
  #path(pid: number): Resolved {
    if (pid === 0) return this.#input as Readonly<Record<string, unknown>>;
    const v = this.#read(pid - 1);
    return isJSONObject(v) ? v : NOT_OBJECT;
  }

  /** The input converted for this evaluation, reporting its reads. */
  track(input: Readonly<Record<string, unknown>>): RObject {
    return RObject.trackedFromJSON(input, this, 0);
  }
}
