/**
 * A linear-time matcher for parsed RE2 patterns: a Pike VM, as RE2 and Go's regexp run. The
 * pattern compiles to a program of a few instruction kinds; the threads of the program advance
 * through the input one character at a time, in priority order (leftmost-first: earlier
 * alternatives and, for greedy repetitions, one more iteration first), and a thread reaching an
 * instruction another thread of higher priority already reached at the same position is dropped.
 * A match therefore costs at most the input's length times the program's size, whatever the
 * pattern: no input makes it backtrack. Captures follow RE2 (a group inside a repetition keeps
 * its last iteration's text), where JavaScript forgets them at each iteration.
 *
 * regex.ts runs a pattern here when V8 cannot run it on its own linear-time engine (repetition
 * counts above 16, Unicode property classes, `(?m)$`) or would find other matches than RE2
 * (`sameOnV8` in re2.ts). Its work is bounded twice: a program may
 * hold at most `MAX_PROGRAM` instructions (else RE2's "expression too large"), and one search may
 * take at most `stepLimit` thread steps (else `Re2TooCostly`), so a large pattern on a large
 * input fails clearly instead of holding the event loop.
 */
import { RegexSyntaxError, type Re2Assertion, type Re2Node, type Re2Syntax } from './re2.ts';
import { normalize } from './re2-charset.ts';

/** Instructions one program may hold (RE2 refuses patterns past its own size limit the same way). */
export const MAX_PROGRAM = 100_000;
/**
 * Thread steps one search may take: `MAX_STEPS`, plus `STEPS_PER_CHARACTER` for each character
 * of the input, so that a small program runs over the longest input the builtins accept (4 MiB)
 * while a large one stops early. 0.1-0.3 s of this machine's CPU for the fixed part (a
 * 1,000-instruction program whose every thread lives, on 5,000 characters), about as much again
 * for 4 MiB at the per-character rate; far past what a policy's patterns take on package metadata.
 */
const MAX_STEPS = 10_000_000;
const STEPS_PER_CHARACTER = 8;

/** The step bound of a search over `length` characters. */
function stepLimit(length: number): number {
  return MAX_STEPS + STEPS_PER_CHARACTER * length;
}

/** A search would take more than its step bound (`stepLimit`). */
export class Re2TooCostly extends Error {
  constructor(length: number) {
    super(`matching this pattern against ${length} characters would take more than ${stepLimit(length)} steps`);
    this.name = 'Re2TooCostly';
  }
}

/** A match: where it starts and ends (UTF-16 indexes), and each group's text (0: the whole match). */
export interface Re2Match {
  readonly index: number;
  readonly end: number;
  readonly groups: readonly (string | undefined)[];
}

const LIT = 0;
const SET = 1;
const SPLIT = 2;
const JMP = 3;
const SAVE = 4;
const ASSERT = 5;
const MATCH = 6;

const ASSERTION_CODES: Readonly<Record<Re2Assertion, number>> = {
  'text-start': 0,
  'text-end': 1,
  'line-start': 2,
  'line-end': 3,
  word: 4,
  'not-word': 5,
};

/** One character class of a program. */
interface CharTest {
  /** Sorted, merged ranges, flattened: lo, hi, lo, hi, … */
  readonly ranges: Int32Array;
  readonly negated: boolean;
  /** Unicode property classes (u mode), tested on the character itself. */
  readonly props: RegExp | null;
  /** Non-u patterns never match half of a surrogate pair, nor a lone surrogate (as V8 runs them). */
  readonly surrogates: boolean;
  /** The last character tested, and the answer: every thread at one position tests the same one. */
  lastCp: number;
  lastHit: boolean;
}

function inRanges(r: Int32Array, cp: number): boolean {
  let lo = 0;
  let hi = r.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cp < (r[2 * mid] as number)) hi = mid - 1;
    else if (cp > (r[2 * mid + 1] as number)) lo = mid + 1;
    else return true;
  }
  return false;
}

function matchesSet(t: CharTest, cp: number): boolean {
  if (t.lastCp === cp) return t.lastHit;
  let hit = false;
  if (t.surrogates || cp < 0xd800 || cp > 0xdfff) {
    const member = inRanges(t.ranges, cp) || (t.props !== null && t.props.test(String.fromCodePoint(cp)));
    hit = member !== t.negated;
  }
  t.lastCp = cp;
  t.lastHit = hit;
  return hit;
}

function isWordUnit(s: string, i: number): boolean {
  if (i < 0 || i >= s.length) return false;
  const c = s.charCodeAt(i);
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || (c >= 0x61 && c <= 0x7a);
}

function holds(code: number, s: string, i: number): boolean {
  switch (code) {
    case 0:
      return i === 0;
    case 1:
      return i === s.length;
    case 2:
      return i === 0 || s.charCodeAt(i - 1) === 0x0a;
    case 3:
      return i === s.length || s.charCodeAt(i) === 0x0a;
    case 4:
      return isWordUnit(s, i - 1) !== isWordUnit(s, i);
    default:
      return isWordUnit(s, i - 1) === isWordUnit(s, i);
  }
}

/** The instructions, as parallel arrays: the kind, and its operands. */
class Builder {
  readonly op: number[] = [];
  readonly x: number[] = [];
  readonly y: number[] = [];
  readonly sets: CharTest[] = [];
  readonly #unicode: boolean;
  readonly #pattern: string;
  readonly #setIndex = new Map<Re2Node, number>();

  constructor(unicode: boolean, pattern: string) {
    this.#unicode = unicode;
    this.#pattern = pattern;
  }

  emit(op: number, x = 0, y = 0): number {
    if (this.op.length >= MAX_PROGRAM) throw new RegexSyntaxError('expression too large', this.#pattern);
    this.op.push(op);
    this.x.push(x);
    this.y.push(y);
    return this.op.length - 1;
  }

  node(n: Re2Node): void {
    switch (n.kind) {
      case 'lit':
        this.emit(LIT, n.cp);
        return;
      case 'set': {
        // The copies of a counted repetition share their sets.
        let index = this.#setIndex.get(n);
        if (index === undefined) {
          index = this.sets.length;
          this.#setIndex.set(n, index);
          this.sets.push({
            ranges: Int32Array.from(normalize(n.ranges).flat()),
            negated: n.negated,
            props: n.props === '' ? null : new RegExp(`^[${n.props}]$`, 'u'),
            surrogates: this.#unicode,
            lastCp: -1,
            lastHit: false,
          });
        }
        this.emit(SET, index);
        return;
      }
      case 'assert':
        this.emit(ASSERT, ASSERTION_CODES[n.at]);
        return;
      case 'cat':
        for (const item of n.items) this.node(item);
        return;
      case 'alt':
        this.alt(n.items);
        return;
      case 'group':
        if (n.capture === 0) this.node(n.body);
        else {
          this.emit(SAVE, 2 * n.capture);
          this.node(n.body);
          this.emit(SAVE, 2 * n.capture + 1);
        }
        return;
      case 'repeat':
        this.repeat(n.body, n.min, n.max, n.greedy);
        return;
    }
  }

  /** The split's two targets in priority order: `x` first when `first`. */
  #patch(split: number, next: number, other: number, first: boolean): void {
    this.x[split] = first ? next : other;
    this.y[split] = first ? other : next;
  }

  alt(items: readonly Re2Node[]): void {
    const jumps: number[] = [];
    for (let i = 0; i < items.length; i++) {
      const last = i === items.length - 1;
      const split = last ? -1 : this.emit(SPLIT);
      this.node(items[i] as Re2Node);
      if (!last) {
        jumps.push(this.emit(JMP));
        this.#patch(split, split + 1, this.op.length, true);
      }
    }
    for (const j of jumps) this.x[j] = this.op.length;
  }

  repeat(body: Re2Node, min: number, max: number, greedy: boolean): void {
    if (max === -1) {
      // x{n,}: n-1 copies, then a last copy that may loop. x* is (x+)?, as Go compiles it: a
      // thread that looped back without reading anything is dropped after the copy, not before
      // it, so `(a*)*` on "b" captures the empty text as in Go.
      const skip = min === 0 ? this.emit(SPLIT) : -1;
      for (let i = 1; i < min; i++) this.node(body);
      const start = this.op.length;
      this.node(body);
      const loop = this.emit(SPLIT);
      this.#patch(loop, start, loop + 1, greedy);
      if (skip >= 0) this.#patch(skip, skip + 1, this.op.length, greedy);
      return;
    }
    for (let i = 0; i < min; i++) this.node(body);
    // x{n,m}: m-n optional copies, each skipping to the end.
    const splits: number[] = [];
    for (let i = min; i < max; i++) {
      splits.push(this.emit(SPLIT));
      this.node(body);
    }
    for (const split of splits) this.#patch(split, split + 1, this.op.length, greedy);
  }
}

/** A compiled pattern: search with `exec`, or ask `test` whether it matches anywhere. */
export class Re2Program {
  readonly #op: Int32Array;
  readonly #x: Int32Array;
  readonly #y: Int32Array;
  readonly #sets: readonly CharTest[];
  readonly #captures: number;
  /** The pattern starts with `^` (or `\A`): a match can start only where the search does, or at 0. */
  readonly #anchored: boolean;
  /** Per instruction: the list-building round that last reached it. */
  readonly #seen: Int32Array;
  /** `test`'s two thread lists and its stack, kept between calls (a search never re-enters). */
  readonly #lists: readonly [Int32Array, Int32Array];
  readonly #stack: Int32Array;
  #round = 0;

  constructor(syntax: Re2Syntax, pattern: string) {
    const b = new Builder(syntax.unicode, pattern);
    b.emit(SAVE, 0);
    b.node(syntax.node);
    b.emit(SAVE, 1);
    b.emit(MATCH);
    this.#op = Int32Array.from(b.op);
    this.#x = Int32Array.from(b.x);
    this.#y = Int32Array.from(b.y);
    this.#sets = b.sets;
    this.#captures = 2 * (syntax.names.length + 1);
    this.#anchored = b.op[1] === ASSERT && b.x[1] === ASSERTION_CODES['text-start'];
    this.#seen = new Int32Array(b.op.length).fill(-1);
    this.#lists = [new Int32Array(b.op.length), new Int32Array(b.op.length)];
    // Each instruction is expanded once a round and pushes at most two others.
    this.#stack = new Int32Array(2 * b.op.length + 1);
  }

  /** Instructions in the program. */
  get size(): number {
    return this.#op.length;
  }

  #nextRound(): number {
    if (this.#round === 0x7fffffff) {
      this.#seen.fill(-1);
      this.#round = 0;
    }
    return ++this.#round;
  }

  /** Whether the pattern matches anywhere in `s`. */
  test(s: string): boolean {
    const op = this.#op;
    const xs = this.#x;
    const ys = this.#y;
    const seen = this.#seen;
    const len = s.length;
    let cur = this.#lists[0];
    let next = this.#lists[1];
    let curLen = 0;
    let nextLen = 0;
    const stack = this.#stack;
    let steps = 0;
    const limit = stepLimit(len);
    /** Adds the threads `pc` leads to at position `i` to `list` after its `length` entries: its new length, or -1 when one of them matches. */
    const add = (list: Int32Array, length: number, pc0: number, i: number, round: number): number => {
      let top = 0;
      stack[top++] = pc0;
      while (top > 0) {
        const pc = stack[--top] as number;
        if (seen[pc] === round) continue;
        seen[pc] = round;
        if (++steps > limit) throw new Re2TooCostly(len);
        switch (op[pc]) {
          case JMP:
            stack[top++] = xs[pc] as number;
            break;
          case SPLIT:
            stack[top++] = ys[pc] as number;
            stack[top++] = xs[pc] as number;
            break;
          case SAVE:
            stack[top++] = pc + 1;
            break;
          case ASSERT:
            if (holds(xs[pc] as number, s, i)) stack[top++] = pc + 1;
            break;
          case MATCH:
            return -1;
          default:
            list[length++] = pc;
        }
      }
      return length;
    };
    let round = this.#nextRound();
    for (let i = 0; ; ) {
      if (i === 0 || !this.#anchored) {
        curLen = add(cur, curLen, 0, i, round);
        if (curLen < 0) return true;
      }
      if (i >= len || (curLen === 0 && this.#anchored)) return false;
      const cp = s.codePointAt(i) as number;
      const w = cp > 0xffff ? 2 : 1;
      round = this.#nextRound();
      nextLen = 0;
      for (let t = 0; t < curLen; t++) {
        const pc = cur[t] as number;
        if (++steps > limit) throw new Re2TooCostly(len);
        const ok = op[pc] === LIT ? xs[pc] === cp : matchesSet(this.#sets[xs[pc] as number] as CharTest, cp);
        if (ok) {
          nextLen = add(next, nextLen, pc + 1, i + w, round);
          if (nextLen < 0) return true;
        }
      }
      const done = cur;
      cur = next;
      next = done;
      curLen = nextLen;
      i += w;
    }
  }

  /** The leftmost-first match starting at or after `from`, or null. */
  exec(s: string, from: number): Re2Match | null {
    const caps = this.#run(s, from);
    if (caps === null) return null;
    const groups: (string | undefined)[] = [];
    for (let g = 0; g < this.#captures; g += 2) {
      const a = caps[g] as number;
      const b = caps[g + 1] as number;
      groups.push(a < 0 || b < 0 ? undefined : s.slice(a, b));
    }
    return { index: caps[0] as number, end: caps[1] as number, groups };
  }

  /**
   * The search, with captures: threads are instruction indexes with their capture positions
   * (shared until a SAVE changes one: copy on write).
   */
  #run(s: string, from: number): number[] | null {
    const op = this.#op;
    const xs = this.#x;
    const ys = this.#y;
    const seen = this.#seen;
    const len = s.length;
    const none: number[] = new Array<number>(this.#captures).fill(-1);
    let steps = 0;
    const limit = stepLimit(len);
    let cur: { pcs: number[]; caps: number[][] } = { pcs: [], caps: [] };
    let next: { pcs: number[]; caps: number[][] } = { pcs: [], caps: [] };
    const stackPc: number[] = [];
    const stackCaps: number[][] = [];
    let matched: number[] | null = null;

    /** Follows the empty-width instructions from `pc` at position `i`, adding the threads that read a character (or match) to `list`. */
    const add = (list: { pcs: number[]; caps: number[][] }, pc0: number, caps0: number[], i: number, round: number): void => {
      stackPc.push(pc0);
      stackCaps.push(caps0);
      while (stackPc.length > 0) {
        const pc = stackPc.pop() as number;
        const caps = stackCaps.pop() as number[];
        if (seen[pc] === round) continue;
        seen[pc] = round;
        if (++steps > limit) throw new Re2TooCostly(len);
        switch (op[pc]) {
          case JMP:
            stackPc.push(xs[pc] as number);
            stackCaps.push(caps);
            break;
          case SPLIT:
            stackPc.push(ys[pc] as number, xs[pc] as number);
            stackCaps.push(caps, caps);
            break;
          case SAVE: {
            const c = caps.slice();
            c[xs[pc] as number] = i;
            stackPc.push(pc + 1);
            stackCaps.push(c);
            break;
          }
          case ASSERT:
            if (holds(xs[pc] as number, s, i)) {
              stackPc.push(pc + 1);
              stackCaps.push(caps);
            }
            break;
          default:
            list.pcs.push(pc);
            list.caps.push(caps);
        }
      }
    };

    // `round` marks what the list being built has reached: the start thread joins `cur` in the
    // round `cur` was built in (as its lowest-priority thread), and each step builds `next` anew.
    let round = this.#nextRound();
    for (let i = from; ; ) {
      if (matched === null && (i === from || !this.#anchored)) add(cur, 0, none, i, round);
      if (cur.pcs.length === 0 && (matched !== null || i >= len || this.#anchored)) break;
      // A code point (a lone surrogate stands for itself), -1 past the end.
      const cp = i < len ? (s.codePointAt(i) as number) : -1;
      const w = cp > 0xffff ? 2 : 1;
      round = this.#nextRound();
      for (let t = 0; t < cur.pcs.length; t++) {
        const pc = cur.pcs[t] as number;
        const caps = cur.caps[t] as number[];
        if (++steps > limit) throw new Re2TooCostly(len);
        const kind = op[pc];
        if (kind === MATCH) {
          // Leftmost-first: the threads after this one have lower priority.
          matched = caps;
          break;
        }
        if (cp < 0) continue;
        const ok = kind === LIT ? xs[pc] === cp : matchesSet(this.#sets[xs[pc] as number] as CharTest, cp);
        if (ok) add(next, pc + 1, caps, i + w, round);
      }
      const done = cur;
      cur = next;
      next = done;
      next.pcs.length = 0;
      next.caps.length = 0;
      if (i >= len) break;
      i += w;
    }
    return matched;
  }
}

/** Compiles a parsed pattern (RE2's "expression too large" past `MAX_PROGRAM` instructions). */
export function compileRe2Program(syntax: Re2Syntax, pattern: string): Re2Program {
  return new Re2Program(syntax, pattern);
}
