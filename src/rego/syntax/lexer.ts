/**
 * The Rego lexer: source text → tokens, each with its position and whether whitespace or a
 * newline precedes it (Rego is whitespace-sensitive in a few places: `a [1]` is not a ref,
 * literals are separated by newlines).
 *
 * Template strings (`$"…{expr}…"`, `` $`…{expr}…` ``) are split into chunks; the expression
 * tokens between chunks are lexed normally, and the `}` that closes an expression is followed
 * by the next chunk.
 */
import { T, type Token, type TokenKind } from './tokens.ts';

export interface LexLimits {
  readonly maxTokens: number;
}

export class LexError {
  readonly message: string;
  readonly offset: number;
  readonly row: number;
  readonly col: number;

  constructor(message: string, offset: number, row: number, col: number) {
    this.message = message;
    this.offset = offset;
    this.row = row;
    this.col = col;
  }
}

function isLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}

function isDecimal(c: number): boolean {
  return c >= 48 && c <= 57;
}

const UNICODE_DIGIT = /\p{Nd}/u;

interface TemplateFrame {
  readonly raw: boolean;
  depth: number;
}

class Lexer {
  private readonly src: string;
  private pos = 0;
  private row = 1;
  private col = 1;
  private readonly out: Token[] = [];
  private readonly templates: TemplateFrame[] = [];
  private readonly limits: LexLimits;
  /** Set by quoted(): whether it stopped at a closing quote (true) or at a template `{` (false). */
  private closed = false;

  constructor(src: string, limits: LexLimits) {
    this.src = src;
    this.limits = limits;
  }

  private fail(message: string, offset = this.pos, row = this.row, col = this.col): never {
    throw new LexError(message, offset, row, col);
  }

  /** Advance one code point, maintaining row/col. */
  private advance(): void {
    const c = this.src.charCodeAt(this.pos);
    if (c === 10) {
      this.row++;
      this.col = 1;
      this.pos++;
      return;
    }
    this.pos += c >= 0xd800 && c <= 0xdbff && this.pos + 1 < this.src.length ? 2 : 1;
    this.col++;
  }

  private push(kind: TokenKind, text: string, start: number, row: number, col: number, ws: boolean, nl: boolean, raw = false): void {
    if (this.out.length >= this.limits.maxTokens) this.fail(`too many tokens (limit ${this.limits.maxTokens})`, start, row, col);
    this.out.push({ kind, text, raw, offset: start, end: this.pos, row, col, ws, nl });
  }

  run(): Token[] {
    const src = this.src;
    if (src.charCodeAt(0) === 0xfeff) {
      this.pos = 1;
    }
    let ws = false;
    let nl = false;
    for (;;) {
      // Skip whitespace and comments.
      for (;;) {
        const c = src.charCodeAt(this.pos);
        if (c === 32 || c === 9 || c === 13) {
          ws = true;
          this.advance();
        } else if (c === 10) {
          ws = true;
          nl = true;
          this.advance();
        } else if (c === 35) {
          ws = true;
          while (this.pos < src.length && src.charCodeAt(this.pos) !== 10) this.advance();
        } else break;
      }
      const start = this.pos;
      const row = this.row;
      const col = this.col;
      if (this.pos >= src.length) {
        if (this.templates.length > 0) this.fail('non-terminated string');
        this.push(T.EOF, '', start, row, col, ws, nl);
        return this.out;
      }
      const c = src.charCodeAt(this.pos);
      if (c === 0) this.fail('illegal null character');
      if (isLetter(c)) {
        this.advance();
        for (;;) {
          const d = src.charCodeAt(this.pos);
          if (isLetter(d) || isDecimal(d)) this.advance();
          else if (d > 127 && UNICODE_DIGIT.test(String.fromCodePoint(src.codePointAt(this.pos) as number))) this.advance();
          else break;
        }
        this.push(T.Ident, src.slice(start, this.pos), start, row, col, ws, nl);
      } else if (isDecimal(c)) {
        this.number();
        this.push(T.Number, src.slice(start, this.pos), start, row, col, ws, nl);
      } else if (c === 34) {
        this.advance();
        const text = this.quoted(false);
        this.push(T.String, text, start, row, col, ws, nl);
      } else if (c === 96) {
        this.advance();
        const from = this.pos;
        while (this.pos < src.length && src.charCodeAt(this.pos) !== 96) this.advance();
        if (this.pos >= src.length) this.fail('non-terminated string', start, row, col);
        const text = src.slice(from, this.pos);
        this.advance();
        this.push(T.String, text, start, row, col, ws, nl);
      } else if (c === 36) {
        const n = src.charCodeAt(this.pos + 1);
        if (n !== 34 && n !== 96) this.fail('illegal $ character');
        this.advance();
        this.advance();
        this.template(n === 96, start, row, col, ws, nl);
      } else {
        this.advance();
        const n = src.charCodeAt(this.pos);
        let kind: TokenKind;
        switch (c) {
          case 91:
            kind = T.LBrack;
            break;
          case 93:
            kind = T.RBrack;
            break;
          case 123: {
            kind = T.LBrace;
            const top = this.templates[this.templates.length - 1];
            if (top !== undefined) top.depth++;
            break;
          }
          case 125: {
            const top = this.templates[this.templates.length - 1];
            if (top !== undefined) {
              if (top.depth === 0) {
                this.push(T.RBrace, '}', start, row, col, ws, nl);
                this.templates.pop();
                ws = false;
                nl = false;
                this.template(top.raw, this.pos, this.row, this.col, false, false);
                continue;
              }
              top.depth--;
            }
            kind = T.RBrace;
            break;
          }
          case 40:
            kind = T.LParen;
            break;
          case 41:
            kind = T.RParen;
            break;
          case 44:
            kind = T.Comma;
            break;
          case 58:
            if (n === 61) {
              this.advance();
              kind = T.Assign;
            } else kind = T.Colon;
            break;
          case 59:
            kind = T.Semicolon;
            break;
          case 46:
            kind = T.Dot;
            break;
          case 43:
            kind = T.Add;
            break;
          case 45:
            kind = T.Sub;
            break;
          case 42:
            kind = T.Mul;
            break;
          case 47:
            kind = T.Quo;
            break;
          case 37:
            kind = T.Rem;
            break;
          case 38:
            kind = T.And;
            break;
          case 124:
            kind = T.Or;
            break;
          case 61:
            if (n === 61) {
              this.advance();
              kind = T.Equal;
            } else kind = T.Unify;
            break;
          case 62:
            if (n === 61) {
              this.advance();
              kind = T.Gte;
            } else kind = T.Gt;
            break;
          case 60:
            if (n === 61) {
              this.advance();
              kind = T.Lte;
            } else kind = T.Lt;
            break;
          case 33:
            if (n !== 61) this.fail('illegal ! character', start, row, col);
            this.advance();
            kind = T.Neq;
            break;
          default:
            this.fail(`illegal character ${JSON.stringify(String.fromCodePoint(src.codePointAt(start) as number))}`, start, row, col);
        }
        this.push(kind, src.slice(start, this.pos), start, row, col, ws, nl);
      }
      ws = false;
      nl = false;
    }
  }

  private number(): void {
    const src = this.src;
    while (isDecimal(src.charCodeAt(this.pos))) this.advance();
    if (src.charCodeAt(this.pos) === 46 && isDecimal(src.charCodeAt(this.pos + 1))) {
      this.advance();
      while (isDecimal(src.charCodeAt(this.pos))) this.advance();
    }
    const e = src.charCodeAt(this.pos);
    if (e === 101 || e === 69) {
      this.advance();
      const s = src.charCodeAt(this.pos);
      if (s === 43 || s === 45) this.advance();
      if (!isDecimal(src.charCodeAt(this.pos))) this.fail('expected exponent');
      while (isDecimal(src.charCodeAt(this.pos))) this.advance();
    }
    if (isLetter(src.charCodeAt(this.pos))) this.fail('illegal number format');
  }

  /** Reads a double-quoted string body (after the opening quote); in template mode stops at `{`. */
  private quoted(template: boolean): string {
    const src = this.src;
    let out = '';
    let from = this.pos;
    for (;;) {
      if (this.pos >= src.length) this.fail('non-terminated string');
      const c = src.charCodeAt(this.pos);
      if (c === 10) this.fail('non-terminated string');
      if (c === 34) {
        out += src.slice(from, this.pos);
        this.advance();
        this.closed = true;
        return out;
      }
      if (template && c === 123) {
        out += src.slice(from, this.pos);
        this.advance();
        this.closed = false;
        return out;
      }
      if (c === 92) {
        out += src.slice(from, this.pos);
        this.advance();
        const e = src.charCodeAt(this.pos);
        switch (e) {
          case 34:
            out += '"';
            break;
          case 92:
            out += '\\';
            break;
          case 47:
            out += '/';
            break;
          case 98:
            out += '\b';
            break;
          case 102:
            out += '\f';
            break;
          case 110:
            out += '\n';
            break;
          case 114:
            out += '\r';
            break;
          case 116:
            out += '\t';
            break;
          case 117: {
            const hex = src.slice(this.pos + 1, this.pos + 5);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('illegal escape sequence');
            out += String.fromCharCode(parseInt(hex, 16));
            for (let i = 0; i < 4; i++) this.advance();
            break;
          }
          case 123:
            if (template) {
              out += '{';
              break;
            }
            this.fail('illegal escape sequence');
            break;
          default:
            this.fail('illegal escape sequence');
        }
        this.advance();
        from = this.pos;
        continue;
      }
      this.advance();
    }
  }

  private template(raw: boolean, start: number, row: number, col: number, ws: boolean, nl: boolean): void {
    const src = this.src;
    let text: string;
    let ended: boolean;
    if (raw) {
      text = '';
      let from = this.pos;
      for (;;) {
        if (this.pos >= src.length) this.fail('non-terminated string', start, row, col);
        const c = src.charCodeAt(this.pos);
        if (c === 96) {
          text += src.slice(from, this.pos);
          this.advance();
          ended = true;
          break;
        }
        if (c === 123) {
          text += src.slice(from, this.pos);
          this.advance();
          ended = false;
          break;
        }
        if (c === 92 && src.charCodeAt(this.pos + 1) === 123) {
          text += src.slice(from, this.pos) + '{';
          this.advance();
          this.advance();
          from = this.pos;
          continue;
        }
        this.advance();
      }
    } else {
      text = this.quoted(true);
      ended = this.closed;
    }
    this.push(ended ? T.TemplateEnd : T.TemplatePart, text, start, row, col, ws, nl, raw);
    if (!ended) this.templates.push({ raw, depth: 0 });
  }
}

/** Tokenize Rego source. Throws `LexError` on illegal input. */
export function lex(src: string, limits: LexLimits): Token[] {
  return new Lexer(src, limits).run();
}
