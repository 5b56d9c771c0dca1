/**
 * The engine gives exactly the answers it gave before its index was made compact: every popular
 * name asked of an index built from the other half of the list, and about 100,000 perturbed names
 * per ecosystem (typos, double typos, homoglyphs, separators, affixes, scopes, reordered and
 * dropped words, random names, edge cases) asked of the index as shipped with internal names —
 * `matchAll` at score 0, so every candidate, kind, technique, score and evidence counts. The
 * expected answers are digests in `testdata/golden-lookalike.json` (see `testdata/golden.ts`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLookalikeIndex } from './index.ts';
import { answerOf, BLOCK, differingBlocks, digestAnswers, ecosystemInput, questions, readGolden } from './testdata/golden.ts';

const golden = await readGolden();

for (const eco of ['npm', 'pypi'] as const) {
  test(`${eco}: every answer equals the golden answers`, async () => {
    const expected = golden.ecosystems[eco];
    const input = await ecosystemInput(eco);
    assert.equal(
      input.fingerprint,
      expected.lists,
      `the bundled ${eco} list or legitimate pairs changed since the golden digests were made; after checking the engine, regenerate them: npx node src/signals/lookalike/testdata/update-golden.ts`,
    );
    const asked = questions(input, createLookalikeIndex);
    const answers = asked.map(answerOf);
    assert.equal(answers.length, expected.queries);
    const diff = differingBlocks(Buffer.from(expected.digests, 'base64'), digestAnswers(answers));
    const shown = diff.slice(0, 3).map((b) => answers.slice(b * BLOCK, (b + 1) * BLOCK).join(''));
    assert.deepEqual(diff, [], `${diff.length} blocks of ${BLOCK} answers differ; the first ones now read:\n${shown.join('\n')}`);
  });
}
