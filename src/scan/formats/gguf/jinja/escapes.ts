/**
 * Jinja string literals are decoded with Python's `unicode-escape` codec, so `'\x5f\x5f'`,
 * `'\u005f'`, `'\137'` and `'\N{LOW LINE}'` all spell `_`. This decoder does the same; a
 * `\N{…}` name outside ASCII is not resolved and makes the result inexact (the analysis then
 * treats the string as unknown rather than guessing).
 */

export interface DecodedString {
  readonly value: string;
  /** False when an escape could not be resolved exactly. */
  readonly exact: boolean;
}

const SIMPLE: Readonly<Record<string, string>> = {
  '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\n': '',
};

const ASCII_NAMES = buildAsciiNames();

export function decodePythonEscapes(raw: string): DecodedString {
  if (!raw.includes('\\')) return { value: raw, exact: true };
  let out = '';
  let exact = true;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] ?? '';
    if (c !== '\\' || i + 1 >= raw.length) {
      out += c;
      continue;
    }
    const e = raw[i + 1] ?? '';
    const simple = SIMPLE[e];
    if (simple !== undefined) {
      out += simple;
      i++;
      continue;
    }
    if (e >= '0' && e <= '7') {
      const m = /^[0-7]{1,3}/.exec(raw.slice(i + 1, i + 4));
      const digits = m?.[0] ?? e;
      out += String.fromCodePoint(Number.parseInt(digits, 8));
      i += digits.length;
      continue;
    }
    if (e === 'x' || e === 'u' || e === 'U') {
      const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = raw.slice(i + 2, i + 2 + n);
      if (hex.length === n && /^[0-9a-fA-F]+$/.test(hex) && Number.parseInt(hex, 16) <= 0x10ffff) {
        out += String.fromCodePoint(Number.parseInt(hex, 16));
        i += 1 + n;
        continue;
      }
      // Python rejects a truncated escape (the template would not compile); keep it verbatim.
      exact = false;
      out += `\\${e}`;
      i++;
      continue;
    }
    if (e === 'N' && raw[i + 2] === '{') {
      const close = raw.indexOf('}', i + 3);
      if (close > 0) {
        const name = raw.slice(i + 3, close).toUpperCase().replace(/\s+/g, ' ').trim();
        const ch = ASCII_NAMES.get(name);
        if (ch === undefined) {
          exact = false;
          out += '\ufffd';
        } else {
          out += ch;
        }
        i = close;
        continue;
      }
    }
    out += `\\${e}`;
    i++;
  }
  return { value: out, exact };
}

function buildAsciiNames(): Map<string, string> {
  const m = new Map<string, string>();
  const punct: ReadonlyArray<readonly [string, string]> = [
    [' ', 'SPACE'], ['!', 'EXCLAMATION MARK'], ['"', 'QUOTATION MARK'], ['#', 'NUMBER SIGN'], ['$', 'DOLLAR SIGN'],
    ['%', 'PERCENT SIGN'], ['&', 'AMPERSAND'], ["'", 'APOSTROPHE'], ['(', 'LEFT PARENTHESIS'], [')', 'RIGHT PARENTHESIS'],
    ['*', 'ASTERISK'], ['+', 'PLUS SIGN'], [',', 'COMMA'], ['-', 'HYPHEN-MINUS'], ['.', 'FULL STOP'], ['/', 'SOLIDUS'],
    [':', 'COLON'], [';', 'SEMICOLON'], ['<', 'LESS-THAN SIGN'], ['=', 'EQUALS SIGN'], ['>', 'GREATER-THAN SIGN'],
    ['?', 'QUESTION MARK'], ['@', 'COMMERCIAL AT'], ['[', 'LEFT SQUARE BRACKET'], ['\\', 'REVERSE SOLIDUS'],
    [']', 'RIGHT SQUARE BRACKET'], ['^', 'CIRCUMFLEX ACCENT'], ['_', 'LOW LINE'], ['`', 'GRAVE ACCENT'],
    ['{', 'LEFT CURLY BRACKET'], ['|', 'VERTICAL LINE'], ['}', 'RIGHT CURLY BRACKET'], ['~', 'TILDE'],
    ['\n', 'LINE FEED'], ['\t', 'CHARACTER TABULATION'], ['_', 'SPACING UNDERSCORE'],
  ];
  for (const [ch, name] of punct) m.set(name, ch);
  const digits = ['ZERO', 'ONE', 'TWO', 'THREE', 'FOUR', 'FIVE', 'SIX', 'SEVEN', 'EIGHT', 'NINE'];
  digits.forEach((d, i) => m.set(`DIGIT ${d}`, String(i)));
  for (let c = 0; c < 26; c++) {
    const up = String.fromCharCode(65 + c);
    m.set(`LATIN CAPITAL LETTER ${up}`, up);
    m.set(`LATIN SMALL LETTER ${up}`, up.toLowerCase());
  }
  return m;
}
