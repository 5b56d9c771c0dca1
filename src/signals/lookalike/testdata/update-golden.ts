/**
 * Regenerates `golden-lookalike.json`: `npx node src/signals/lookalike/testdata/update-golden.ts
 * [--engine DIR] [--from TEXT]`. `--engine DIR` computes the digests with another copy of
 * src/signals/lookalike (a previous commit's); `--from` says which engine that was. Only for a
 * deliberate change of the lists or the scoring: the file is what the equivalence test holds
 * the engine to.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as current from '../index.ts';
import { answerOf, ecosystemInput, GOLDEN_FILE, goldenOf, questions, type GoldenFile } from './golden.ts';

const argv = process.argv.slice(2);
const option = (flag: string): string | undefined => {
  const at = argv.indexOf(flag);
  return at === -1 ? undefined : argv[at + 1];
};
const engineDir = option('--engine');
const engine: typeof current = engineDir === undefined ? current : ((await import(pathToFileURL(resolve(engineDir, 'index.ts')).href)) as typeof current);

const ecosystems = {} as Record<'npm' | 'pypi', GoldenFile['ecosystems']['npm']>;
for (const eco of ['npm', 'pypi'] as const) {
  const t = performance.now();
  const input = await ecosystemInput(eco);
  const answers = questions(input, engine.createLookalikeIndex).map(answerOf);
  ecosystems[eco] = goldenOf(input, answers);
  console.log(`${eco}: ${answers.length} answers in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}
const golden: GoldenFile = {
  about: 'Digests of the look-alike engine answers (matchAll at score 0) to the queries of equivalence-queries.ts; see golden.ts.',
  generatedFrom: option('--from') ?? (engineDir === undefined ? 'the engine in this checkout' : `the engine in ${engineDir}`),
  ecosystems,
};
await writeFile(GOLDEN_FILE, `${JSON.stringify(golden, null, 2)}\n`);
console.log(`wrote ${GOLDEN_FILE}`);
