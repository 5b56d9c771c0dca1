/**
 * Golden digests of the look-alike engine's answers (`equivalence.test.ts`): every query of
 * `equivalence-queries.ts` is asked with `matchAll` at score 0 (every candidate, kind, technique,
 * score and evidence), and each block of BLOCK answers is reduced to 8 bytes of SHA-256. The
 * file `golden-lookalike.json` holds the digests the engine gave before the compact index
 * replaced the variant table; `update-golden.ts` regenerates it (only for a deliberate change of
 * the lists or of the scoring).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadLegitPairs, loadPopularList, type PopularEcosystem } from '../../popular/index.ts';
import type { LookalikeIndex, LookalikeOptions, PopularName } from '../types.ts';
import { equivalenceQueries, type QuerySet } from './equivalence-queries.ts';

export const GOLDEN_FILE = join(import.meta.dirname, 'golden-lookalike.json');
export const BLOCK = 32;
const SEED = 20260412;
const PER_NAME = 4;
const DIGEST_BYTES = 8;

export type CreateIndex = (popular: readonly PopularName[], options: LookalikeOptions) => LookalikeIndex;

export interface GoldenEcosystem {
  /** SHA-256 of the popular list and the legitimate pairs the digests were computed on. */
  readonly lists: string;
  readonly queries: number;
  readonly blockSize: number;
  /** base64 of one DIGEST_BYTES digest per block of answers. */
  readonly digests: string;
}

export interface GoldenFile {
  readonly about: string;
  readonly generatedFrom: string;
  readonly ecosystems: Readonly<Record<PopularEcosystem, GoldenEcosystem>>;
}

export interface EcosystemInput {
  readonly ecosystem: PopularEcosystem;
  readonly names: readonly PopularName[];
  readonly pairs: readonly (readonly [string, string])[];
  readonly fingerprint: string;
  readonly queries: QuerySet;
}

export async function ecosystemInput(ecosystem: PopularEcosystem): Promise<EcosystemInput> {
  const [list, pairs] = await Promise.all([loadPopularList(ecosystem), loadLegitPairs(ecosystem)]);
  const fingerprint = createHash('sha256')
    .update(JSON.stringify(list.names.map((p) => [p.name, p.rank, p.downloads ?? null])))
    .update(JSON.stringify(pairs))
    .digest('hex');
  return { ecosystem, names: list.names, pairs, fingerprint, queries: equivalenceQueries(list.names, SEED, PER_NAME) };
}

/** One asked question: which index, which name. */
export interface Asked {
  readonly index: LookalikeIndex;
  readonly name: string;
}

/** Every question of the set, in order, with the index it is asked of. */
export function questions(input: EcosystemInput, createIndex: CreateIndex): Asked[] {
  const { ecosystem, pairs, queries } = input;
  const options = { rules: ecosystem, legitPairs: pairs, minScore: 0 } as const;
  const [even, odd] = queries.halves;
  const out: Asked[] = [];
  const evenIndex = createIndex(even, options);
  for (const p of odd) out.push({ index: evenIndex, name: p.name });
  const oddIndex = createIndex(odd, options);
  for (const p of even) out.push({ index: oddIndex, name: p.name });
  const full = createIndex(input.names, { ...options, internal: queries.internal });
  for (const name of queries.full) out.push({ index: full, name });
  return out;
}

export function answerOf(asked: Asked): string {
  return `${JSON.stringify(asked.name)}\n${JSON.stringify(asked.index.matchAll(asked.name))}\n`;
}

/** One digest per block of BLOCK answers. */
export function digestAnswers(answers: readonly string[]): Buffer {
  const out = Buffer.alloc(Math.ceil(answers.length / BLOCK) * DIGEST_BYTES);
  for (let b = 0; b * BLOCK < answers.length; b++) {
    const h = createHash('sha256');
    for (const a of answers.slice(b * BLOCK, (b + 1) * BLOCK)) h.update(a);
    h.digest().copy(out, b * DIGEST_BYTES, 0, DIGEST_BYTES);
  }
  return out;
}

export function goldenOf(input: EcosystemInput, answers: readonly string[]): GoldenEcosystem {
  return { lists: input.fingerprint, queries: answers.length, blockSize: BLOCK, digests: digestAnswers(answers).toString('base64') };
}

export async function readGolden(): Promise<GoldenFile> {
  return JSON.parse(await readFile(GOLDEN_FILE, 'utf8')) as GoldenFile;
}

/** Indexes of the blocks whose digests differ. */
export function differingBlocks(expected: Buffer, actual: Buffer): number[] {
  const out: number[] = [];
  const n = Math.max(expected.length, actual.length) / DIGEST_BYTES;
  for (let b = 0; b < n; b++) {
    const s = b * DIGEST_BYTES;
    if (!expected.subarray(s, s + DIGEST_BYTES).equals(actual.subarray(s, s + DIGEST_BYTES))) out.push(b);
  }
  return out;
}
