/**
 * Real model files from the scanner's fixtures (test/fixtures/scan/) for Hub tests, each with the
 * name it would have in a Hugging Face repository and the scanner's expected verdict: a benign
 * safetensors file, a benign PyTorch zip checkpoint, and a malicious plain-pickle `.bin` (the
 * CVE-2025-10155 shape: a pickle named like PyTorch weights, running `os.system`). The PyTorch
 * verdicts are read from the folder's expected.json, so a changed fixture fails here, not later.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ModelSample {
  /** Under test/fixtures/scan/. */
  readonly fixture: string;
  /** The name to commit it under. */
  readonly path: string;
  readonly bytes: Buffer;
  readonly verdict: 'safe' | 'malicious';
  readonly note: string;
}

export interface ModelSamples {
  readonly safetensors: ModelSample;
  readonly pytorch: ModelSample;
  readonly maliciousPickle: ModelSample;
}

export const SCAN_FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'scan');

interface Expected {
  readonly verdict: string;
  readonly note?: string;
}

function fromExpected(folder: string, file: string, path: string, verdict: 'safe' | 'malicious'): ModelSample {
  const expected = JSON.parse(readFileSync(join(SCAN_FIXTURES, folder, 'expected.json'), 'utf8')) as Record<string, Expected | undefined>;
  const e = expected[file];
  if (e?.verdict !== verdict) throw new Error(`model-samples: ${folder}/${file} is expected ${String(e?.verdict)}, not ${verdict}`);
  return { fixture: `${folder}/${file}`, path, bytes: readFileSync(join(SCAN_FIXTURES, folder, file)), verdict, note: e.note ?? '' };
}

/** Read afresh on each call (small files). */
export function modelSamples(): ModelSamples {
  const safetensors: ModelSample = {
    fixture: 'safetensors/torch-state-dict.safetensors',
    path: 'model.safetensors',
    bytes: readFileSync(join(SCAN_FIXTURES, 'safetensors', 'torch-state-dict.safetensors')),
    // safetensors/ has no expected.json; src/scan/formats/common/fixture-verdicts.test.ts holds it safe.
    verdict: 'safe',
    note: 'a torch state dict saved as safetensors',
  };
  const pytorch = fromExpected('pytorch', 'state-dict.pt', 'pytorch_model.bin', 'safe');
  if (pytorch.bytes.subarray(0, 4).toString('latin1') !== 'PK\x03\x04') throw new Error('model-samples: state-dict.pt is no longer a zip checkpoint');
  const maliciousPickle = fromExpected('pytorch', 'CVE-2025-10155-pytorch_model.bin', 'pytorch_model.bin', 'malicious');
  if (maliciousPickle.bytes[0] !== 0x80) throw new Error('model-samples: the malicious .bin is no longer a plain pickle');
  return { safetensors, pytorch, maliciousPickle };
}
