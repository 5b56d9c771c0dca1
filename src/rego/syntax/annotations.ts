/**
 * METADATA annotations: a comment block starting with `# METADATA` directly above a package
 * or rule, holding YAML. Used by `rego.metadata.rule()` / `rego.metadata.chain()`.
 */
import { parse as parseYaml } from 'yaml';
import type { Annotation, Loc } from './ast.ts';

const lineCache = new Map<string, readonly string[]>();

function linesOf(src: string): readonly string[] {
  let lines = lineCache.get(src);
  if (lines === undefined) {
    lines = src.split('\n');
    // Keep the cache tiny: it only serves consecutive calls while one module is parsed.
    if (lineCache.size > 4) lineCache.clear();
    lineCache.set(src, lines);
  }
  return lines;
}

function parseAuthor(a: unknown): unknown {
  if (typeof a !== 'string') return a;
  const m = /^(.*?)\s*<([^>]*)>\s*$/.exec(a.trim());
  if (m === null) return a.includes('@') && !a.includes(' ') ? { email: a.trim() } : { name: a.trim() };
  const out: Record<string, string> = {};
  if ((m[1] as string).length > 0) out.name = m[1] as string;
  out.email = m[2] as string;
  return out;
}

function parseRelated(r: unknown): unknown {
  if (typeof r === 'string') return { ref: r };
  return r;
}

const FIELD_ORDER = ['scope', 'title', 'description', 'organizations', 'related_resources', 'authors', 'schemas', 'entrypoint', 'custom'];

/** Annotations of the statement starting at `loc`, or null when none precede it. */
export function annotationsFor(src: string, loc: Loc, file: string): Annotation | null {
  if (!src.includes('METADATA')) return null;
  const lines = linesOf(src);
  let i = loc.row - 2;
  const block: string[] = [];
  while (i >= 0) {
    const l = (lines[i] as string).replace(/\r$/, '');
    if (!l.startsWith('#')) break;
    block.unshift(l);
    i--;
  }
  const start = block.findIndex((l) => l.slice(1).trim() === 'METADATA');
  if (start < 0) return null;
  const yamlText = block
    .slice(start + 1)
    .map((l) => (l.startsWith('# ') ? l.slice(2) : l.slice(1)))
    .join('\n');
  let raw: unknown;
  try {
    raw = yamlText.trim() === '' ? {} : parseYaml(yamlText, { logLevel: 'error' });
  } catch {
    return null;
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return null;
  const obj = raw as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of FIELD_ORDER) {
    if (!(k in obj)) continue;
    const v = obj[k];
    if (k === 'authors' && Array.isArray(v)) out[k] = v.map(parseAuthor);
    else if (k === 'related_resources' && Array.isArray(v)) out[k] = v.map(parseRelated);
    else out[k] = v;
  }
  const scope = typeof obj.scope === 'string' ? obj.scope : '';
  const row = start + i + 2;
  return { scope, value: out, loc: { file, row, col: 1, offset: 0, end: 0 } };
}
