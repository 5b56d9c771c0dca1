/**
 * The pre-authentication encoding model_signing 0.2.x signed by mistake: Python's
 * `f"DSSEV1 {len(type)} {type} {len(payload)} {payload}"` with `payload` a bytes object, so the
 * text holds its repr (`b'…'`) rather than its bytes, and the tag has a capital V. Verifiers
 * (model_signing's own included) try the correct PAE first and this one second.
 */

const HEX = Buffer.from('0123456789abcdef', 'latin1');
const ESCAPES: Readonly<Record<number, number>> = { 0x09: 0x74, 0x0a: 0x6e, 0x0d: 0x72 };

/**
 * Python's `repr(bytes)`, as ASCII bytes: `b'…'` (or `b"…"` when the bytes hold `'` and no `"`),
 * with `\\`, `\t`, `\n`, `\r` and the quote escaped, other bytes outside 0x20–0x7e as `\xNN`.
 */
export function pythonBytesReprBytes(bytes: Uint8Array): Buffer {
  const quote = bytes.includes(0x27) && !bytes.includes(0x22) ? 0x22 : 0x27;
  const out = Buffer.allocUnsafe(bytes.length * 4 + 3);
  let n = 0;
  out[n++] = 0x62;
  out[n++] = quote;
  for (const c of bytes) {
    const escape = ESCAPES[c];
    if (c === quote || c === 0x5c) {
      out[n++] = 0x5c;
      out[n++] = c;
    } else if (escape !== undefined) {
      out[n++] = 0x5c;
      out[n++] = escape;
    } else if (c < 0x20 || c >= 0x7f) {
      out[n++] = 0x5c;
      out[n++] = 0x78;
      out[n++] = HEX[c >> 4] ?? 0x30;
      out[n++] = HEX[c & 15] ?? 0x30;
    } else out[n++] = c;
  }
  out[n++] = quote;
  return out.subarray(0, n);
}

/** `pythonBytesReprBytes` as text. */
export function pythonBytesRepr(bytes: Uint8Array): string {
  return pythonBytesReprBytes(bytes).toString('latin1');
}

/** `DSSEV1 <len(type)> <type> <len(payload)> <repr(payload)>`, UTF-8 (lengths in bytes, as Python counts them). */
export function legacyPreAuthEncoding(payloadType: string, payload: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(`DSSEV1 ${Buffer.byteLength(payloadType, 'utf8')} ${payloadType} ${payload.length} `, 'utf8'), pythonBytesReprBytes(payload)]);
}
