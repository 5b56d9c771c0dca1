/**
 * A line diff of two texts in unified format (`diff -u`: `@@ -a,b +c,d @@` hunks with three lines
 * of context), for a reviewer reading what a held version changed in a file. Myers' O(ND)
 * algorithm on interned lines, after the common first and last lines are set aside. Bounded, as
 * it runs on the server's thread: at most `maxLines` lines a side (time O((N+M)D)), at most
 * `maxEdits` inserted plus deleted lines searched for (the saved frontiers take about 4·D² bytes;
 * a rewritten file is reported as too different, not diffed at any cost), and the output stops
 * at `maxOutputBytes`.
 */

export interface DiffLimits {
  /** Lines of each side; a longer text is not diffed. */
  readonly maxLines: number;
  /** Inserted plus deleted lines searched for; beyond it the texts are too different. */
  readonly maxEdits: number;
  /** Bytes of unified output kept; the rest is cut (`truncated`). */
  readonly maxOutputBytes: number;
}

export type TextDiff =
  | { readonly kind: 'diff'; readonly unified: string; readonly added: number; readonly removed: number; readonly truncated: boolean }
  | { readonly kind: 'too-long'; readonly lines: number }
  | { readonly kind: 'too-different'; readonly minEdits: number };

type Op = 0 | 1 | 2; // keep, delete (from a), insert (from b)
const KEEP: Op = 0;
const DEL: Op = 1;
const INS: Op = 2;
const CONTEXT = 3;

/** Lines of a text; a final line without a newline is a line too (and is marked as such in the output). */
function lines(text: string): { readonly lines: string[]; readonly noFinalNewline: boolean } {
  if (text === '') return { lines: [], noFinalNewline: false };
  const out = text.split('\n');
  const noFinalNewline = out[out.length - 1] !== '';
  if (!noFinalNewline) out.pop();
  return { lines: out, noFinalNewline };
}

/**
 * The edit script from `a` to `b` (line ids), or null past `maxEdits`. Forward Myers with one
 * saved frontier per edit count, walked back from the end.
 */
function editScript(a: Int32Array, b: Int32Array, maxEdits: number): Op[] | null {
  const n = a.length;
  const m = b.length;
  const max = Math.min(n + m, maxEdits);
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = -1;
  for (let d = 0; d <= max; d++) {
    trace.push(v.slice(offset - d - 1, offset + d + 2));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && (v[offset + k - 1] as number) < (v[offset + k + 1] as number)) ? (v[offset + k + 1] as number) : (v[offset + k - 1] as number) + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
    if (found >= 0) break;
  }
  if (found < 0) return null;
  // Walk back through the saved frontiers (trace[d] holds k from -d-1 to d+1 of the frontier before step d).
  const ops: Op[] = [];
  let x = n;
  let y = m;
  for (let d = found; d > 0; d--) {
    const prev = trace[d] as Int32Array;
    const at = (k: number): number => prev[k + d + 1] as number;
    const k = x - y;
    const down = k === -d || (k !== d && at(k - 1) < at(k + 1));
    const pk = down ? k + 1 : k - 1;
    const px = at(pk);
    const py = px - pk;
    while (x > px + (down ? 0 : 1) && y > py + (down ? 1 : 0)) {
      ops.push(KEEP);
      x--;
      y--;
    }
    ops.push(down ? INS : DEL);
    if (down) y--;
    else x--;
  }
  while (x > 0 && y > 0) {
    ops.push(KEEP);
    x--;
    y--;
  }
  return ops.reverse();
}

function range(start: number, count: number): string {
  // As diff -u: the line before the hunk for an empty side, and no count when it is 1.
  if (count === 0) return `${start},0`;
  return count === 1 ? `${start + 1}` : `${start + 1},${count}`;
}

/** The unified diff of `before` and `after` (named `from` and `to` in its header). */
export function unifiedDiff(before: string, after: string, names: { readonly from: string; readonly to: string }, limits: DiffLimits): TextDiff {
  const A = lines(before);
  const B = lines(after);
  if (A.lines.length > limits.maxLines || B.lines.length > limits.maxLines) return { kind: 'too-long', lines: Math.max(A.lines.length, B.lines.length) };
  const ids = new Map<string, number>();
  const intern = (ls: readonly string[], lastDiffers: boolean): Int32Array =>
    Int32Array.from(ls, (l, i) => {
      // The last line without a newline differs from the same text with one.
      const key = lastDiffers && i === ls.length - 1 ? `${l}\0` : l;
      let id = ids.get(key);
      if (id === undefined) ids.set(key, (id = ids.size));
      return id;
    });
  const a = intern(A.lines, A.noFinalNewline);
  const b = intern(B.lines, B.noFinalNewline);
  // The lines both start and end with are kept as they are; only the middle is searched.
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const middle = editScript(a.subarray(head, a.length - tail), b.subarray(head, b.length - tail), limits.maxEdits);
  if (middle === null) return { kind: 'too-different', minEdits: limits.maxEdits + 1 };
  const ops: Op[] = [...new Array<Op>(head).fill(KEEP), ...middle, ...new Array<Op>(tail).fill(KEEP)];

  const out: string[] = [`--- ${names.from}`, `+++ ${names.to}`];
  let bytes = out[0]!.length + out[1]!.length + 2;
  let truncated = false;
  let added = 0;
  let removed = 0;
  const push = (line: string): void => {
    if (truncated) return;
    if (bytes + line.length + 1 > limits.maxOutputBytes) {
      truncated = true;
      return;
    }
    out.push(line);
    bytes += line.length + 1;
  };
  // Where each op stands in a and in b.
  const posA: number[] = [];
  const posB: number[] = [];
  let i = 0;
  let j = 0;
  for (const op of ops) {
    posA.push(i);
    posB.push(j);
    if (op !== INS) i++;
    if (op !== DEL) j++;
    if (op === INS) added++;
    if (op === DEL) removed++;
  }
  // Hunks: changes with up to 2 * CONTEXT kept lines between them, CONTEXT kept lines around.
  let k = 0;
  while (k < ops.length) {
    if (ops[k] === KEEP) {
      k++;
      continue;
    }
    const start = Math.max(0, k - CONTEXT);
    // Extend over changes and runs of at most 2 * CONTEXT kept lines (a longer run ends the hunk),
    // then give back the trailing kept lines beyond CONTEXT.
    let end = k;
    let keeps = 0;
    while (end < ops.length) {
      if (ops[end] === KEEP) {
        if (keeps === 2 * CONTEXT) break;
        keeps++;
      } else keeps = 0;
      end++;
    }
    end -= Math.max(0, keeps - CONTEXT);
    let countA = 0;
    let countB = 0;
    for (let q = start; q < end; q++) {
      if (ops[q] !== INS) countA++;
      if (ops[q] !== DEL) countB++;
    }
    push(`@@ -${range(posA[start] as number, countA)} +${range(posB[start] as number, countB)} @@`);
    for (let q = start; q < end; q++) {
      const op = ops[q];
      const ia = posA[q] as number;
      const ib = posB[q] as number;
      if (op === KEEP) push(` ${A.lines[ia]}`);
      else if (op === DEL) push(`-${A.lines[ia]}`);
      else push(`+${B.lines[ib]}`);
      const lastA = op !== INS && A.noFinalNewline && ia === A.lines.length - 1;
      const lastB = op !== DEL && B.noFinalNewline && ib === B.lines.length - 1;
      if ((op === KEEP && (lastA || lastB)) || (op === DEL && lastA) || (op === INS && lastB)) push('\\ No newline at end of file');
    }
    k = end;
  }
  return { kind: 'diff', unified: out.length === 2 ? '' : `${out.join('\n')}\n`, added, removed, truncated };
}
