/**
 * Hostile-input robustness: deterministic random mutations (byte flips, truncations, inserted
 * runs of 0xff) of every committed fixture must come back from each analyzer as findings — never
 * as an exception (which the engine would turn into a generic scanner error) and never hang.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { FormatAnalyzer } from '../../types.ts';
import { analyzer as safetensors } from '../safetensors/index.ts';
import { analyzer as numpy } from '../numpy/index.ts';
import { analyzer as gguf } from '../gguf/index.ts';
import { analyzer as onnx } from '../onnx/index.ts';
import { analyzer as tensorflow } from '../tensorflow/index.ts';
import { analyzer as json } from '../keras/index.ts';
import { analyzer as hdf5 } from '../hdf5/index.ts';
import { runAnalyzer } from './testing.ts';

const ROOT = join(import.meta.dirname, '../../../../test/fixtures/scan');
const BY_DIR: ReadonlyArray<readonly [string, FormatAnalyzer]> = [
  ['safetensors', safetensors],
  ['numpy', numpy],
  ['gguf', gguf],
  ['onnx', onnx],
  ['tensorflow', tensorflow],
  ['keras', json],
  ['hdf5', hdf5],
];

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 0x100000000;
  };
}

function mutate(bytes: Uint8Array, rnd: () => number): Uint8Array {
  const kind = Math.floor(rnd() * 4);
  if (kind === 0) return bytes.subarray(0, Math.floor(rnd() * bytes.length));
  const out = bytes.slice();
  const flips = 1 + Math.floor(rnd() * 8);
  for (let i = 0; i < flips; i++) {
    const at = Math.floor(rnd() * out.length);
    out[at] = kind === 1 ? Math.floor(rnd() * 256) : kind === 2 ? 0xff : (out[at] ?? 0) ^ (1 << Math.floor(rnd() * 8));
    if (kind === 2) for (let j = 1; j < 8 && at + j < out.length; j++) out[at + j] = 0xff;
  }
  return out;
}

for (const [dir, analyzer] of BY_DIR) {
  test(`mutated ${dir} fixtures never make the analyzer throw`, async () => {
    const rnd = prng(dir.length * 7919 + Number(process.env["C2_SEED"] ?? 0));
    for (const name of readdirSync(join(ROOT, dir)).sort()) {
      const path = join(ROOT, dir, name);
      if (!statSync(path).isFile()) continue;
      const original = new Uint8Array(readFileSync(path));
      for (let i = 0; i < Number(process.env["C2_MUTATIONS"] ?? 25); i++) {
        const bytes = mutate(original, rnd);
        try {
          await runAnalyzer(analyzer, bytes);
        } catch (err) {
          assert.fail(`${dir}/${name} mutation ${i}: ${err instanceof Error ? err.stack : String(err)}`);
        }
      }
    }
  });
}
