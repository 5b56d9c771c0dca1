/**
 * A streaming pre-pass over JSON text: does any object key (after unescaping, so `"class\u005fname"`
 * counts) belong to `wanted`? Lets the analyzer skip building a tree for large documents that
 * cannot be Keras configs or tokenizer configs (a 30 MB `tokenizer.json`), keeping memory flat.
 */
export function hasAnyKey(text: string, wanted: ReadonlySet<string>): boolean {
  const n = text.length;
  let i = 0;
  while (i < n) {
    const q = text.indexOf('"', i);
    if (q < 0) return false;
    // Find the end of the string, noting whether it has escapes.
    let j = q + 1;
    let escaped = false;
    while (j < n) {
      const c = text.charCodeAt(j);
      if (c === 0x5c) {
        escaped = true;
        j += 2;
        continue;
      }
      if (c === 0x22) break;
      j++;
    }
    if (j >= n) return false;
    // A key is a string followed by optional whitespace and a colon.
    let k = j + 1;
    while (k < n && (text[k] === ' ' || text[k] === '\t' || text[k] === '\n' || text[k] === '\r')) k++;
    if (text[k] === ':') {
      const raw = text.slice(q + 1, j);
      const key = escaped ? unescape(raw) : raw;
      if (key !== undefined && wanted.has(key)) return true;
    }
    i = j + 1;
  }
  return false;
}

function unescape(raw: string): string | undefined {
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return undefined;
  }
}
