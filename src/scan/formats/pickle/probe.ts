/**
 * Content sniffing for pickles. Protocol 2+ start with PROTO; protocol 0/1 have no magic, so
 * the head is decoded opcode by opcode with a stack-depth model: text that is not a pickle
 * fails within a few bytes (bad opcode, unquoted STRING, non-identifier GLOBAL, underflow).
 */
import { OP, OPCODES, HIGHEST_PROTOCOL } from './opcodes.ts';

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const MIN_TEXT_OPS = 3;

export function looksLikeBinaryPickle(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === OP.PROTO && (head[1] as number) <= HIGHEST_PROTOCOL;
}

function line(head: Uint8Array, from: number): [string, number] | undefined {
  const e = head.indexOf(0x0a, from);
  if (e < 0) return undefined;
  let s = '';
  for (let i = from; i < e; i++) s += String.fromCharCode(head[i] as number);
  return [s, e + 1];
}

/**
 * Decodes the head as protocol 0/1 opcodes; true if it stays a coherent pickle throughout — or
 * if, before it stops making sense, it imported a name and called something: the unpickler
 * runs that call before it meets the garbage (a payload followed by a deliberate break).
 */
export function looksLikeTextPickle(head: Uint8Array): boolean {
  let p = 0;
  let depth = 0;
  const marks: number[] = [];
  let ops = 0;
  let imported = false;
  let called = false;
  const broken = (): boolean => called;
  const need = (n: number): boolean => depth >= n;
  while (p < head.length) {
    const code = head[p] as number;
    const info = OPCODES[code];
    if (info === undefined) return broken();
    p++;
    ops++;
    switch (info.arg) {
      case 'none':
        break;
      case 'u1':
        p += 1;
        break;
      case 'u2':
        p += 2;
        break;
      case 'i4':
      case 'u4':
        p += 4;
        break;
      case 'float8':
        p += 8;
        break;
      case 'u8':
        p += 8;
        break;
      case 'string1':
      case 'bytes1':
      case 'unicodestring1':
      case 'long1': {
        if (p >= head.length) return ops > MIN_TEXT_OPS;
        p += 1 + (head[p] as number);
        break;
      }
      case 'string4':
      case 'bytes4':
      case 'unicodestring4':
      case 'long4': {
        if (p + 4 > head.length) return ops > MIN_TEXT_OPS;
        const n = (head[p] as number) | ((head[p + 1] as number) << 8) | ((head[p + 2] as number) << 16) | ((head[p + 3] as number) << 24);
        if (n < 0 && info.arg !== 'bytes4' && info.arg !== 'unicodestring4') return broken();
        p += 4 + (n >>> 0);
        break;
      }
      case 'bytes8':
      case 'bytearray8':
      case 'unicodestring8': {
        if (p + 8 > head.length) return ops > MIN_TEXT_OPS;
        const lo = ((head[p] as number) | ((head[p + 1] as number) << 8) | ((head[p + 2] as number) << 16) | ((head[p + 3] as number) << 24)) >>> 0;
        const hi = ((head[p + 4] as number) | ((head[p + 5] as number) << 8) | ((head[p + 6] as number) << 16) | ((head[p + 7] as number) << 24)) >>> 0;
        p += 8 + hi * 0x100000000 + lo;
        break;
      }
      case 'stringnl_noescape_pair': {
        const a = line(head, p);
        if (a === undefined) return ops > MIN_TEXT_OPS;
        const b = line(head, a[1]);
        if (b === undefined) return ops > MIN_TEXT_OPS && IDENT.test(a[0]);
        if (!IDENT.test(a[0]) || !IDENT.test(b[0])) return broken();
        if (code === OP.GLOBAL || code === OP.INST) imported = true;
        p = b[1];
        break;
      }
      default: {
        const l = line(head, p);
        if (l === undefined) return ops > MIN_TEXT_OPS;
        const t = l[0];
        if (info.arg === 'decimalnl_short' || info.arg === 'decimalnl_long') {
          if (!/^\s*[+-]?(0[xX])?[0-9a-fA-F_]+L?\s*$/.test(t)) return broken();
        } else if (info.arg === 'floatnl') {
          if (!/^\s*[+-]?([0-9._eE+-]+|nan|inf)\s*$/i.test(t)) return broken();
        } else if (info.arg === 'stringnl') {
          if (t.length < 2 || t[0] !== t[t.length - 1] || (t[0] !== '"' && t[0] !== "'")) return broken();
        }
        p = l[1];
      }
    }
    // Stack effects, enough to reject text that is not a pickle.
    switch (code) {
      case OP.MARK:
        marks.push(depth);
        depth = 0;
        break;
      case OP.STOP:
        return (need(1) && marks.length === 0 && ops >= 2) || called;
      case OP.POP:
        if (depth > 0) depth--;
        else if (marks.pop() === undefined) return broken();
        else depth = 0;
        break;
      case OP.POP_MARK:
      case OP.TUPLE:
      case OP.LIST:
      case OP.DICT:
      case OP.INST:
      case OP.OBJ:
      case OP.FROZENSET: {
        const prev = marks.pop();
        if (prev === undefined) return broken();
        depth = prev + (code === OP.POP_MARK ? 0 : 1);
        if ((code === OP.INST || code === OP.OBJ) && imported) called = true;
        break;
      }
      case OP.APPENDS:
      case OP.SETITEMS:
      case OP.ADDITEMS: {
        const prev = marks.pop();
        if (prev === undefined || prev < 1) return broken();
        depth = prev;
        break;
      }
      case OP.APPEND:
      case OP.BUILD:
      case OP.REDUCE:
      case OP.STACK_GLOBAL:
      case OP.NEWOBJ:
      case OP.TUPLE2:
        if (!need(2)) return broken();
        depth--;
        if (code === OP.STACK_GLOBAL) imported = true;
        else if ((code === OP.REDUCE || code === OP.NEWOBJ) && imported) called = true;
        break;
      case OP.SETITEM:
      case OP.NEWOBJ_EX:
      case OP.TUPLE3:
        if (!need(3)) return broken();
        depth -= 2;
        if (code === OP.NEWOBJ_EX && imported) called = true;
        break;
      case OP.PUT:
      case OP.BINPUT:
      case OP.LONG_BINPUT:
      case OP.MEMOIZE:
      case OP.BINPERSID:
      case OP.TUPLE1:
      case OP.READONLY_BUFFER:
        if (!need(1)) return broken();
        break;
      case OP.PROTO:
      case OP.FRAME:
        break;
      default:
        depth++; // every other protocol 0/1 opcode pushes one value
    }
  }
  return ops > MIN_TEXT_OPS;
}
