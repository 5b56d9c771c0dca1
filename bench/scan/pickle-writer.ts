/**
 * A small pickle writer for benchmark inputs: the opcodes torch.save and pickle.dumps emit for
 * state dicts (protocol 2, as torch writes) and for large plain containers (protocol 4, framed).
 */
const enc = new TextEncoder();

export class PickleWriter {
  #chunks: Uint8Array[] = [];
  #cur: number[] = [];
  #memo = 0;
  ops = 0;

  #flush(): void {
    if (this.#cur.length > 0) {
      this.#chunks.push(Uint8Array.from(this.#cur));
      this.#cur = [];
    }
  }

  raw(...bytes: number[]): this {
    for (const b of bytes) this.#cur.push(b);
    if (this.#cur.length > 1 << 16) this.#flush();
    return this;
  }

  bytes(b: Uint8Array): this {
    this.#flush();
    this.#chunks.push(b);
    return this;
  }

  op(code: number, ...arg: number[]): this {
    this.ops++;
    return this.raw(code, ...arg);
  }

  proto(n: number): this {
    return this.op(0x80, n);
  }

  global(module: string, name: string): this {
    this.ops++;
    return this.raw(0x63).bytes(enc.encode(`${module}\n${name}\n`));
  }

  str(s: string): this {
    const b = enc.encode(s);
    this.ops++;
    if (b.length < 256) return this.raw(0x8c, b.length).bytes(b);
    return this.raw(0x58, b.length & 0xff, (b.length >>> 8) & 0xff, (b.length >>> 16) & 0xff, b.length >>> 24).bytes(b);
  }

  /** BINUNICODE (protocol 2 has no SHORT_BINUNICODE). */
  ustr(s: string): this {
    const b = enc.encode(s);
    this.ops++;
    return this.raw(0x58, b.length & 0xff, (b.length >>> 8) & 0xff, (b.length >>> 16) & 0xff, b.length >>> 24).bytes(b);
  }

  int(n: number): this {
    if (n >= 0 && n < 256) return this.op(0x4b, n);
    if (n >= 0 && n < 65536) return this.op(0x4d, n & 0xff, n >>> 8);
    return this.op(0x4a, n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff);
  }

  float(x: number): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, x, false);
    return this.op(0x47, ...b);
  }

  /** BINPUT/LONG_BINPUT with the next memo index (protocol 2 style). */
  put(): this {
    const i = this.#memo++;
    return i < 256 ? this.op(0x71, i) : this.op(0x72, i & 0xff, (i >>> 8) & 0xff, (i >>> 16) & 0xff, i >>> 24);
  }

  memoize(): this {
    this.#memo++;
    return this.op(0x94);
  }

  result(): Uint8Array {
    this.#flush();
    const total = this.#chunks.reduce((a, c) => a + c.length, 0);
    const out = new Uint8Array(total);
    let p = 0;
    for (const c of this.#chunks) {
      out.set(c, p);
      p += c.length;
    }
    return out;
  }
}

export const OPS = {
  MARK: 0x28, STOP: 0x2e, TUPLE: 0x74, TUPLE1: 0x85, TUPLE2: 0x86, REDUCE: 0x52, BUILD: 0x62, EMPTY_TUPLE: 0x29,
  EMPTY_DICT: 0x7d, EMPTY_LIST: 0x5d, SETITEMS: 0x75, APPENDS: 0x65, NEWFALSE: 0x89, BINPERSID: 0x51, FRAME: 0x95,
} as const;

export interface TensorSpec {
  readonly name: string;
  readonly key: string;
  readonly numel: number;
}

/** data.pkl of `torch.save(state_dict)`: OrderedDict of _rebuild_tensor_v2(persistent storage …). */
export function torchStateDictPickle(tensors: readonly TensorSpec[]): Uint8Array {
  const w = new PickleWriter();
  w.proto(2).global('collections', 'OrderedDict').put().op(OPS.EMPTY_TUPLE).op(OPS.REDUCE).put();
  for (let start = 0; start < tensors.length; start += 1000) {
    w.op(OPS.MARK);
    for (const t of tensors.slice(start, start + 1000)) {
      w.ustr(t.name).put();
      w.global('torch._utils', '_rebuild_tensor_v2').put();
      w.op(OPS.MARK).op(OPS.MARK).ustr('storage').put().global('torch', 'FloatStorage').put().ustr(t.key).put();
      w.ustr('cpu').put().int(t.numel).op(OPS.TUPLE).put().op(OPS.BINPERSID);
      w.int(0).int(t.numel).op(OPS.TUPLE1).put().int(1).op(OPS.TUPLE1).put().op(OPS.NEWFALSE);
      w.global('collections', 'OrderedDict').put().op(OPS.EMPTY_TUPLE).op(OPS.REDUCE).put();
      w.op(OPS.TUPLE).put().op(OPS.REDUCE).put();
    }
    w.op(OPS.SETITEMS);
  }
  w.op(OPS.STOP);
  return w.result();
}

/** A protocol 4 pickle of a dict of `entries` lists of three floats (≈ 9 opcodes each), framed per batch. */
export function bigPlainPickle(entries: number): { bytes: Uint8Array; ops: number } {
  const out = new PickleWriter();
  let ops = 0;
  const frame = (w: PickleWriter): void => {
    const b = w.result();
    out.op(OPS.FRAME, b.length & 0xff, (b.length >>> 8) & 0xff, (b.length >>> 16) & 0xff, b.length >>> 24, 0, 0, 0, 0);
    out.bytes(b);
    ops += w.ops;
  };
  out.proto(4);
  const head = new PickleWriter();
  head.op(OPS.EMPTY_DICT).memoize();
  frame(head);
  for (let start = 0; start < entries; start += 1000) {
    const w = new PickleWriter();
    w.op(OPS.MARK);
    for (let i = start; i < Math.min(entries, start + 1000); i++) {
      w.str(`model.layers.${i}.weight`).memoize();
      w.op(OPS.EMPTY_LIST).memoize().op(OPS.MARK).float(i * 0.5).float(-i).float(1e-3).op(OPS.APPENDS);
    }
    w.op(OPS.SETITEMS);
    frame(w);
  }
  out.op(OPS.STOP);
  return { bytes: out.result(), ops: ops + out.ops };
}
