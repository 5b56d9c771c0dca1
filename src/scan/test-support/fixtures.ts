/** Loads the generated fixture expectations (test/fixtures/scan/<folder>/expected.json). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FileVerdict } from '../types.ts';

export const FIXTURES = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'scan');

export interface Expectation {
  readonly verdict: FileVerdict;
  readonly rules: readonly string[];
  readonly note: string;
}

export function expectations(folder: string): ReadonlyMap<string, Expectation> {
  const raw = JSON.parse(readFileSync(join(FIXTURES, folder, 'expected.json'), 'utf8')) as Record<string, Expectation>;
  return new Map(Object.entries(raw));
}

export function fixturePath(folder: string, name: string): string {
  return join(FIXTURES, folder, name);
}
