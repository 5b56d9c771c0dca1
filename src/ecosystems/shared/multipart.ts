/**
 * A streaming `multipart/form-data` reader (RFC 7578 over RFC 2046), for uploads such as the
 * Python packaging upload API (twine). The body is hostile: every part of it is bounded (the
 * number of parts, each part's headers, each field, all fields together, the file bytes, the
 * preamble and epilogue), and file parts are handed to a sink chunk by chunk with backpressure,
 * never held whole. Fields are UTF-8 text. Strict where clients are: the boundary line ends in
 * CRLF, headers are `Name: value` lines, `Content-Disposition: form-data` with a quoted `name`
 * (and `filename` for a file) and no `filename*`.
 */
import { AirlockError } from '../../core/index.ts';

export interface MultipartLimits {
  readonly maxParts: number;
  /** Bytes of one part's header block. Also bounds the preamble and the epilogue. */
  readonly maxHeaderBytes: number;
  /** Bytes of one text field. */
  readonly maxFieldBytes: number;
  /** Bytes of every text field together. */
  readonly maxFieldsBytes: number;
  /** Bytes of every file part together. */
  readonly maxFileBytes: number;
}

/** Where a file part's bytes go, as they arrive. */
export interface FilePartSink {
  write(chunk: Buffer): Promise<void>;
}

export interface FilePart {
  /** The form field's name. */
  readonly field: string;
  /** The file name the client gave. */
  readonly filename: string;
  readonly contentType: string | null;
}

export interface ParsedForm {
  /** Text fields by name, in the order sent (a field may repeat: `classifiers`, `requires_dist`). */
  readonly fields: ReadonlyMap<string, readonly string[]>;
  /** The file parts, in the order sent. */
  readonly files: readonly FilePart[];
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');
const DASH_DASH = Buffer.from('--');
// RFC 2046 §5.1.1: 1 to 70 characters of this set, not ending in a space.
const BOUNDARY_RE = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;

function bad(message: string): never {
  throw new AirlockError('BAD_REQUEST', `the upload form is malformed: ${message}`);
}

function tooBig(message: string): never {
  throw new AirlockError('LIMIT_EXCEEDED', `the upload form is too large: ${message}`);
}

/** The boundary of a `multipart/form-data` content type; BAD_REQUEST for any other type. */
export function boundaryOf(contentType: string | undefined): string {
  if (contentType === undefined) bad('no Content-Type; send multipart/form-data');
  const [type = '', ...params] = contentType.split(';');
  if (type.trim().toLowerCase() !== 'multipart/form-data') throw new AirlockError('BAD_REQUEST', `the upload must be multipart/form-data, not ${type.trim().slice(0, 100)}`);
  let boundary: string | null = null;
  for (const p of params) {
    const eq = p.indexOf('=');
    if (eq === -1 || p.slice(0, eq).trim().toLowerCase() !== 'boundary') continue;
    if (boundary !== null) bad('the Content-Type gives the boundary twice');
    let value = p.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    boundary = value;
  }
  if (boundary === null || !BOUNDARY_RE.test(boundary)) bad('the Content-Type has no valid boundary');
  return boundary;
}

interface Disposition {
  readonly name: string;
  readonly filename: string | null;
}

/** `form-data; name="…"; filename="…"` — quoted values taken verbatim (HTML5 percent-escapes quotes; no backslash escapes). */
function parseDisposition(value: string): Disposition {
  const [type = '', ...rest] = splitParams(value);
  if (type.toLowerCase() !== 'form-data') bad(`a part's Content-Disposition is ${JSON.stringify(type.slice(0, 40))}, not form-data`);
  const params = new Map<string, string>();
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq <= 0) bad("a part's Content-Disposition has a parameter without a value");
    const key = p.slice(0, eq).trim().toLowerCase();
    let v = p.slice(eq + 1).trim();
    if (key.endsWith('*')) bad(`a part's Content-Disposition uses ${key}, which is not taken; send a plain quoted value`);
    if (v.startsWith('"')) {
      if (v.length < 2 || !v.endsWith('"') || v.slice(1, -1).includes('"') || v.includes('\\')) bad(`a part's ${key} is not a plain quoted string`);
      v = v.slice(1, -1);
    }
    if (params.has(key)) bad(`a part's Content-Disposition gives ${key} twice`);
    params.set(key, v);
  }
  const name = params.get('name');
  if (name === undefined || name === '') bad('a part has no name');
  return { name, filename: params.get('filename') ?? null };
}

/** `a; b="c;d"; e` split at the semicolons outside quotes. */
function splitParams(value: string): string[] {
  const out: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '"') quoted = !quoted;
    else if (c === ';' && !quoted) {
      out.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  if (quoted) bad('a quoted string in a part header is not closed');
  out.push(value.slice(start).trim());
  return out;
}

function parseHeaders(block: Buffer): { disposition: Disposition; contentType: string | null } {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(block);
  } catch {
    bad("a part's headers are not UTF-8");
  }
  let disposition: Disposition | null = null;
  let contentType: string | null = null;
  for (const line of text === '' ? [] : text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0 || /[\s]/.test(line.slice(0, colon))) bad(`a part has a malformed header line ${JSON.stringify(line.slice(0, 60))}`);
    const key = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === 'content-disposition') {
      if (disposition !== null) bad('a part has two Content-Disposition headers');
      disposition = parseDisposition(value);
    } else if (key === 'content-type') {
      contentType = value;
    }
  }
  if (disposition === null) bad('a part has no Content-Disposition');
  return { disposition, contentType };
}

type State = 'preamble' | 'after-boundary' | 'headers' | 'body' | 'epilogue';

/**
 * Reads the whole form from `body`. Each file part is handed to the sink `file` returns for it
 * (which may refuse a part by throwing); its bytes arrive in order, and the next chunk of the body
 * is read only once the sink took the last. Any error ends the read: the caller discards what
 * its sinks kept.
 */
export async function readMultipart(body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, boundary: string, limits: MultipartLimits, file: (part: FilePart) => FilePartSink | Promise<FilePartSink>): Promise<ParsedForm> {
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  const fields = new Map<string, string[]>();
  const files: FilePart[] = [];
  let fieldBytes = 0;
  let fileBytes = 0;
  let parts = 0;
  // The body as if it began with CRLF, so that its first boundary is a delimiter like every other.
  let buf: Buffer = CRLF;
  let skipped = 0;
  let state: State = 'preamble';
  let sink: FilePartSink | null = null;
  let field: { name: string; chunks: Buffer[]; size: number } | null = null;

  const take = async (bytes: Buffer): Promise<void> => {
    if (bytes.length === 0) return;
    if (sink !== null) {
      fileBytes += bytes.length;
      if (fileBytes > limits.maxFileBytes) tooBig(`the file is larger than ${limits.maxFileBytes} bytes`);
      await sink.write(bytes);
    } else if (field !== null) {
      field.size += bytes.length;
      fieldBytes += bytes.length;
      if (field.size > limits.maxFieldBytes) tooBig(`the field ${JSON.stringify(field.name.slice(0, 60))} is larger than ${limits.maxFieldBytes} bytes`);
      if (fieldBytes > limits.maxFieldsBytes) tooBig(`its fields are larger than ${limits.maxFieldsBytes} bytes together`);
      field.chunks.push(bytes);
    }
  };

  const endPart = (): void => {
    if (field !== null) {
      let value: string;
      try {
        value = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(field.chunks, field.size));
      } catch {
        bad(`the field ${JSON.stringify(field.name.slice(0, 60))} is not UTF-8 text`);
      }
      const list = fields.get(field.name);
      if (list === undefined) fields.set(field.name, [value]);
      else list.push(value);
    }
    field = null;
    sink = null;
  };

  /** Advances through what is buffered; false when more bytes are needed. */
  const step = async (): Promise<boolean> => {
    switch (state) {
      case 'preamble': {
        const at = buf.indexOf(delimiter);
        if (at === -1) {
          // Keep what could be the start of the delimiter; what is before it is preamble.
          const drop = Math.max(0, buf.length - delimiter.length + 1);
          skipped += drop;
          if (skipped > limits.maxHeaderBytes) bad('no boundary where the form should begin');
          buf = buf.subarray(drop);
          return false;
        }
        skipped += at;
        if (skipped > limits.maxHeaderBytes) bad('no boundary where the form should begin');
        buf = buf.subarray(at + delimiter.length);
        state = 'after-boundary';
        return true;
      }
      case 'after-boundary': {
        if (buf.length < 2) return false;
        if (buf.subarray(0, 2).equals(DASH_DASH)) {
          buf = buf.subarray(2);
          skipped = 0;
          state = 'epilogue';
          return true;
        }
        if (!buf.subarray(0, 2).equals(CRLF)) bad('a boundary line does not end in CRLF');
        // The CRLF stays: it ends the header block's first line, or the empty block itself.
        if (++parts > limits.maxParts) tooBig(`it has more than ${limits.maxParts} parts`);
        state = 'headers';
        return true;
      }
      case 'headers': {
        const end = buf.indexOf(HEADER_END);
        if (end === -1) {
          if (buf.length > limits.maxHeaderBytes + 4) tooBig(`a part's headers are larger than ${limits.maxHeaderBytes} bytes`);
          return false;
        }
        if (end > limits.maxHeaderBytes + 2) tooBig(`a part's headers are larger than ${limits.maxHeaderBytes} bytes`);
        const { disposition, contentType } = parseHeaders(buf.subarray(2, end));
        buf = buf.subarray(end + HEADER_END.length);
        if (disposition.filename === null) {
          field = { name: disposition.name, chunks: [], size: 0 };
        } else {
          const part: FilePart = { field: disposition.name, filename: disposition.filename, contentType };
          files.push(part);
          sink = await file(part);
        }
        state = 'body';
        return true;
      }
      case 'body': {
        const at = buf.indexOf(delimiter);
        if (at === -1) {
          // All but what could be the start of the delimiter is the part's.
          const safe = buf.length - delimiter.length + 1;
          if (safe <= 0) return false;
          await take(buf.subarray(0, safe));
          buf = buf.subarray(safe);
          return false;
        }
        await take(buf.subarray(0, at));
        endPart();
        buf = buf.subarray(at + delimiter.length);
        state = 'after-boundary';
        return true;
      }
      case 'epilogue':
        skipped += buf.length;
        if (skipped > limits.maxHeaderBytes) bad('more than the epilogue follows the closing boundary');
        buf = buf.subarray(buf.length);
        return false;
      default:
        return state satisfies never;
    }
  };

  for await (const chunk of body) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    buf = buf.length === 0 ? bytes : Buffer.concat([buf, bytes]);
    while (await step());
  }
  while (await step());
  if ((state as State) !== 'epilogue') bad('the body ends before the closing boundary');
  return { fields, files };
}
