import { AirlockError, makePurl, parsePurl, purlFullName, type Purl } from '../../core/index.ts';

/** Accepts a purl in any spelling clients use (`@scope` or `%40scope`) and returns the canonical one. */
export function canonicalPurl(text: string): Purl {
  const parts = parsePurl(text);
  return makePurl(parts.type, purlFullName(parts), parts.version);
}

export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 128 } },
} as const;

export const pageQuery = {
  limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
  cursor: { type: 'string', maxLength: 512 },
} as const;

/** A request naming a repository the configuration does not have: refused with the names it has. */
export function unknownRepository(name: string, known: readonly string[], detail = ''): AirlockError {
  return new AirlockError('BAD_REQUEST', `no repository is named ${JSON.stringify(name.slice(0, 64))} (${known.join(', ')})${detail}`);
}

export function requiredText(v: unknown, what: string): string {
  if (typeof v !== 'string' || v.trim() === '') throw new AirlockError('BAD_REQUEST', `${what} is required`);
  return v;
}
