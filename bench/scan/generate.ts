/**
 * Benchmark inputs, generated once into bench/.cache/scan (git-ignored):
 * - checkpoint-2g.pt: a 2 GiB PyTorch state dict (256 × 8 MiB tensors, sparse on disk);
 * - pickle-3m.pkl: a protocol 4 pickle of about 3 million opcodes;
 * - mixed/: a hundred model files (PyTorch archives of several sizes, plain, gzip'd and
 *   zipped pickles, and copies of the benign test fixtures: joblib, NumPy, bz2, xz, 7z …).
 * All are benign: any finding worse than info is a false positive.
 */
import { mkdir, open, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { bigPlainPickle, torchStateDictPickle, type TensorSpec } from './pickle-writer.ts';
import { writeTorchZip, type Member } from './zip-writer.ts';

export const CACHE = join(import.meta.dirname, '..', '.cache', 'scan');
const FIXTURES = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'scan');
const MiB = 1024 * 1024;

function torchMembers(count: number, tensorBytes: number, prefix = 'archive'): Member[] {
  const tensors: TensorSpec[] = Array.from({ length: count }, (_, i) => ({
    name: `model.layers.${i >> 2}.${['q', 'k', 'v', 'o'][i & 3]}_proj.weight`,
    key: String(i),
    numel: tensorBytes / 4,
  }));
  return [
    { name: `${prefix}/data.pkl`, data: torchStateDictPickle(tensors) },
    { name: `${prefix}/byteorder`, data: new TextEncoder().encode('little') },
    ...tensors.map((t) => ({ name: `${prefix}/data/${t.key}`, data: tensorBytes })),
    { name: `${prefix}/version`, data: new TextEncoder().encode('3\n') },
    { name: `${prefix}/.data/serialization_id`, data: new TextEncoder().encode('1234567890123456789012345678901234567890') },
  ];
}

async function torchFile(path: string, count: number, tensorBytes: number): Promise<void> {
  const fh = await open(path, 'w');
  try {
    await writeTorchZip(fh, torchMembers(count, tensorBytes));
  } finally {
    await fh.close();
  }
}

export interface Inputs {
  readonly checkpoint: string;
  readonly pickle: string;
  readonly pickleOps: number;
  readonly mixed: string;
}

export async function generate(log: (s: string) => void): Promise<Inputs> {
  await mkdir(CACHE, { recursive: true });
  const checkpoint = join(CACHE, 'checkpoint-2g.pt');
  if (!existsSync(checkpoint)) {
    log('generating 2 GiB sparse PyTorch checkpoint …');
    await torchFile(checkpoint, 256, 8 * MiB);
  }
  const pickle = join(CACHE, 'pickle-3m.pkl');
  if (!existsSync(pickle)) {
    log('generating 3M-opcode pickle …');
    const big = bigPlainPickle(333_334);
    await writeFile(`${pickle}.ops`, String(big.ops));
    await writeFile(pickle, big.bytes);
  }
  const mixed = join(CACHE, 'mixed');
  if (!existsSync(join(mixed, '.complete'))) {
    log('generating 100 mixed model files …');
    await mkdir(mixed, { recursive: true });
    let n = 0;
    const name = (ext: string): string => join(mixed, `${String(n++).padStart(3, '0')}${ext}`);
    for (let i = 0; i < 30; i++) await torchFile(name('.pt'), 4 + 4 * (i % 16), (1 + (i % 8)) * MiB);
    for (let i = 0; i < 15; i++) await writeFile(name('.pkl'), bigPlainPickle(1000 + i * 3000).bytes);
    for (let i = 0; i < 10; i++) await writeFile(name('.pkl.gz'), gzipSync(bigPlainPickle(2000 + i * 1000).bytes));
    for (let i = 0; i < 5; i++) {
      const fh = await open(name('.zip'), 'w');
      try {
        await writeTorchZip(fh, [{ name: `models/m${i}.pkl`, data: bigPlainPickle(500 * (i + 1)).bytes }]);
      } finally {
        await fh.close();
      }
    }
    // Benign fixtures of the other formats (joblib, NumPy pickles, bz2, xz, 7z, legacy torch …).
    const benign: string[] = [];
    for (const folder of ['pickle', 'pytorch', 'archives', 'joblib', 'zip']) {
      const expected = JSON.parse(await readFile(join(FIXTURES, folder, 'expected.json'), 'utf8')) as Record<string, { verdict: string }>;
      for (const [f, e] of Object.entries(expected)) if (e.verdict === 'safe') benign.push(join(FIXTURES, folder, f));
    }
    for (const f of benign.slice(0, 100 - n)) await writeFile(name(`-${f.split('/').pop() ?? 'x'}`), await readFile(f));
    while (n < 100) await torchFile(name('.pt'), 8, MiB);
    await writeFile(join(mixed, '.complete'), '');
  }
  return { ...inputPaths(), pickleOps: Number(await readFile(`${pickle}.ops`, 'utf8')) };
}

/** Where the generated inputs live (without generating them). */
export function inputPaths(): { readonly checkpoint: string; readonly pickle: string; readonly mixed: string } {
  return { checkpoint: join(CACHE, 'checkpoint-2g.pt'), pickle: join(CACHE, 'pickle-3m.pkl'), mixed: join(CACHE, 'mixed') };
}

export async function mixedFiles(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).filter((f) => !f.startsWith('.')).sort();
  const out: string[] = [];
  for (const f of names) if ((await stat(join(dir, f))).isFile()) out.push(join(dir, f));
  return out;
}
