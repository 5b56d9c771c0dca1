/**
 * Legacy (stacked-pickle) torch.save files cut short: every prefix of a real one is invalid or
 * worse, never safe — whether the cut falls in a pickle or in the raw storage data after them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { scanBytes } from '../../api.ts';

const FIXTURE = new URL('../../../../test/fixtures/scan/pytorch/legacy-state-dict.pt', import.meta.url);

test('a real legacy file scans safe whole, and no prefix of it scans safe', async () => {
  const bytes = readFileSync(FIXTURE);
  assert.equal((await scanBytes(bytes, 'model.pt')).verdict, 'safe');
  const safe: number[] = [];
  for (let n = 1; n < bytes.length; n++) if ((await scanBytes(bytes.subarray(0, n), 'model.pt')).verdict === 'safe') safe.push(n);
  assert.deepEqual(safe, [], 'prefixes that scanned safe');
  const cut = await scanBytes(bytes.subarray(0, bytes.length - 3), 'model.pt');
  assert.ok(cut.findings.some((f) => f.rule === 'pytorch.legacy.truncated' && /3 bytes short/.test(f.message)), JSON.stringify(cut.findings));
});
