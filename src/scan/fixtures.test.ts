/**
 * Data-driven: every generated fixture of the pickle, PyTorch, zip, archive and joblib folders
 * must reach the verdict its generator recorded, with the rules that explain it.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { scanFile } from './api.ts';
import { expectations, fixturePath } from './test-support/fixtures.ts';

for (const folder of ['pickle', 'pytorch', 'zip', 'archives', 'joblib']) {
  describe(`fixtures/${folder}`, () => {
    for (const [name, exp] of expectations(folder)) {
      test(`${name}: ${exp.verdict} (${exp.note})`, async () => {
        const r = await scanFile(fixturePath(folder, name));
        const summary = r.findings.map((f) => `${f.class} ${f.rule} ${f.message}`).join('\n  ');
        assert.equal(r.verdict, exp.verdict, `verdict for ${name}; findings:\n  ${summary}`);
        for (const rule of exp.rules) {
          assert.ok(r.findings.some((f) => f.rule === rule), `${name}: expected rule ${rule}; findings:\n  ${summary}`);
        }
      });
    }
  });
}
