/**
 * A small, strict XML reader for what an S3 endpoint answers (list pages, error bodies, the
 * results of a copy or a multipart upload). The endpoint is not ours to trust, so the reader is
 * bounded and refuses rather than guesses: no document type declarations (so no entity
 * expansion and no external entities), only the five predefined entities and character
 * references, a cap on length, depth and element count, and any truncation or mismatched tag is
 * an error. CDATA sections are read as text. It keeps elements, attributes and text, which is
 * all S3's answers carry; namespaces are not resolved (names are compared as written).
 */

export class XmlError extends Error {
  /** Where in the input (a character index) the reader stopped; null for a document well formed but not of the expected shape. */
  readonly offset: number | null;

  constructor(message: string, offset: number | null) {
    super(offset === null ? message : `${message} (at character ${offset})`);
    this.name = 'XmlError';
    this.offset = offset;
  }
}

export interface XmlElement {
  readonly name: string;
  readonly attributes: ReadonlyMap<string, string>;
  readonly children: readonly XmlElement[];
  /** The element's own character data (CDATA included; its children's not), entities decoded. */
  readonly text: string;
}

export interface XmlLimits {
  /** Longest input, in characters. */
  readonly maxLength: number;
  /** Deepest nesting (the root element is at depth 1). */
  readonly maxDepth: number;
  /** Most elements in one document. */
  readonly maxElements: number;
}

export const DEFAULT_XML_LIMITS: XmlLimits = Object.freeze({ maxLength: 8 * 1024 * 1024, maxDepth: 32, maxElements: 200_000 });

const NAME = /[A-Za-z_:][A-Za-z0-9_.:-]*/y;
const SPACE = /[ \t\r\n]*/y;
/** Characters XML 1.0 does not allow anywhere (C0 controls but tab, LF and CR; U+FFFE, U+FFFF). */
const FORBIDDEN_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

interface Open {
  readonly name: string;
  readonly attributes: Map<string, string>;
  readonly children: XmlElement[];
  text: string;
}

export function parseXml(input: string, limits: XmlLimits = DEFAULT_XML_LIMITS): XmlElement {
  if (input.length > limits.maxLength) throw new XmlError(`the document is longer than ${limits.maxLength} characters`, limits.maxLength);
  const bad = FORBIDDEN_CHAR.exec(input);
  if (bad !== null) throw new XmlError(`character U+${bad[0].charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()} is not allowed in XML`, bad.index);
  return new Reader(input, limits).document();
}

/** The one child element called `name`; undefined when there is none; an error when there are several. */
export function onlyChild(element: XmlElement, name: string): XmlElement | undefined {
  let found: XmlElement | undefined;
  for (const child of element.children) {
    if (child.name !== name) continue;
    if (found !== undefined) throw new XmlError(`<${element.name}> has more than one <${name}>`, null);
    found = child;
  }
  return found;
}

/** The text of the one child element called `name`, or undefined. */
export function childText(element: XmlElement, name: string): string | undefined {
  return onlyChild(element, name)?.text;
}

class Reader {
  readonly #s: string;
  readonly #limits: XmlLimits;
  #i = 0;
  #elements = 0;

  constructor(input: string, limits: XmlLimits) {
    this.#s = input;
    this.#limits = limits;
  }

  document(): XmlElement {
    // White space before the declaration is tolerated: S3 pads a long copy or multipart
    // completion with spaces to keep the connection open before it writes the document.
    this.#space();
    if (this.#s.startsWith('<?xml', this.#i) && /[ \t\r\n?]/.test(this.#s[this.#i + 5] ?? '')) this.#skipPast('?>', 'XML declaration');
    this.#misc();
    if (this.#s[this.#i] !== '<') this.#fail(this.#i >= this.#s.length ? 'the document has no root element' : 'text before the root element');
    const root = this.#element();
    this.#misc();
    if (this.#i < this.#s.length) this.#fail('content after the root element');
    return root;
  }

  /** Comments and white space between the prolog, the root element and the end. */
  #misc(): void {
    for (;;) {
      this.#space();
      if (this.#s.startsWith('<!--', this.#i)) this.#comment();
      else if (this.#s.startsWith('<!DOCTYPE', this.#i)) this.#fail('document type declarations are refused');
      else if (this.#s.startsWith('<?', this.#i)) this.#fail('processing instructions are refused');
      else return;
    }
  }

  #element(): XmlElement {
    const stack: Open[] = [];
    for (;;) {
      const at = this.#i;
      if (at >= this.#s.length) {
        const top = stack.at(-1);
        this.#fail(top === undefined ? 'the document has no root element' : `the document ends before <${top.name}> is closed`);
      }
      const top = stack.at(-1);
      if (this.#s[at] !== '<') {
        if (top === undefined) this.#fail('text outside the root element');
        top.text += this.#text();
        continue;
      }
      if (this.#s.startsWith('</', at)) {
        this.#i += 2;
        const name = this.#name();
        this.#space();
        this.#expect('>');
        const open = stack.pop();
        if (open === undefined || open.name !== name) this.#fail(open === undefined ? `</${name}> closes nothing` : `</${name}> closes <${open.name}>`, at);
        const done: XmlElement = { name: open.name, attributes: open.attributes, children: open.children, text: open.text };
        const parent = stack.at(-1);
        if (parent === undefined) return done;
        parent.children.push(done);
      } else if (this.#s.startsWith('<!--', at)) {
        if (top === undefined) this.#fail('comment where the root element belongs');
        this.#comment();
      } else if (this.#s.startsWith('<![CDATA[', at)) {
        if (top === undefined) this.#fail('CDATA outside the root element');
        this.#i += 9;
        const end = this.#s.indexOf(']]>', this.#i);
        if (end === -1) this.#fail('the document ends inside a CDATA section', at);
        top.text += this.#s.slice(this.#i, end);
        this.#i = end + 3;
      } else if (this.#s.startsWith('<!', at) || this.#s.startsWith('<?', at)) {
        this.#fail('declarations and processing instructions are refused inside the document');
      } else {
        const open = this.#startTag(stack.length + 1);
        if (open.selfClosed) {
          const done: XmlElement = { name: open.name, attributes: open.attributes, children: [], text: '' };
          if (top === undefined) return done;
          top.children.push(done);
        } else {
          stack.push({ name: open.name, attributes: open.attributes, children: [], text: '' });
        }
      }
    }
  }

  #startTag(depth: number): { name: string; attributes: Map<string, string>; selfClosed: boolean } {
    const at = this.#i;
    if (depth > this.#limits.maxDepth) this.#fail(`elements nest deeper than ${this.#limits.maxDepth}`);
    if (++this.#elements > this.#limits.maxElements) this.#fail(`more than ${this.#limits.maxElements} elements`);
    this.#i += 1;
    const name = this.#name();
    const attributes = new Map<string, string>();
    for (;;) {
      const before = this.#i;
      this.#space();
      if (this.#s.startsWith('/>', this.#i)) {
        this.#i += 2;
        return { name, attributes, selfClosed: true };
      }
      if (this.#s[this.#i] === '>') {
        this.#i += 1;
        return { name, attributes, selfClosed: false };
      }
      if (this.#i >= this.#s.length) this.#fail(`the document ends inside the tag <${name}>`, at);
      if (this.#i === before) this.#fail(`expected white space, '>' or '/>' in <${name}>`);
      const attribute = this.#name();
      this.#space();
      this.#expect('=');
      this.#space();
      const quote = this.#s[this.#i];
      if (quote !== '"' && quote !== "'") this.#fail(`the value of ${attribute} is not quoted`);
      const end = this.#s.indexOf(quote, this.#i + 1);
      if (end === -1) this.#fail(`the document ends inside the value of ${attribute}`);
      const raw = this.#s.slice(this.#i + 1, end);
      if (raw.includes('<')) this.#fail(`'<' in the value of ${attribute}`);
      if (attributes.has(attribute)) this.#fail(`<${name}> has ${attribute} twice`);
      attributes.set(attribute, this.#decode(raw, this.#i + 1));
      this.#i = end + 1;
    }
  }

  /** Character data up to the next '<' (which must come: the document cannot end inside an element). */
  #text(): string {
    const start = this.#i;
    const end = this.#s.indexOf('<', start);
    if (end === -1) this.#fail('the document ends inside an element', this.#s.length);
    this.#i = end;
    return this.#decode(this.#s.slice(start, end), start);
  }

  /** `raw` with its entity and character references replaced; `offset` is where it starts in the input. */
  #decode(raw: string, offset: number): string {
    if (!raw.includes('&')) return raw;
    let out = '';
    let from = 0;
    for (let amp = raw.indexOf('&'); amp !== -1; amp = raw.indexOf('&', from)) {
      const semi = raw.indexOf(';', amp);
      if (semi === -1 || semi - amp > 12) this.#fail("'&' that starts no reference", offset + amp);
      out += raw.slice(from, amp) + this.#reference(raw.slice(amp + 1, semi), offset + amp);
      from = semi + 1;
    }
    return out + raw.slice(from);
  }

  #reference(name: string, offset: number): string {
    const predefined = Object.hasOwn(PREDEFINED, name) ? PREDEFINED[name] : undefined;
    if (predefined !== undefined) return predefined;
    const m = /^#(?:x([0-9A-Fa-f]{1,6})|([0-9]{1,7}))$/.exec(name);
    if (m === null) this.#fail(`unknown entity &${name}; (only the five predefined ones and character references are read)`, offset);
    const code = m[1] !== undefined ? parseInt(m[1], 16) : Number(m[2]);
    const allowed = code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
    if (!allowed) this.#fail(`character reference &${name}; is not a character XML allows`, offset);
    return String.fromCodePoint(code);
  }

  #comment(): void {
    const at = this.#i;
    const end = this.#s.indexOf('-->', at + 4);
    if (end === -1) this.#fail('the document ends inside a comment', at);
    if (this.#s.slice(at + 4, end).includes('--')) this.#fail("'--' inside a comment", at);
    this.#i = end + 3;
  }

  #skipPast(marker: string, what: string): void {
    const end = this.#s.indexOf(marker, this.#i);
    if (end === -1) this.#fail(`the document ends inside the ${what}`);
    this.#i = end + marker.length;
  }

  #name(): string {
    NAME.lastIndex = this.#i;
    const m = NAME.exec(this.#s);
    if (m === null) this.#fail(this.#i >= this.#s.length ? 'the document ends where a name belongs' : 'expected a name');
    this.#i += m[0].length;
    return m[0];
  }

  #space(): void {
    SPACE.lastIndex = this.#i;
    this.#i += (SPACE.exec(this.#s) as RegExpExecArray)[0].length;
  }

  #expect(c: string): void {
    if (this.#s[this.#i] !== c) this.#fail(this.#i >= this.#s.length ? `the document ends where '${c}' belongs` : `expected '${c}'`);
    this.#i += 1;
  }

  #fail(message: string, at: number = this.#i): never {
    throw new XmlError(message, at);
  }
}
