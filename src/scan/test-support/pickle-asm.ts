/** A tiny pickle assembler for unit tests (mirrors scripts/fixtures/scan_pickle_asm.py). */
const enc = new TextEncoder();

export type Part = Uint8Array | number[] | string;

export function asm(...parts: Part[]): Uint8Array {
  const chunks = parts.map((p) => (typeof p === 'string' ? enc.encode(p) : p instanceof Uint8Array ? p : Uint8Array.from(p)));
  const out = new Uint8Array(chunks.reduce((a, c) => a + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

const le = (n: number, w: number): number[] => Array.from({ length: w }, (_, i) => Math.floor(n / 2 ** (8 * i)) & 0xff);

export const P = {
  PROTO: (n: number): number[] => [0x80, n],
  STOP: [0x2e],
  MARK: [0x28],
  POP: [0x30],
  POP_MARK: [0x31],
  DUP: [0x32],
  NONE: [0x4e],
  REDUCE: [0x52],
  BUILD: [0x62],
  TUPLE: [0x74],
  TUPLE1: [0x85],
  TUPLE2: [0x86],
  EMPTY_TUPLE: [0x29],
  EMPTY_DICT: [0x7d],
  EMPTY_LIST: [0x5d],
  APPEND: [0x61],
  STACK_GLOBAL: [0x93],
  MEMOIZE: [0x94],
  NEWOBJ: [0x81],
  BINPERSID: [0x51],
  FRAME: (n: number): number[] => [0x95, ...le(n, 8)],
  GLOBAL: (m: string, n: string): string => `c${m}\n${n}\n`,
  INST: (m: string, n: string): string => `i${m}\n${n}\n`,
  U: (s: string): Uint8Array => {
    const b = enc.encode(s);
    return asm(b.length < 256 ? [0x8c, b.length] : [0x58, ...le(b.length, 4)], b);
  },
  BYTES: (b: Uint8Array): Uint8Array => asm(b.length < 256 ? [0x43, b.length] : [0x42, ...le(b.length, 4)], b),
  BYTES8: (b: Uint8Array): Uint8Array => asm([0x8e, ...le(b.length, 8)], b),
  BININT1: (n: number): number[] => [0x4b, n],
  BINPUT: (n: number): number[] => [0x71, n],
  BINGET: (n: number): number[] => [0x68, n],
  EXT1: (n: number): number[] => [0x82, n],
  LINE: (op: string, text: string): string => `${op}${text}\n`,
};

/** os.system('true') via STACK_GLOBAL + REDUCE (leaves the result on the stack). */
export const SYSTEM = asm(P.U('os'), P.U('system'), P.STACK_GLOBAL, P.U('true'), P.TUPLE1, P.REDUCE);
