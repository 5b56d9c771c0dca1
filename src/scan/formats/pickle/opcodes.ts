/**
 * Every opcode of pickle protocols 0–5 (CPython `Lib/pickletools.py` is the reference), with
 * the shape of its inline argument. Protocol 0/1 are text-ish; 2+ add binary forms.
 */

export type ArgKind =
  | 'none'
  | 'u1'
  | 'u2'
  | 'i4'
  | 'u4'
  | 'u8'
  | 'decimalnl_short'
  | 'decimalnl_long'
  | 'floatnl'
  | 'float8'
  | 'stringnl'
  | 'stringnl_noescape'
  | 'stringnl_noescape_pair'
  | 'unicodestringnl'
  | 'string1'
  | 'string4'
  | 'bytes1'
  | 'bytes4'
  | 'bytes8'
  | 'bytearray8'
  | 'unicodestring1'
  | 'unicodestring4'
  | 'unicodestring8'
  | 'long1'
  | 'long4';

export interface OpcodeInfo {
  readonly code: number;
  readonly name: string;
  readonly arg: ArgKind;
  readonly proto: number;
}

const ch = (s: string): number => s.charCodeAt(0);

export const OP = {
  MARK: ch('('),
  STOP: ch('.'),
  POP: ch('0'),
  POP_MARK: ch('1'),
  DUP: ch('2'),
  FLOAT: ch('F'),
  INT: ch('I'),
  BININT: ch('J'),
  BININT1: ch('K'),
  LONG: ch('L'),
  BININT2: ch('M'),
  NONE: ch('N'),
  PERSID: ch('P'),
  BINPERSID: ch('Q'),
  REDUCE: ch('R'),
  STRING: ch('S'),
  BINSTRING: ch('T'),
  SHORT_BINSTRING: ch('U'),
  UNICODE: ch('V'),
  BINUNICODE: ch('X'),
  APPEND: ch('a'),
  BUILD: ch('b'),
  GLOBAL: ch('c'),
  DICT: ch('d'),
  EMPTY_DICT: ch('}'),
  APPENDS: ch('e'),
  GET: ch('g'),
  BINGET: ch('h'),
  INST: ch('i'),
  LONG_BINGET: ch('j'),
  LIST: ch('l'),
  EMPTY_LIST: ch(']'),
  OBJ: ch('o'),
  PUT: ch('p'),
  BINPUT: ch('q'),
  LONG_BINPUT: ch('r'),
  SETITEM: ch('s'),
  TUPLE: ch('t'),
  EMPTY_TUPLE: ch(')'),
  SETITEMS: ch('u'),
  BINFLOAT: ch('G'),
  BINBYTES: ch('B'),
  SHORT_BINBYTES: ch('C'),
  PROTO: 0x80,
  NEWOBJ: 0x81,
  EXT1: 0x82,
  EXT2: 0x83,
  EXT4: 0x84,
  TUPLE1: 0x85,
  TUPLE2: 0x86,
  TUPLE3: 0x87,
  NEWTRUE: 0x88,
  NEWFALSE: 0x89,
  LONG1: 0x8a,
  LONG4: 0x8b,
  SHORT_BINUNICODE: 0x8c,
  BINUNICODE8: 0x8d,
  BINBYTES8: 0x8e,
  EMPTY_SET: 0x8f,
  ADDITEMS: 0x90,
  FROZENSET: 0x91,
  NEWOBJ_EX: 0x92,
  STACK_GLOBAL: 0x93,
  MEMOIZE: 0x94,
  FRAME: 0x95,
  BYTEARRAY8: 0x96,
  NEXT_BUFFER: 0x97,
  READONLY_BUFFER: 0x98,
} as const;

export type OpName = keyof typeof OP;

const ARGS: Readonly<Record<OpName, readonly [ArgKind, number]>> = {
  MARK: ['none', 0],
  STOP: ['none', 0],
  POP: ['none', 0],
  POP_MARK: ['none', 1],
  DUP: ['none', 0],
  FLOAT: ['floatnl', 0],
  INT: ['decimalnl_short', 0],
  BININT: ['i4', 1],
  BININT1: ['u1', 1],
  LONG: ['decimalnl_long', 0],
  BININT2: ['u2', 1],
  NONE: ['none', 0],
  PERSID: ['stringnl_noescape', 0],
  BINPERSID: ['none', 1],
  REDUCE: ['none', 0],
  STRING: ['stringnl', 0],
  BINSTRING: ['string4', 1],
  SHORT_BINSTRING: ['string1', 1],
  UNICODE: ['unicodestringnl', 0],
  BINUNICODE: ['unicodestring4', 1],
  APPEND: ['none', 0],
  BUILD: ['none', 0],
  GLOBAL: ['stringnl_noescape_pair', 0],
  DICT: ['none', 0],
  EMPTY_DICT: ['none', 1],
  APPENDS: ['none', 1],
  GET: ['decimalnl_short', 0],
  BINGET: ['u1', 1],
  INST: ['stringnl_noescape_pair', 0],
  LONG_BINGET: ['u4', 1],
  LIST: ['none', 0],
  EMPTY_LIST: ['none', 1],
  OBJ: ['none', 1],
  PUT: ['decimalnl_short', 0],
  BINPUT: ['u1', 1],
  LONG_BINPUT: ['u4', 1],
  SETITEM: ['none', 0],
  TUPLE: ['none', 0],
  EMPTY_TUPLE: ['none', 1],
  SETITEMS: ['none', 1],
  BINFLOAT: ['float8', 1],
  BINBYTES: ['bytes4', 3],
  SHORT_BINBYTES: ['bytes1', 3],
  PROTO: ['u1', 2],
  NEWOBJ: ['none', 2],
  EXT1: ['u1', 2],
  EXT2: ['u2', 2],
  EXT4: ['i4', 2],
  TUPLE1: ['none', 2],
  TUPLE2: ['none', 2],
  TUPLE3: ['none', 2],
  NEWTRUE: ['none', 2],
  NEWFALSE: ['none', 2],
  LONG1: ['long1', 2],
  LONG4: ['long4', 2],
  SHORT_BINUNICODE: ['unicodestring1', 4],
  BINUNICODE8: ['unicodestring8', 4],
  BINBYTES8: ['bytes8', 4],
  EMPTY_SET: ['none', 4],
  ADDITEMS: ['none', 4],
  FROZENSET: ['none', 4],
  NEWOBJ_EX: ['none', 4],
  STACK_GLOBAL: ['none', 4],
  MEMOIZE: ['none', 4],
  FRAME: ['u8', 4],
  BYTEARRAY8: ['bytearray8', 5],
  NEXT_BUFFER: ['none', 5],
  READONLY_BUFFER: ['none', 5],
};

/** Indexed by opcode byte; `undefined` for bytes that are not opcodes. */
export const OPCODES: readonly (OpcodeInfo | undefined)[] = (() => {
  const table: (OpcodeInfo | undefined)[] = new Array<OpcodeInfo | undefined>(256).fill(undefined);
  for (const name of Object.keys(OP) as OpName[]) {
    const [arg, proto] = ARGS[name];
    table[OP[name]] = { code: OP[name], name, arg, proto };
  }
  return table;
})();

export function opcodeName(code: number): string {
  return OPCODES[code]?.name ?? `0x${code.toString(16).padStart(2, '0')}`;
}

export const HIGHEST_PROTOCOL = 5;
