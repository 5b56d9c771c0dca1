/**
 * The requests of the HTTP-surface fuzz target: a request as text (`METHOD /path`, header lines,
 * a blank line, the body), read back into what node:http sends as written, and the hostile edits
 * made to it after the mutator's: a path segment swapped for broken or overlong percent-encoding,
 * an unpaired surrogate, a NUL, a dot segment, a very long or oddly spelt name; another method;
 * Accept, Accept-Encoding, If-None-Match, Range, Content-Type and Host headers with hostile
 * values; the bearer token dropped or wrong; query values no limit takes (-1, 1e99, NaN); JSON
 * bodies of the wrong types, deep, huge, with NUL, lone surrogates and `__proto__` keys. The edits
 * are chosen by a PRNG seeded from the input's bytes, so one input is always one request.
 */
import { seededRandom } from '../../support/seeded-random.ts';
import type { Rng } from '../../support/fuzz/mutate.ts';

export interface HttpRequest {
  readonly method: string;
  /** As sent on the request line: bytes above 0x7e as latin1 characters. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/** Where a request carries the admin token: replaced with the running gateway's before it is sent. */
export const TOKEN = '{token}';

const int = (rnd: Rng, n: number): number => Math.floor(rnd() * n);
const pick = <T>(rnd: Rng, xs: readonly T[]): T => xs[int(rnd, xs.length)] as T;

/** A request as the text the fuzz target's seeds are. */
export function requestText(method: string, path: string, headers: Readonly<Record<string, string>> = {}, body = ''): string {
  return `${method} ${path}\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\n`).join('')}\n${body}`;
}

/** Characters node:http takes in a path: anything else is percent-encoded (a space, a NUL) or sent as its UTF-8 bytes. */
function wirePath(path: string): string {
  let out = '';
  for (const ch of path) {
    const c = ch.codePointAt(0) ?? 0;
    if (c >= 0x21 && c <= 0x7e) out += ch;
    else if (c < 0x21 || c === 0x7f) out += `%${c.toString(16).padStart(2, '0').toUpperCase()}`;
    else out += Buffer.from(ch, 'utf8').toString('latin1');
  }
  return out.startsWith('/') ? out : `/${out}`;
}

const TOKEN_CHARS = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** A header value as node:http sends it: no control characters but tab, UTF-8 as its bytes. */
const wireValue = (v: string): string => Buffer.from(v.replace(/[\0-\x08\x0a-\x1f\x7f]/g, ''), 'utf8').toString('latin1');

/** The text read back: a method node:http cannot send becomes GET, a header line it cannot send is left out. */
export function parseRequest(text: string): HttpRequest {
  const blank = text.indexOf('\n\n');
  const head = blank === -1 ? text : text.slice(0, blank);
  const body = blank === -1 ? '' : text.slice(blank + 2);
  const [first = '', ...lines] = head.split('\n');
  const space = first.indexOf(' ');
  const method = space === -1 ? first : first.slice(0, space);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    if (colon > 0 && TOKEN_CHARS.test(name) && name !== 'content-length' && name !== 'transfer-encoding') headers[name] = wireValue(line.slice(colon + 1).trim());
  }
  return { method: TOKEN_CHARS.test(method) && method !== 'CONNECT' ? method.toUpperCase() : 'GET', path: wirePath(space === -1 ? '/' : first.slice(space + 1)), headers, body: Buffer.from(body, 'utf8') };
}

/** Path segments as a client or a probe might write them. */
const SEGMENTS = [
  '%ED%A0%80', '%ed%b0%80x', '%F0%9F%98%80', '%C0%AE', '%C0%AF', '%E0%80%AF', '%FF', '%80', '%', '%2', '%zz', '%%', '%00', 'a%00b', '%0A', '%0D%0A', '%20',
  '.', '..', '%2e', '%2e%2e', '.%2E', '..%2F..%2F', '%2F', '%2f%2f', '%5C', '\\', '~', '-', '_', '', ' ', '@', '@%2F', '%40', '%40scope%2Fname', '@scope%2fname', '@scope%252fname', '@@x/y',
  '\u00e9t\u00e9', '\u0130', '\u212a', '\uff41', 'x\u200by', '\ud83d\ude00', '\u0000', 'a'.repeat(215), 'a'.repeat(1025), 'a'.repeat(8193), 'a'.repeat(60_000),
  'sha256:', 'sha256:%00', `sha256:${'0'.repeat(64)}`, `sha256:${'G'.repeat(64)}`, `sha512:${'0'.repeat(128)}`, 'sha256:' + '0'.repeat(6400), 'latest', 'v1', `${'9'.repeat(400)}`, '1e99', '-1', 'NaN', 'undefined', 'null', '__proto__', 'constructor', 'prototype', 'hasOwnProperty',
  'x.tgz', '-rev', '..%00.tgz', 'a.whl', 'a-1.0-py3-none-any.whl', 'a.tar.gz.metadata', 'resolve', 'revision', 'tree', 'main', 'refs%2Fpr%2F1', 'refs/pr/1', 'blobs', 'manifests', 'uploads', 'tags', 'list', '_catalog', 'referrers', 'simple', 'files', 'api', 'models', 'datasets', 'spaces',
] as const;

const ACCEPTS = ['*/*', 'application/json', 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*', 'application/vnd.pypi.simple.v1+json', 'application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01', 'application/vnd.oci.image.index.v1+json,application/vnd.docker.distribution.manifest.v2+json', 'text/html;q=NaN', 'application/json;q=1e99', ';;;,,,', '*/*;q=-1', 'x/'.repeat(3000), '\u00ff\u00fe', 'application/vnd.pypi.simple.v2+json'];
const ENCODINGS = ['gzip', 'br', 'deflate', 'identity;q=0', '*;q=0', 'gzip;q=NaN, br;q=1e99', 'x'.repeat(8000), ',,', 'zstd, gzip;q=0'];
const ETAGS = ['*', 'W/"x"', '"', '""', '"abc", W/"def", *', 'W/', `"${'e'.repeat(9000)}"`, '"\u00ff"', ', , ,'];
const RANGES = ['bytes=0-', 'bytes=-1', 'bytes=-0', 'bytes=0-0', 'bytes=5-1', 'bytes=99999999999999999999-', 'bytes=0-99999999999999999999', 'bytes=1e3-2e3', 'bytes=-', 'bytes=', 'items=0-1', 'bytes=0-1,2-3', `bytes=${Array.from({ length: 2000 }, (_, i) => `${i}-${i}`).join(',')}`, 'bytes=NaN-NaN', 'bytes=0x10-0x20', 'bytes= 0 - 1 '];
const TYPES = ['application/json', 'application/json; charset=utf-16', 'application/json; charset=bogus', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data', 'multipart/form-data; boundary=', `multipart/form-data; boundary=${'b'.repeat(5000)}`, 'application/vnd.oci.image.manifest.v1+json', 'application/octet-stream', ';', '\u00e9/\u00e9'];
const HOSTS = ['', 'bad host!', 'a/b', 'x"y', 'h'.repeat(300), '[::1', '127.0.0.1:99999', '127.0.0.1:-1', '\u00e9.example', 'localhost:0'];
const AUTHS = ['', 'Bearer', 'Bearer ', 'Bearer x', `Bearer ${'t'.repeat(10_000)}`, 'Basic', 'Basic !!!', `Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}`, `Basic ${Buffer.from(':').toString('base64')}`, 'Negotiate abc', `bearer  ${TOKEN}`, `Bearer ${TOKEN}x`];
const QUERIES = ['limit=-1', 'limit=1e99', 'limit=NaN', 'limit=0', 'limit=1.5', 'limit=99999999999999999999', 'limit=1&limit=2', 'cursor=%ED%A0%80', 'cursor=%00', `cursor=${'c'.repeat(600)}`, 'cursor=eyJ9', 'cursor=-', 'n=-1', 'n=1e99', 'n=NaN', 'last=%ED%A0%80', 'last=%00', 'after=-1', 'after=1e99', 'through=NaN', 'since=%00', 'since=9999-99-99', 'until=-1d', 'purl=pkg:npm/%ED%A0%80', 'purl=pkg:npm/@%2F@1', 'purl=pkg:oci/x%00', 'purl=pkg:pypi/%00@1', 'purl=pkg:huggingface/a/b@%ED%A0%80', 'purl=pkg:', 'purl=%', 'range=%00', 'range=^1e99', 'repo=%00', 'text=%ED%A0%80', 'size=-1', 'size=1e99', 'from=-1', 'from=NaN', 'recursive=maybe', 'expand=true&expand=false', 'path=%00', 'path=..%2F..', 'scope=repository:%00:pull', 'scope=' + 'r'.repeat(3000), 'service=%ED%A0%80', '__proto__=x', '__proto__[x]=1', 'constructor[prototype][x]=1', '%=%', '&&&', '=', 'a=%ZZ'];

/** JSON values of the wrong type or size, for any field of a body. */
function value(rnd: Rng, depth = 0): unknown {
  switch (int(rnd, depth > 2 ? 9 : 12)) {
    case 0: return null;
    case 1: return pick(rnd, [-1, 0, 1e99, -1e99, 1.5, 2 ** 53 + 1, -0]);
    case 2: return pick(rnd, [true, false]);
    case 3: return pick(rnd, ['', '\u0000', 'a\u0000b', '\ud800', 'x\udfff', '\ud83d', 'pkg:npm/left-pad@1.0.0', '2099-01-01T00:00:00Z', '1d', '-1d', 'never', 'reader', 'admin']);
    case 4: return 's'.repeat(pick(rnd, [257, 2001, 70_000, 1_100_000]));
    case 5: return pick(rnd, ['npm', 'pypi', 'oci', 'huggingface', 'left-pad', '@acme/widget', '1.0.0']);
    case 6: return JSON.parse('{"__proto__":{"polluted":true}}') as unknown;
    case 7: {
      const n = depth > 0 ? 10 : 2000;
      return JSON.parse(`${'['.repeat(n)}${']'.repeat(n)}`) as unknown;
    }
    case 8: return [];
    case 9: return Array.from({ length: 1 + int(rnd, 4) }, () => value(rnd, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let k = int(rnd, 4); k > 0; k--) o[pick(rnd, ['packages', 'purl', 'range', 'repo', 'reason', 'role', 'label', 'expires', 'scope', 'repos', 'ecosystem', 'name', 'version', 'rules', 'token', 'modules', 'path', 'source', 'fromSeq', 'paths', 'jsonrpc', 'method', 'params', 'id', 'constructor', 'prototype'])] = value(rnd, depth + 1);
      return o;
    }
  }
}

/** A hostile JSON body: an object of wrong-typed fields, or text no JSON parser takes whole. */
function jsonBody(rnd: Rng, original: Buffer): Buffer {
  switch (int(rnd, 6)) {
    case 0: return Buffer.from(JSON.stringify(value(rnd)) ?? 'null');
    case 1: {
      // The seed's own body with one field's value swapped: gets past `required`, fails further in.
      try {
        const doc = JSON.parse(original.toString('utf8')) as unknown;
        if (doc !== null && typeof doc === 'object' && !Array.isArray(doc)) {
          const keys = Object.keys(doc);
          if (keys.length > 0) (doc as Record<string, unknown>)[pick(rnd, keys)] = value(rnd);
          return Buffer.from(JSON.stringify(doc));
        }
      } catch {}
      return Buffer.from(JSON.stringify(value(rnd)) ?? 'null');
    }
    case 2: return Buffer.from(`{"a":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}}`);
    case 3: return Buffer.from(pick(rnd, ['', '{', '{"a":', '"\\ud800"', '{"a":"\\u0000"}', '{"__proto__":{"x":1},"constructor":{"prototype":{"y":1}}}', '[1,2,', 'null', '1e999', '\u00ef\u00bb\u00bf{}', '{"a":1,"a":2}']), 'utf8');
    case 4: return Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00]);
    default: return Buffer.concat([Buffer.from('{"reason":"'), Buffer.alloc(int(rnd, 2) === 0 ? 1_100_000 : 70_000, 0x61), Buffer.from('"}')]);
  }
}

/** One to three hostile edits of `r`, chosen by a PRNG seeded from `input`'s bytes. */
export function hostile(r: HttpRequest, input: Uint8Array): HttpRequest {
  let h = 0x811c9dc5;
  for (const b of input) h = Math.imul(h ^ b, 0x01000193);
  const rnd = seededRandom(h >>> 0);
  let { method, path } = r;
  const headers: Record<string, string> = { ...r.headers };
  let body = r.body;
  for (let k = int(rnd, 4); k > 0; k--) {
    switch (int(rnd, 9)) {
      case 0:
      case 1: {
        const [p = '', q] = path.split(/\?(.*)/s);
        const segs = p.split('/');
        const at = 1 + int(rnd, Math.max(1, segs.length - 1));
        const seg = wirePath(pick(rnd, SEGMENTS)).slice(1);
        if (rnd() < 0.25) segs.splice(at, 0, seg);
        else segs[at] = rnd() < 0.5 ? seg : `${segs[at] ?? ''}${seg}`;
        path = segs.join('/') + (q === undefined ? '' : `?${q}`);
        break;
      }
      case 2:
        method = pick(rnd, ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'PROPFIND', 'SEARCH', 'MKCOL']);
        break;
      case 3: {
        const [name, values] = pick(rnd, [['accept', ACCEPTS], ['accept-encoding', ENCODINGS], ['if-none-match', ETAGS], ['range', RANGES], ['content-type', TYPES], ['host', HOSTS], ['if-modified-since', ['x', '-1', 'Thu, 01 Jan 1970 00:00:00 GMT']], ['x-forwarded-proto', ['gopher', 'https']], ['x-forwarded-host', HOSTS]] as const);
        headers[name] = wireValue(pick(rnd, values));
        break;
      }
      case 4:
        if (rnd() < 0.5) delete headers['authorization'];
        else headers['authorization'] = wireValue(pick(rnd, AUTHS));
        break;
      case 5:
      case 6:
        path += `${path.includes('?') ? '&' : '?'}${pick(rnd, QUERIES)}`;
        break;
      default:
        body = jsonBody(rnd, body);
        if (method === 'GET' || method === 'HEAD') method = pick(rnd, ['POST', 'PUT', 'DELETE']);
        headers['content-type'] ??= 'application/json';
    }
  }
  return { method, path, headers, body };
}

/** What a failure prints of a request: method, path, headers and the body's start. */
export function describeRequest(r: HttpRequest): string {
  const cut = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n)}…(${s.length})` : s);
  const headers = Object.entries(r.headers).map(([k, v]) => `${k}: ${cut(JSON.stringify(v), 200)}`);
  return `${r.method} ${cut(JSON.stringify(r.path), 400)} [${headers.join('; ')}] body ${r.body.length} bytes ${cut(JSON.stringify(r.body.subarray(0, 300).toString('latin1')), 320)}`;
}
