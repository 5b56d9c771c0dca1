/**
 * A linear-time HTML tokenizer for Simple API pages (PEP 503): start tags with their decoded
 * attributes, end tags and text, comments skipped, raw-text elements (`<script>` …) passed over.
 */
import { PageFormatError } from './page-error.ts';

function fail(message: string): never {
  throw new PageFormatError(message);
}

// Every search moves forward from where the last one ended, so the work is linear in the page
// whatever it holds. A tag, comment or raw-text element the page ends inside is an error: a page
// cut short must not read as a shorter list.

export interface Tag {
  /** Lower case. */
  readonly name: string;
  /** Lower-case names → decoded values; the first of a repeated attribute wins, as in HTML. */
  readonly attrs: ReadonlyMap<string, string>;
  readonly duplicate: boolean;
}

export interface HtmlSink {
  start(tag: Tag): void;
  end(name: string): void;
  /** Raw text between tags: character references are not decoded yet. */
  text(raw: string): void;
}

// Elements whose content is text, not markup: an `<a>` inside them is not a link.
const RAW_TEXT: ReadonlySet<string> = new Set(['script', 'style', 'title', 'textarea']);

export const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d;
const isLetter = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

export function scanHtml(s: string, sink: HtmlSink): void {
  let textStart = 0;
  let i = s.indexOf('<');
  while (i !== -1) {
    const c = s.charCodeAt(i + 1);
    let next: number;
    if (isLetter(c) || (c === 0x2f && isLetter(s.charCodeAt(i + 2)))) {
      const closing = c === 0x2f;
      const tag = readTag(s, closing ? i + 2 : i + 1);
      if (tag === null) fail('the page ends inside a tag');
      if (i > textStart) sink.text(s.slice(textStart, i));
      if (closing) sink.end(tag.name);
      else sink.start(tag);
      next = !closing && RAW_TEXT.has(tag.name) ? rawTextEnd(s, tag.end, tag.name) : tag.end;
    } else if (c === 0x21 || c === 0x2f || c === 0x3f) {
      // `<!--…-->`, `<!DOCTYPE…>`, `<?…>` and a `</…>` that is no end tag are skipped
      if (i > textStart) sink.text(s.slice(textStart, i));
      next = s.startsWith('<!--', i) ? commentEnd(s, i + 4) : s.indexOf('>', i + 2) + 1;
      if (next === 0) fail('the page ends inside a tag');
    } else {
      i = s.indexOf('<', i + 1); // a stray `<` is text
      continue;
    }
    textStart = next;
    i = s.indexOf('<', next);
  }
  if (textStart < s.length) sink.text(s.slice(textStart));
}

function commentEnd(s: string, p: number): number {
  if (s.startsWith('>', p)) return p + 1; // `<!-->`
  if (s.startsWith('->', p)) return p + 2; // `<!--->`
  const close = s.indexOf('-->', p);
  if (close === -1) fail('the page ends inside a comment');
  return close + 3;
}

/** Where the end tag of a raw-text element starts. */
function rawTextEnd(s: string, from: number, name: string): number {
  for (let j = s.indexOf('</', from); j !== -1; j = s.indexOf('</', j + 2)) {
    const after = s.charCodeAt(j + 2 + name.length);
    if (s.slice(j + 2, j + 2 + name.length).toLowerCase() === name && (isSpace(after) || after === 0x2f || after === 0x3e)) return j;
  }
  return fail(`the page ends inside <${name}>`);
}

/** A tag from its name on (`p` is just past `<` or `</`); null when the page ends inside it. */
function readTag(s: string, p: number): (Tag & { readonly end: number }) | null {
  const n = s.length;
  let q = p;
  while (q < n && !isSpace(s.charCodeAt(q)) && s[q] !== '/' && s[q] !== '>') q++;
  const name = s.slice(p, q).toLowerCase();
  const attrs = new Map<string, string>();
  let duplicate = false;
  for (;;) {
    while (q < n && (isSpace(s.charCodeAt(q)) || s[q] === '/')) q++;
    if (q >= n) return null;
    if (s[q] === '>') return { name, attrs, duplicate, end: q + 1 };
    const a = q++; // the first character belongs to the name even when it is `=`, as in HTML
    while (q < n && !isSpace(s.charCodeAt(q)) && s[q] !== '/' && s[q] !== '>' && s[q] !== '=') q++;
    const attr = s.slice(a, q).toLowerCase();
    while (q < n && isSpace(s.charCodeAt(q))) q++;
    let value = '';
    if (s[q] === '=') {
      q++;
      while (q < n && isSpace(s.charCodeAt(q))) q++;
      const mark = s[q];
      if (mark === '"' || mark === "'") {
        const close = s.indexOf(mark, q + 1);
        if (close === -1) return null;
        value = s.slice(q + 1, close);
        q = close + 1;
      } else {
        const v = q;
        while (q < n && !isSpace(s.charCodeAt(q)) && s[q] !== '>') q++;
        value = s.slice(v, q);
      }
    }
    if (attrs.has(attr)) duplicate = true;
    else attrs.set(attr, decodeReferences(value));
  }
}

const NAMED_REFERENCES: ReadonlyMap<string, string> = new Map([['amp', '&'], ['lt', '<'], ['gt', '>'], ['quot', '"'], ['apos', "'"]]);
const MAX_REFERENCE = 10; // `#x10FFFF` is the longest body we decode

/** Decodes the common named references and all numeric ones; unknown names stay as written. */
export function decodeReferences(s: string): string {
  let amp = s.indexOf('&');
  if (amp === -1) return s;
  let out = '';
  let last = 0;
  while (amp !== -1) {
    let semi = -1;
    for (let k = amp + 1; k < s.length && k <= amp + MAX_REFERENCE; k++) {
      if (s.charCodeAt(k) === 0x3b) {
        semi = k;
        break;
      }
    }
    const decoded = semi === -1 ? null : referenceValue(s.slice(amp + 1, semi));
    if (decoded !== null) {
      out += s.slice(last, amp) + decoded;
      last = semi + 1;
    }
    amp = s.indexOf('&', decoded === null ? amp + 1 : last);
  }
  return out + s.slice(last);
}

function referenceValue(body: string): string | null {
  const named = NAMED_REFERENCES.get(body);
  if (named !== undefined) return named;
  let code: number;
  if (/^#[0-9]{1,7}$/.test(body)) code = Number(body.slice(1));
  else if (/^#[xX][0-9a-fA-F]{1,6}$/.test(body)) code = Number.parseInt(body.slice(2), 16);
  else return null;
  // As HTML does: NUL, surrogates and what lies beyond Unicode become U+FFFD.
  return code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) ? '\ufffd' : String.fromCodePoint(code);
}

// --- dispatch ---------------------------------------------------------------------------------

