/**
 * `net.cidr_*` builtins (pure computation) and the network I/O builtins, which Airlock
 * refuses: `net.lookup_ip_addr` and `http.send` never reach the network.
 */
import { RObject, RSet, type RArray, type Value } from '../value.ts';
import { anyOf, arg, arrayOf, builtinError, fn, objectOf, setOf, str, typeError } from './args.ts';
import {
  bigToIP,
  CIDRError,
  contains,
  ipString,
  ipToBig,
  lastIP,
  netString,
  parseCIDR,
  parseIP,
  to4,
  type IPNet,
} from './ip.ts';
import type { BuiltinDecl } from './types.ts';

/** Largest expansion `net.cidr_expand` builds (a /16 of IPv4); beyond is refused. */
export const MAX_CIDR_EXPANSION = 1 << 16;

function cidrOf(name: string, v: Value, pos: number): IPNet {
  if (typeof v !== 'string') throw typeError(name, pos, v, 'string');
  try {
    return parseCIDR(v);
  } catch (e) {
    if (e instanceof CIDRError) throw builtinError(name, e.message);
    throw e;
  }
}

function cidrContains(name: string, a: Value, b: Value): boolean {
  const net = cidrOf(name, a, 1);
  if (typeof b !== 'string') throw typeError(name, 1, b, 'string');
  const ip = parseIP(b);
  if (ip !== null) return contains(net, ip);
  let inner: IPNet;
  try {
    inner = parseCIDR(b);
  } catch {
    throw builtinError(name, `not a valid textual representation of an IP address or CIDR: ${b}`);
  }
  return contains(net, inner.ip) && contains(net, lastIP(inner));
}

type Entry = [cidr: Value, index: Value];

function matchOperand(name: string, pos: number, v: Value): Entry[] {
  const pick = (x: Value): Value => {
    if (typeof x === 'string') return x;
    if (Array.isArray(x) && x.length > 0) return x[0] as Value;
    throw builtinError(name, `operand ${pos}: element must be string or non-empty array`);
  };
  if (typeof v === 'string') return [[v, v]];
  if (Array.isArray(v)) return (v as RArray).map((x, i) => [pick(x), i]);
  if (v instanceof RSet) return v.values().map((x) => [pick(x), x]);
  if (v instanceof RObject) {
    const out: Entry[] = [];
    v.forEach((k, x) => {
      out.push([pick(x), k]);
    });
    return out;
  }
  return [];
}

function containsMatches(args: readonly Value[]): Value {
  const name = 'net.cidr_contains_matches';
  const left = matchOperand(name, 1, arg(args, 0));
  const right = matchOperand(name, 2, arg(args, 1));
  const out = new RSet();
  for (const [c1, i1] of left) {
    for (const [c2, i2] of right) if (cidrContains(name, c1, c2)) out.add([i1, i2]);
  }
  return out;
}

function expand(args: readonly Value[]): Value {
  const net = cidrOf('net.cidr_expand', arg(args, 0), 1);
  const hostBits = net.ip.length * 8 - net.bits;
  if (2 ** hostBits > MAX_CIDR_EXPANSION) throw builtinError('net.cidr_expand', `CIDR ${str('net.cidr_expand', args, 0)} expands to more than ${MAX_CIDR_EXPANSION} addresses`);
  const first = ipToBig(net.ip);
  const out = new RSet();
  const count = 1n << BigInt(hostBits);
  for (let i = 0n; i < count; i++) {
    const ip = bigToIP(first + i);
    out.add(ipString(net.ip.length === 4 ? (to4(ip) as Uint8Array) : ip));
  }
  return out;
}

interface Range {
  first: bigint;
  last: bigint;
  net: IPNet | null;
}

const V4_BASE = 0xffffn << 32n;

function isV4Mapped(v: bigint): boolean {
  return v >> 32n === 0xffffn;
}

function mergeInput(name: string, x: Value): Range {
  if (typeof x !== 'string') throw builtinError(name, 'element must be string');
  const ip = parseIP(x);
  let net: IPNet;
  if (ip === null) {
    try {
      net = parseCIDR(x);
    } catch (e) {
      if (e instanceof CIDRError) throw builtinError(name, e.message);
      throw e;
    }
  } else {
    const v4 = to4(ip);
    if (v4 === null) throw builtinError(name, 'IPv6 invalid: needs prefix length');
    // Go gives a bare IPv4 address its classful default mask.
    const a = v4[0] as number;
    net = { ip: new Uint8Array(v4), bits: a < 0x80 ? 8 : a < 0xc0 ? 16 : 24 };
  }
  const hostMask = (1n << BigInt(net.ip.length * 8 - net.bits)) - 1n;
  const first = ipToBig(net.ip) & ~hostMask;
  return { first, last: first | hostMask, net };
}

function previous(v: bigint): bigint {
  if (v === 0n || v === V4_BASE) return v;
  return v - 1n;
}

/** Minimal CIDR cover of [first, last]. */
function rangeToCIDRs(first: bigint, last: bigint): string[] {
  const v4 = isV4Mapped(first) && isV4Mapped(last);
  const out: string[] = [];
  let cur = first;
  while (cur <= last) {
    let size = 0;
    while (size < 128 && (cur & ((1n << BigInt(size + 1)) - 1n)) === 0n && cur + (1n << BigInt(size + 1)) - 1n <= last) size++;
    const net: IPNet = { ip: bigToIP(cur), bits: 128 - size };
    out.push(v4 ? `${ipString(bigToIP(cur))}/${Math.max(0, 32 - size)}` : netString(net));
    cur += 1n << BigInt(size);
  }
  return out;
}

function merge(args: readonly Value[]): Value {
  const name = 'net.cidr_merge';
  const v = arg(args, 0);
  let items: readonly Value[];
  if (Array.isArray(v)) items = v as RArray;
  else if (v instanceof RSet) items = v.values();
  else throw builtinError(name, 'operand must be an array');
  const ranges = items.map((x) => mergeInput(name, x));
  ranges.sort((a, b) => (a.last !== b.last ? (a.last < b.last ? -1 : 1) : a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  for (let i = ranges.length - 1; i > 0; i--) {
    const cur = ranges[i] as Range;
    const prev = ranges[i - 1] as Range;
    if (previous(cur.first) <= prev.last) {
      ranges[i - 1] = { first: prev.first < cur.first ? prev.first : cur.first, last: cur.last, net: null };
      ranges.splice(i, 1);
    }
  }
  const out = new RSet();
  for (const r of ranges) {
    if (r.net !== null) out.add(netString(r.net));
    else for (const c of rangeToCIDRs(r.first, r.last)) out.add(c);
  }
  return out;
}

const CIDR_OPERAND = anyOf('string', arrayOf(anyOf('string', arrayOf('any'))), objectOf('string', anyOf('string', arrayOf('any'))), setOf(anyOf('string', arrayOf('any'))));

export const NET_BUILTINS: readonly BuiltinDecl[] = [
  fn('net.cidr_contains', ['string', 'string'], 'boolean', (args) => cidrContains('net.cidr_contains', arg(args, 0), arg(args, 1))),
  { ...fn('net.cidr_overlap', ['string', 'string'], 'boolean', (args) => cidrContains('net.cidr_overlap', arg(args, 0), arg(args, 1))), deprecated: true },
  fn('net.cidr_intersects', ['string', 'string'], 'boolean', (args) => {
    const a = cidrOf('net.cidr_intersects', arg(args, 0), 1);
    const b = cidrOf('net.cidr_intersects', arg(args, 1), 1);
    return contains(a, b.ip) || contains(b, a.ip);
  }),
  fn('net.cidr_contains_matches', [CIDR_OPERAND, CIDR_OPERAND], setOf(arrayOf('any')), containsMatches),
  fn('net.cidr_expand', ['string'], setOf('string'), expand),
  fn('net.cidr_is_valid', ['string'], 'boolean', (args) => {
    const s = arg(args, 0);
    if (typeof s !== 'string') return false;
    try {
      parseCIDR(s);
      return true;
    } catch {
      return false;
    }
  }),
  fn('net.cidr_merge', [anyOf(arrayOf('string'), setOf('string'))], setOf('string'), merge),
  fn('net.lookup_ip_addr', ['string'], setOf('string'), () => {
    throw builtinError('net.lookup_ip_addr', 'DNS lookups are not available in Airlock');
  }, true),
  fn('http.send', [objectOf('string', 'any')], objectOf('any', 'any'), () => {
    throw builtinError('http.send', 'network requests are not available in Airlock');
  }, true),
];
