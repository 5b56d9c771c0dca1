/** Airlock's own project pages (PEP 503 HTML, PEP 691 JSON) and the choice between them. */
import { SIMPLE_HTML, SIMPLE_JSON, type DistFile } from './simple-page.ts';

export { SIMPLE_HTML, SIMPLE_JSON };

/** A file as Airlock lists it: `url` is where Airlock serves it (absolute, no fragment). */
export type RenderedFile = DistFile;

export interface RenderInput {
  readonly name: string;
  readonly versions: readonly string[];
  readonly files: readonly RenderedFile[];
}

export function renderProjectJson(p: RenderInput): Buffer {
  // PEP 700 makes `size` mandatory from 1.1 on: one file of unknown size makes the page a 1.0
  // page, and `versions` (also 1.1) goes with it.
  const v11 = p.files.every((f) => f.size !== null);
  const page = {
    meta: { 'api-version': v11 ? '1.1' : '1.0' },
    name: p.name,
    ...(v11 ? { versions: p.versions } : {}),
    files: p.files.map(jsonFile),
  };
  return Buffer.from(JSON.stringify(page));
}

function jsonFile(f: RenderedFile): Record<string, unknown> {
  const out: Record<string, unknown> = { filename: f.filename, url: f.url, hashes: { ...f.hashes } };
  if (f.requiresPython !== null) out['requires-python'] = f.requiresPython;
  if (f.size !== null) out['size'] = f.size;
  if (f.uploadTime !== null) out['upload-time'] = f.uploadTime;
  if (f.coreMetadata !== false) {
    // The PEP 714 name and the PEP 658 one, for pips older than 23.
    out['core-metadata'] = f.coreMetadata;
    out['dist-info-metadata'] = f.coreMetadata;
  }
  out['yanked'] = f.yanked;
  if (f.provenance !== null) out['provenance'] = f.provenance;
  return out;
}

export function renderProjectHtml(p: RenderInput): Buffer {
  const name = escapeHtml(p.name);
  const lines = [
    '<!DOCTYPE html>',
    '<html>',
    '  <head>',
    '    <meta name="pypi:repository-version" content="1.1">',
    `    <title>Links for ${name}</title>`,
    '  </head>',
    '  <body>',
    `    <h1>Links for ${name}</h1>`,
    ...p.files.map((f) => `    ${anchor(f)}<br/>`),
    '  </body>',
    '</html>',
    '',
  ];
  return Buffer.from(lines.join('\n'));
}

/** The project list (PEP 691 root): each project's name. */
export function renderRootJson(names: readonly string[]): Buffer {
  return Buffer.from(JSON.stringify({ meta: { 'api-version': '1.0' }, projects: names.map((name) => ({ name })) }));
}

/** The project list (PEP 503 root): one anchor per project, to its page. */
export function renderRootHtml(names: readonly string[]): Buffer {
  const lines = [
    '<!DOCTYPE html>',
    '<html>',
    '  <head>',
    '    <meta name="pypi:repository-version" content="1.0">',
    '    <title>Simple index</title>',
    '  </head>',
    '  <body>',
    ...names.map((n) => `    <a href="${escapeHtml(encodeURIComponent(n))}/">${escapeHtml(n)}</a><br/>`),
    '  </body>',
    '</html>',
    '',
  ];
  return Buffer.from(lines.join('\n'));
}

function anchor(f: RenderedFile): string {
  const attrs = [`href="${escapeHtml(href(f))}"`];
  if (f.requiresPython !== null) attrs.push(`data-requires-python="${escapeHtml(f.requiresPython)}"`);
  if (f.yanked !== false) attrs.push(`data-yanked="${f.yanked === true ? '' : escapeHtml(f.yanked)}"`);
  if (f.coreMetadata !== false) {
    const value = escapeHtml(metadataValue(f.coreMetadata));
    attrs.push(`data-core-metadata="${value}"`, `data-dist-info-metadata="${value}"`);
  }
  if (f.provenance !== null) attrs.push(`data-provenance="${escapeHtml(f.provenance)}"`);
  return `<a ${attrs.join(' ')}>${escapeHtml(f.filename)}</a>`;
}

/** The URL with one `#<alg>=<hex>` fragment: sha256 when known (what pip and uv check), else the first hash. */
function href(f: RenderedFile): string {
  const url = f.url.split('#', 1)[0] ?? '';
  const hash = preferredHash(f.hashes);
  return hash === null ? url : `${url}#${hash}`;
}

function metadataValue(m: true | Readonly<Record<string, string>>): string {
  return m === true ? 'true' : (preferredHash(m) ?? 'true');
}

function preferredHash(hashes: Readonly<Record<string, string>>): string | null {
  const sha256 = Object.hasOwn(hashes, 'sha256') ? hashes['sha256'] : undefined;
  if (sha256 !== undefined) return `sha256=${sha256}`;
  const first = Object.entries(hashes)[0];
  return first === undefined ? null : `${first[0]}=${first[1]}`;
}

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

// --- content negotiation (PEP 691) -------------------------------------------------------------

interface MediaRange {
  readonly type: string;
  readonly subtype: string;
  readonly q: number;
}

/** A representation: the media types it is served as (and their `latest` aliases). */
const JSON_TYPES = [SIMPLE_JSON, 'application/vnd.pypi.simple.latest+json'] as const;
const HTML_TYPES = [SIMPLE_HTML, 'application/vnd.pypi.simple.latest+html', 'text/html'] as const;

interface Acceptance {
  readonly q: number;
  /** Named by its own media type rather than reached through a wildcard. */
  readonly explicit: boolean;
}

/**
 * The representation a client's Accept header asks for, or null when it accepts neither (answer
 * 406). No header, or only wildcards, gets HTML (PyPI's default); q-values count (q=0 refuses);
 * `text/html` and the `latest` aliases count as their representation.
 */
export function negotiateSimple(accept: string | undefined): 'json' | 'html' | null {
  if (accept === undefined || accept.trim() === '') return 'html';
  const ranges = parseAccept(accept);
  const json = acceptance(ranges, JSON_TYPES);
  const html = acceptance(ranges, HTML_TYPES);
  if (json.q > html.q) return 'json';
  if (html.q > json.q) return 'html';
  if (json.q === 0) return null;
  // A tie goes to JSON when the client names it (it has upload-time and size); a bare `*/*`
  // gets HTML, as PyPI answers browsers and curl.
  return json.explicit ? 'json' : 'html';
}

function parseAccept(accept: string): MediaRange[] {
  const out: MediaRange[] = [];
  for (const part of accept.split(',')) {
    const [media = '', ...params] = part.split(';');
    const slash = media.indexOf('/');
    if (slash <= 0) continue;
    let q = 1;
    for (const param of params) {
      const eq = param.indexOf('=');
      if (eq === -1 || param.slice(0, eq).trim().toLowerCase() !== 'q') continue;
      const value = param.slice(eq + 1).trim();
      q = /^[0-9.]{1,8}$/.test(value) ? Number(value) : Number.NaN;
    }
    if (!(q >= 0 && q <= 1)) continue; // a malformed q-value: the range is ignored
    const type = media.slice(0, slash).trim().toLowerCase();
    out.push({ type, subtype: media.slice(slash + 1).trim().toLowerCase(), q });
  }
  return out;
}

/** RFC 9110 §12.5.1: each media type takes the q of the most specific range that matches it. */
function acceptance(ranges: readonly MediaRange[], types: readonly string[]): Acceptance {
  let best: Acceptance = { q: 0, explicit: false };
  for (const t of types) {
    const slash = t.indexOf('/');
    const type = t.slice(0, slash);
    const subtype = t.slice(slash + 1);
    let specificity = -1;
    let q = 0;
    for (const r of ranges) {
      const s = r.type === type && r.subtype === subtype ? 2 : r.type === type && r.subtype === '*' ? 1 : r.type === '*' && r.subtype === '*' ? 0 : -1;
      if (s > specificity) [specificity, q] = [s, r.q];
      else if (s === specificity && s >= 0) q = Math.max(q, r.q);
    }
    if (q > best.q || (q === best.q && q > 0 && specificity === 2)) best = { q, explicit: specificity === 2 };
  }
  return best;
}
