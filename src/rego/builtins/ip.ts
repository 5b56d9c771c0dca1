/**
 * IP addresses and CIDR networks with Go's net package semantics (parsing, containment,
 * textual forms). Pure computation: nothing here resolves names or opens sockets.
 */

/** 4 bytes (IPv4) or 16 bytes (IPv6, possibly IPv4-mapped). */
export type IP = Uint8Array;

export interface IPNet {
  readonly ip: IP;
  /** Prefix length in bits of the mask, for an ip of the same length. */
  readonly bits: number;
}

const V4_IN_V6 = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

/** Go's parseIPv4: four decimal octets without leading zeros. */
export function parseIPv4(s: string): IP | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i] as string;
    if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p[0] === '0')) return null;
    const n = Number(p);
    if (n > 255) return null;
    out[i] = n;
  }
  return out;
}

/** Go's parseIPv6 (no zone): hex groups, one "::", optional trailing dotted IPv4. */
export function parseIPv6(s: string): IP | null {
  const out = new Uint8Array(16);
  let ellipsis = -1;
  let i = 0;
  let rest = s;
  if (rest.startsWith('::')) {
    ellipsis = 0;
    rest = rest.slice(2);
    if (rest === '') return out;
  }
  while (i < 16) {
    const m = /^[0-9a-fA-F]{1,4}/.exec(rest);
    if (m === null) return null;
    // Embedded IPv4 in the last 32 bits.
    if (rest.length > m[0].length && rest[m[0].length] === '.') {
      if (ellipsis < 0 && i !== 12) return null;
      if (i + 4 > 16) return null;
      const v4 = parseIPv4(rest);
      if (v4 === null) return null;
      out.set(v4, i);
      i += 4;
      rest = '';
      break;
    }
    const v = parseInt(m[0], 16);
    out[i] = v >> 8;
    out[i + 1] = v & 0xff;
    i += 2;
    rest = rest.slice(m[0].length);
    if (rest === '') break;
    if (rest[0] !== ':' || rest.length === 1) return null;
    rest = rest.slice(1);
    if (rest[0] === ':') {
      if (ellipsis >= 0) return null;
      ellipsis = i;
      rest = rest.slice(1);
      if (rest === '') break;
    }
  }
  if (rest !== '') return null;
  if (i < 16) {
    if (ellipsis < 0) return null;
    const n = 16 - i;
    for (let j = i - 1; j >= ellipsis; j--) out[j + n] = out[j] as number;
    for (let j = ellipsis + n - 1; j >= ellipsis; j--) out[j] = 0;
  } else if (ellipsis >= 0) return null;
  return out;
}

/** net.ParseIP: IPv4 results are 16-byte IPv4-mapped, as in Go. */
export function parseIP(s: string): IP | null {
  const v4 = parseIPv4(s);
  if (v4 !== null) return toV4In6(v4);
  if (s.includes('%')) return null;
  return parseIPv6(s);
}

function toV4In6(v4: IP): IP {
  const out = new Uint8Array(16);
  out.set(V4_IN_V6, 0);
  out.set(v4, 12);
  return out;
}

/** ip.To4(): 4 bytes, or null when not IPv4 / IPv4-mapped. */
export function to4(ip: IP): IP | null {
  if (ip.length === 4) return ip;
  for (let i = 0; i < 12; i++) if (ip[i] !== V4_IN_V6[i]) return null;
  return ip.subarray(12);
}

export class CIDRError extends Error {}

/** net.ParseCIDR: the network (masked address) and prefix length. */
export function parseCIDR(s: string): IPNet {
  const slash = s.indexOf('/');
  const fail = (): never => {
    throw new CIDRError(`invalid CIDR address: ${s}`);
  };
  if (slash < 0) return fail();
  const addr = s.slice(0, slash);
  const mask = s.slice(slash + 1);
  let ip = parseIPv4(addr);
  if (ip === null && !addr.includes('%')) ip = parseIPv6(addr);
  if (ip === null || !/^\d{1,10}$/.test(mask)) return fail();
  const bits = Number(mask);
  if (bits > ip.length * 8) return fail();
  return { ip: maskIP(ip as IP, bits), bits };
}

export function maskIP(ip: IP, bits: number): IP {
  const out = new Uint8Array(ip);
  for (let i = 0; i < out.length; i++) {
    const keep = Math.max(0, Math.min(8, bits - i * 8));
    out[i] = (out[i] as number) & ((0xff << (8 - keep)) & 0xff);
  }
  return out;
}

/** IPNet.Contains */
export function contains(n: IPNet, ip: IP): boolean {
  const probe = to4(ip) ?? ip;
  if (probe.length !== n.ip.length) return false;
  for (let i = 0; i < probe.length; i++) {
    const keep = Math.max(0, Math.min(8, n.bits - i * 8));
    const m = (0xff << (8 - keep)) & 0xff;
    if (((n.ip[i] as number) & m) !== ((probe[i] as number) & m)) return false;
  }
  return true;
}

export function lastIP(n: IPNet): IP {
  const out = new Uint8Array(n.ip);
  for (let i = 0; i < out.length; i++) {
    const keep = Math.max(0, Math.min(8, n.bits - i * 8));
    out[i] = (out[i] as number) | (~((0xff << (8 - keep)) & 0xff) & 0xff);
  }
  return out;
}

/** IP.String(): dotted IPv4 for IPv4 and IPv4-mapped, RFC 5952 for IPv6. */
export function ipString(ip: IP): string {
  const v4 = to4(ip);
  if (v4 !== null) return Array.from(v4).join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((ip[i] as number) << 8) | (ip[i + 1] as number));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i >= 2 && j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** IPNet.String() */
export function netString(n: IPNet): string {
  const v4 = to4(n.ip);
  if (v4 !== null && n.ip.length === 16 && n.bits >= 96) return `${ipString(v4)}/${n.bits - 96}`;
  return `${ipString(n.ip)}/${n.bits}`;
}

/** 128-bit integer of an address in IPv6 space (IPv4 as IPv4-mapped). */
export function ipToBig(ip: IP): bigint {
  const full = ip.length === 4 ? toV4In6(ip) : ip;
  let v = 0n;
  for (const b of full) v = (v << 8n) | BigInt(b);
  return v;
}

export function bigToIP(v: bigint): IP {
  const out = new Uint8Array(16);
  let x = v;
  for (let i = 15; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}
