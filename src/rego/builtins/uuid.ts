/**
 * `uuid.rfc4122` (random v4, the same for the same argument within one evaluation) and
 * `uuid.parse` (the formats and fields of the UUID library OPA uses).
 */
import { randomBytes } from 'node:crypto';
import { fromBigInt } from '../number.ts';
import { canonicalKey, RObject, type Value } from '../value.ts';
import { arg, fn, objectOf, str } from './args.ts';
import type { BuiltinContext, BuiltinDecl } from './types.ts';

function rfc4122(args: readonly Value[], ctx: BuiltinContext): Value {
  ctx.volatile?.();
  const key = `uuid.rfc4122:${canonicalKey(arg(args, 0))}`;
  const hit = ctx.cache.get(key);
  if (typeof hit === 'string') return hit;
  const b = randomBytes(16);
  b[8] = ((b[8] as number) & 0x3f) | 0x80;
  b[6] = ((b[6] as number) & 0x0f) | 0x40;
  const h = b.toString('hex');
  const id = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  ctx.cache.set(key, id);
  return id;
}

/** The 16 bytes of a UUID in one of the accepted textual forms, or null. */
export function uuidBytes(s: string): Uint8Array | null {
  let t = s;
  if (t.length === 45) {
    if (t.slice(0, 9).toLowerCase() !== 'urn:uuid:') return null;
    t = t.slice(9);
  } else if (t.length === 38) t = t.slice(1, 37);
  else if (t.length === 32) return /^[0-9a-fA-F]{32}$/.test(t) ? Buffer.from(t, 'hex') : null;
  if (t.length !== 36) return null;
  if (t[8] !== '-' || t[13] !== '-' || t[18] !== '-' || t[23] !== '-') return null;
  const hex = t.slice(0, 8) + t.slice(9, 13) + t.slice(14, 18) + t.slice(19, 23) + t.slice(24);
  return /^[0-9a-fA-F]{32}$/.test(hex) ? Buffer.from(hex, 'hex') : null;
}

function variant(b: number): string {
  if ((b & 0xc0) === 0x80) return 'RFC4122';
  if ((b & 0xe0) === 0xc0) return 'Microsoft';
  if ((b & 0xe0) === 0xe0) return 'Future';
  return 'Reserved';
}

function macVariables(b: number): string {
  if ((b & 3) === 3) return 'local:multicast';
  if ((b & 1) === 1) return 'global:multicast';
  if ((b & 2) === 2) return 'local:unicast';
  return 'global:unicast';
}

/** 100-ns intervals between 1582-10-15 and 1970-01-01. */
const GREGORIAN_OFFSET = 122192928000000000n;

function parse(args: readonly Value[]): Value | undefined {
  const b = uuidBytes(str('uuid.parse', args, 0));
  if (b === null) return undefined;
  const view = Buffer.from(b);
  const version = (b[6] as number) >> 4;
  const out = new RObject();
  out.set('version', version);
  out.set('variant', variant(b[8] as number));
  if (version === 1 || version === 2) {
    const time = BigInt(view.readUInt32BE(0)) | (BigInt(view.readUInt16BE(4)) << 32n) | (BigInt(view.readUInt16BE(6) & 0xfff) << 48n);
    const sec = time - GREGORIAN_OFFSET;
    out.set('time', fromBigInt((sec / 10_000_000n) * 1_000_000_000n + (sec % 10_000_000n) * 100n));
    const node = Array.from(b.subarray(10), (x) => x.toString(16).padStart(2, '0'));
    out.set('nodeid', node.join('-'));
    out.set('macvariables', macVariables(b[10] as number));
    out.set('clocksequence', view.readUInt16BE(8) & 0x3fff);
    if (version === 2) {
      out.set('id', view.readUInt32BE(0));
      const d = b[9] as number;
      out.set('domain', d === 0 ? 'Person' : d === 1 ? 'Group' : d === 2 ? 'Org' : `Domain${d}`);
    }
  }
  return out;
}

export const UUID_BUILTINS: readonly BuiltinDecl[] = [
  fn('uuid.rfc4122', ['string'], 'string', rfc4122, true),
  fn('uuid.parse', ['string'], objectOf('string', 'any'), parse),
];
