/**
 * `uri.parse` and `uri.is_valid`: Go's net/url.Parse, its validation (hosts may only
 * %-encode non-ASCII bytes, userinfo characters, ASCII-digit ports) and error texts, with
 * `raw_path` present only when it differs from the default escaping of `path`.
 */
import { RObject, type Value } from '../value.ts';
import { arg, builtinError, fn, objectOf, str } from './args.ts';
import { bytesOf, stringOf } from './encoding.ts';
import { goQuote } from './term-text.ts';
import type { BuiltinDecl } from './types.ts';

class UrlError extends Error {}

type Mode = 'path' | 'host' | 'zone' | 'userPassword' | 'fragment';

function isAlnum(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39);
}

function shouldEscape(c: number, mode: Mode): boolean {
  if (isAlnum(c)) return false;
  const ch = String.fromCharCode(c);
  if ((mode === 'host' || mode === 'zone') && `!$&'()*+,;=:[]<>"`.includes(ch)) return false;
  if ('-_.~'.includes(ch)) return false;
  if ('$&+,/:;=?@'.includes(ch)) {
    switch (mode) {
      case 'path':
        return ch === '?';
      case 'userPassword':
        return ch === '@' || ch === '/' || ch === '?' || ch === ':';
      case 'fragment':
        return false;
      default:
        break;
    }
  }
  if (mode === 'fragment' && '!()*'.includes(ch)) return false;
  return true;
}

function ishex(c: number | undefined): boolean {
  return c !== undefined && ((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46));
}

function unhex(c: number): number {
  return c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x57;
}

function unescape(text: string, mode: Mode): string {
  const s = bytesOf(text);
  const out: number[] = [];
  for (let i = 0; i < s.length; ) {
    const c = s[i] as number;
    if (c === 0x25) {
      if (i + 2 >= s.length || !ishex(s[i + 1]) || !ishex(s[i + 2])) {
        throw new UrlError(`invalid URL escape ${goQuote(stringOf(s.subarray(i, Math.min(i + 3, s.length))))}`);
      }
      const v = (unhex(s[i + 1] as number) << 4) | unhex(s[i + 2] as number);
      const esc = stringOf(s.subarray(i, i + 3));
      if (mode === 'host' && unhex(s[i + 1] as number) < 8 && esc !== '%25') throw new UrlError(`invalid URL escape ${goQuote(esc)}`);
      if (mode === 'zone' && esc !== '%25' && v !== 0x20 && shouldEscape(v, 'host')) throw new UrlError(`invalid URL escape ${goQuote(esc)}`);
      out.push(v);
      i += 3;
      continue;
    }
    if ((mode === 'host' || mode === 'zone') && c < 0x80 && shouldEscape(c, mode)) {
      throw new UrlError(`invalid character ${goQuote(String.fromCharCode(c))} in host name`);
    }
    out.push(c);
    i++;
  }
  return stringOf(Uint8Array.from(out));
}

function escape(text: string, mode: Mode): string {
  let out = '';
  for (const b of bytesOf(text)) {
    out += shouldEscape(b, mode) ? `%${b.toString(16).toUpperCase().padStart(2, '0')}` : String.fromCharCode(b);
  }
  return out;
}

function validOptionalPort(port: string): boolean {
  if (port === '') return true;
  return port[0] === ':' && /^[0-9]*$/.test(port.slice(1));
}

function parseHost(host: string): string {
  if (host.startsWith('[')) {
    const i = host.lastIndexOf(']');
    if (i < 0) throw new UrlError("missing ']' in host");
    const colonPort = host.slice(i + 1);
    if (!validOptionalPort(colonPort)) throw new UrlError(`invalid port ${goQuote(colonPort)} after host`);
    const zone = host.slice(0, i).indexOf('%25');
    if (zone >= 0) return unescape(host.slice(0, zone), 'host') + unescape(host.slice(zone, i), 'zone') + unescape(host.slice(i), 'host');
  } else {
    const i = host.lastIndexOf(':');
    if (i >= 0 && !validOptionalPort(host.slice(i))) throw new UrlError(`invalid port ${goQuote(host.slice(i))} after host`);
  }
  return unescape(host, 'host');
}

const USERINFO_OK = /^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/;

function parseAuthority(authority: string): string {
  const at = authority.lastIndexOf('@');
  const host = parseHost(at < 0 ? authority : authority.slice(at + 1));
  if (at >= 0) {
    const userinfo = authority.slice(0, at);
    if (!USERINFO_OK.test(userinfo)) throw new UrlError('net/url: invalid userinfo');
    for (const part of userinfo.split(':', 2)) unescape(part, 'userPassword');
  }
  return host;
}

interface ParsedUrl {
  scheme: string;
  host: string;
  path: string;
  rawPath: string;
  rawQuery: string;
  fragment: string;
}

function getScheme(raw: string): [string, string] {
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string;
    if (/[A-Za-z]/.test(c)) continue;
    if (/[0-9+\-.]/.test(c)) {
      if (i === 0) return ['', raw];
      continue;
    }
    if (c === ':') {
      if (i === 0) throw new UrlError('missing protocol scheme');
      return [raw.slice(0, i), raw.slice(i + 1)];
    }
    return ['', raw];
  }
  return ['', raw];
}

function parseRef(raw: string): ParsedUrl {
  if (/[\x00-\x1f\x7f]/.test(raw)) throw new UrlError('net/url: invalid control character in URL');
  const url: ParsedUrl = { scheme: '', host: '', path: '', rawPath: '', rawQuery: '', fragment: '' };
  if (raw === '*') {
    url.path = '*';
    return url;
  }
  let rest: string;
  [url.scheme, rest] = getScheme(raw);
  url.scheme = url.scheme.toLowerCase();
  if (rest.endsWith('?') && rest.split('?').length === 2) rest = rest.slice(0, -1);
  else {
    const q = rest.indexOf('?');
    if (q >= 0) {
      url.rawQuery = rest.slice(q + 1);
      rest = rest.slice(0, q);
    }
  }
  if (!rest.startsWith('/')) {
    if (url.scheme !== '') return url; // opaque
    if ((rest.split('/')[0] as string).includes(':')) throw new UrlError('first path segment in URL cannot contain colon');
  }
  if ((url.scheme !== '' || !rest.startsWith('///')) && rest.startsWith('//')) {
    let authority = rest.slice(2);
    rest = '';
    const slash = authority.indexOf('/');
    if (slash >= 0) {
      rest = authority.slice(slash);
      authority = authority.slice(0, slash);
    }
    url.host = parseAuthority(authority);
  }
  url.path = unescape(rest, 'path');
  url.rawPath = escape(url.path, 'path') === rest ? '' : rest;
  return url;
}

export function parseUrl(raw: string): ParsedUrl {
  const hash = raw.indexOf('#');
  const base = hash < 0 ? raw : raw.slice(0, hash);
  const wrap = (text: string, f: () => void): void => {
    try {
      f();
    } catch (e) {
      if (e instanceof UrlError) throw new UrlError(`parse ${goQuote(text)}: ${e.message}`);
      throw e;
    }
  };
  let url: ParsedUrl = { scheme: '', host: '', path: '', rawPath: '', rawQuery: '', fragment: '' };
  wrap(base, () => {
    url = parseRef(base);
  });
  if (hash >= 0) {
    wrap(raw, () => {
      url.fragment = unescape(raw.slice(hash + 1), 'fragment');
    });
  }
  return url;
}

/** Hostname and port of a host[:port] (Go's splitHostPort). */
function splitHostPort(hostPort: string): [string, string] {
  let host = hostPort;
  let port = '';
  const colon = host.lastIndexOf(':');
  if (colon >= 0 && validOptionalPort(host.slice(colon))) {
    port = host.slice(colon + 1);
    host = host.slice(0, colon);
  }
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return [host, port];
}

function uriParse(args: readonly Value[]): Value {
  const text = str('uri.parse', args, 0);
  let u: ParsedUrl;
  try {
    u = parseUrl(text);
  } catch (e) {
    if (e instanceof UrlError) throw builtinError('uri.parse', e.message);
    throw e;
  }
  const out = new RObject();
  const [hostname, port] = splitHostPort(u.host);
  if (u.scheme !== '') out.set('scheme', u.scheme);
  if (hostname !== '') out.set('hostname', hostname);
  if (port !== '') out.set('port', port);
  if (u.path !== '') {
    out.set('path', u.path);
    out.set('raw_path', u.rawPath === '' ? u.path : u.rawPath);
  }
  if (u.rawQuery !== '') out.set('raw_query', u.rawQuery);
  if (u.fragment !== '') out.set('fragment', u.fragment);
  return out;
}

export const URI_BUILTINS: readonly BuiltinDecl[] = [
  fn('uri.parse', ['string'], objectOf('string', 'string'), uriParse),
  fn('uri.is_valid', ['string'], 'boolean', (args) => {
    const s = arg(args, 0);
    if (typeof s !== 'string' || s === '') return false;
    try {
      parseUrl(s);
      return true;
    } catch (e) {
      if (e instanceof UrlError) return false;
      throw e;
    }
  }),
];
