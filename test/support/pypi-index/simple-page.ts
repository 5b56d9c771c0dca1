/**
 * The Simple Repository API documents as PyPI writes them: PEP 691 JSON (api-version 1.1, PEP
 * 700 `versions`/`size`/`upload-time`, PEP 658/714 metadata keys) and PEP 503 HTML (`#sha256=`
 * fragments, escaped `data-requires-python`, `data-core-metadata`, `data-yanked`), and the content
 * negotiation between them.
 */
import { compareVersions } from './names.ts';

export const JSON_TYPE = 'application/vnd.pypi.simple.v1+json';
export const HTML_V1_TYPE = 'application/vnd.pypi.simple.v1+html';
export const HTML_TYPE = 'text/html';
export type PageType = typeof JSON_TYPE | typeof HTML_V1_TYPE | typeof HTML_TYPE;

/** One file as a project page lists it. */
export interface ListedFile {
  readonly filename: string;
  /** Absolute URL of the file. */
  readonly url: string;
  readonly sha256: string;
  readonly size: number;
  readonly version: string;
  readonly uploadTime: Date;
  readonly requiresPython: string | undefined;
  readonly yanked: boolean | string;
  /** sha256 of the `.metadata` sibling, when there is one. */
  readonly metadataSha256: string | undefined;
  /** Absolute URL of its PEP 740 provenance object, when it has one. */
  readonly provenance?: string | undefined;
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** PyPI's form: microseconds, `Z`. */
function uploadTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/**
 * The type to answer with for an `Accept` header: the highest q; on a tie an exact match beats
 * a wildcard, JSON is preferred among exact matches and HTML among wildcard ones (so `*\/*` and a
 * missing header get HTML, as on PyPI). Nothing acceptable also gets HTML.
 */
export function negotiate(accept: string | undefined): PageType {
  if (accept === undefined || accept.trim() === '') return HTML_TYPE;
  const ranges = accept.split(',').map((part) => {
    const [range = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    return { range, q: q === undefined ? 1 : Number(q.slice(2)) || 0 };
  });
  const types: readonly PageType[] = [JSON_TYPE, HTML_V1_TYPE, HTML_TYPE];
  let best: { type: PageType; q: number; exact: boolean } | null = null;
  for (const type of types) {
    const exact = ranges.find((r) => r.range === type);
    const family = ranges.find((r) => r.range === `${type.split('/')[0] ?? ''}/*`) ?? ranges.find((r) => r.range === '*/*');
    const hit = exact !== undefined ? { q: exact.q, exact: true } : family !== undefined ? { q: family.q, exact: false } : null;
    if (hit === null || hit.q <= 0) continue;
    const better =
      best === null || hit.q > best.q || (hit.q === best.q && hit.exact && !best.exact) || (hit.q === best.q && !hit.exact && !best.exact && type === HTML_TYPE);
    if (better) best = { type, ...hit };
  }
  return best?.type ?? HTML_TYPE;
}

export function projectJson(name: string, files: readonly ListedFile[], serial: number): string {
  const versions = [...new Set(files.map((f) => f.version))].sort(compareVersions);
  return JSON.stringify({
    meta: { 'api-version': '1.1', '_last-serial': serial },
    name,
    versions,
    files: files.map((f) => {
      const meta = f.metadataSha256 === undefined ? false : { sha256: f.metadataSha256 };
      return {
        filename: f.filename,
        url: f.url,
        hashes: { sha256: f.sha256 },
        'requires-python': f.requiresPython ?? null,
        size: f.size,
        'upload-time': uploadTime(f.uploadTime),
        yanked: f.yanked,
        'core-metadata': meta,
        'dist-info-metadata': meta,
        // PyPI also writes this non-standard key; clients ignore it.
        'data-dist-info-metadata': meta,
        provenance: f.provenance ?? null,
      };
    }),
  });
}

export function projectHtml(name: string, files: readonly ListedFile[], withRepositoryVersion: boolean): string {
  const anchors = files.map((f) => {
    let attrs = `href="${escapeHtml(`${f.url}#sha256=${f.sha256}`)}"`;
    if (f.requiresPython !== undefined) attrs += ` data-requires-python="${escapeHtml(f.requiresPython)}"`;
    if (f.metadataSha256 !== undefined) attrs += ` data-dist-info-metadata="sha256=${f.metadataSha256}" data-core-metadata="sha256=${f.metadataSha256}"`;
    if (f.yanked !== false) attrs += ` data-yanked="${f.yanked === true ? '' : escapeHtml(f.yanked)}"`;
    if (f.provenance !== undefined) attrs += ` data-provenance="${escapeHtml(f.provenance)}"`;
    return `    <a ${attrs}>${escapeHtml(f.filename)}</a><br />\n`;
  });
  const meta = withRepositoryVersion ? '    <meta name="pypi:repository-version" content="1.1">\n' : '';
  return `<!DOCTYPE html>\n<html>\n  <head>\n${meta}    <title>Links for ${escapeHtml(name)}</title>\n  </head>\n  <body>\n    <h1>Links for ${escapeHtml(name)}</h1>\n${anchors.join('')}  </body>\n</html>\n`;
}

export function rootJson(names: readonly string[], serial: number): string {
  return JSON.stringify({ meta: { 'api-version': '1.1', '_last-serial': serial }, projects: names.map((name) => ({ name })) });
}

export function rootHtml(names: readonly string[], withRepositoryVersion: boolean): string {
  const meta = withRepositoryVersion ? '    <meta name="pypi:repository-version" content="1.1">\n' : '';
  const anchors = names.map((n) => `    <a href="/simple/${escapeHtml(n)}/">${escapeHtml(n)}</a>\n`).join('');
  return `<!DOCTYPE html>\n<html>\n  <head>\n${meta}    <title>Simple index</title>\n  </head>\n  <body>\n${anchors}  </body>\n</html>\n`;
}
