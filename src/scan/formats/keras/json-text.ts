/**
 * JSON bytes the way Python's `json.loads(bytes)` reads them (Keras reads `config.json` that
 * way): the encoding is detected from BOMs and NUL-byte patterns (UTF-8, UTF-8 with BOM,
 * UTF-16 and UTF-32 in either byte order), so a config saved as UTF-16 is still a config.
 */

export type JsonEncoding = 'utf-8' | 'utf-8-sig' | 'utf-16le' | 'utf-16be' | 'utf-32le' | 'utf-32be';

/** Python's `json.detect_encoding`. */
export function detectJsonEncoding(b: Uint8Array): JsonEncoding {
  const [b0 = -1, b1 = -1, b2 = -1, b3 = -1] = b;
  if (b0 === 0 && b1 === 0 && b2 === 0xfe && b3 === 0xff) return 'utf-32be';
  if (b0 === 0xff && b1 === 0xfe && b2 === 0 && b3 === 0) return 'utf-32le';
  if (b0 === 0xfe && b1 === 0xff) return 'utf-16be';
  if (b0 === 0xff && b1 === 0xfe) return 'utf-16le';
  if (b0 === 0xef && b1 === 0xbb && b2 === 0xbf) return 'utf-8-sig';
  if (b.length >= 4) {
    if (b0 === 0) return b1 !== 0 ? 'utf-16be' : 'utf-32be';
    if (b1 === 0) return b2 !== 0 || b3 !== 0 ? 'utf-16le' : 'utf-32le';
  } else if (b.length === 2) {
    if (b0 === 0) return 'utf-16be';
    if (b1 === 0) return 'utf-16le';
  }
  return 'utf-8';
}

/** Decodes with the detected encoding; `fatal` rejects malformed sequences (Python would raise). */
export function decodeJsonBytes(b: Uint8Array, fatal: boolean): string {
  const enc = detectJsonEncoding(b);
  switch (enc) {
    case 'utf-8':
      return new TextDecoder('utf-8', { fatal, ignoreBOM: true }).decode(b);
    case 'utf-8-sig':
      return new TextDecoder('utf-8', { fatal }).decode(b);
    case 'utf-16le':
    case 'utf-16be': {
      const bom = (enc === 'utf-16le' && b[0] === 0xff && b[1] === 0xfe) || (enc === 'utf-16be' && b[0] === 0xfe && b[1] === 0xff);
      return new TextDecoder(enc, { fatal }).decode(bom ? b.subarray(2) : b.subarray(0, b.length - (b.length % 2)));
    }
    default:
      return decodeUtf32(b, enc === 'utf-32le', fatal);
  }
}

function decodeUtf32(b: Uint8Array, le: boolean, fatal: boolean): string {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let start = 0;
  if (b.length >= 4 && dv.getUint32(0, le) === 0xfeff) start = 4;
  const parts: string[] = [];
  for (let i = start; i + 4 <= b.length; i += 4) {
    const cp = dv.getUint32(i, le);
    if (cp > 0x10ffff) {
      if (fatal) throw new TypeError(`invalid UTF-32 code point at byte ${i}`);
      parts.push('\ufffd');
    } else parts.push(String.fromCodePoint(cp));
  }
  return parts.join('');
}

/** Does the start of `head` look like a JSON object in any of Python's encodings? */
export function looksLikeJsonObject(head: Uint8Array): boolean {
  if (head.length < 2) return false;
  let text: string;
  try {
    // A cut-off multi-byte sequence at the end of the head is fine.
    text = decodeJsonBytes(head.subarray(0, head.length - (head.length % 4)), false);
  } catch {
    return false;
  }
  const t = text.replace(/^[\ufeff \t\r\n]+/, '');
  if (!t.startsWith('{')) return false;
  // After the brace: whitespace, a key or the closing brace — and no binary.
  if (!/^\{\s*(["}]|$)/.test(t)) return false;
  return !/[\u0000-\u0008\u000e-\u001f]/.test(t.slice(0, 512));
}
