/**
 * The model repositories the benchmark puts on the fixture Hub: a small model (a config and 1 MiB
 * of weights), a 30-file sentence-transformers-like model for snapshots, and one large weights
 * file. Every file is valid for what it is named (the scanner reads it as such); contents differ
 * from repo to repo, so no two repos share a blob.
 */
import type { FixtureHub, FixtureHubFile } from '../../test/support/hf-hub/index.ts';
import { safetensorsFile } from './safetensors.ts';

/** Long before any cooldown. */
export const OLD = new Date('2025-06-01T10:00:00Z');

/** 1 MiB of F32 weights (plus a header of about a hundred bytes). */
export const WEIGHTS_ROWS = 256;
const COLS = 1024;

function config(seed: string): string {
  return `${JSON.stringify({ architectures: ['BertModel'], model_type: 'bert', hidden_size: COLS, num_hidden_layers: 4, vocab_size: 30522, _name_or_path: seed }, null, 2)}\n`;
}

/** A repo with `config.json` (a regular file, checked against its git object id) and `model.safetensors` (LFS, 1 MiB, checked against its sha256). */
export function addSmallModel(hub: FixtureHub, id: string): void {
  hub.addRepo({ id, createdAt: OLD, downloads: 1200, library_name: 'transformers' });
  hub.commit(id, [
    { path: 'config.json', bytes: config(id) },
    { path: 'model.safetensors', bytes: safetensorsFile(WEIGHTS_ROWS, COLS, 'random') },
  ], { date: OLD });
}

/** One `path` of `size` bytes of text. */
function text(path: string, seed: string, size: number): FixtureHubFile {
  const line = `${seed} ${path} lorem ipsum dolor sit amet\n`;
  return { path, bytes: line.repeat(Math.ceil(size / line.length)).slice(0, size) };
}

/**
 * 29 files and the Hub's `.gitattributes`: four 256 KiB weight shards and a 64 KiB dense layer
 * (LFS), tokenizer files of 32–64 KiB, configs, a model card and evaluation notes in folders.
 */
export function snapshotFiles(seed: string): FixtureHubFile[] {
  const shardRows = 64;
  const shards = [1, 2, 3, 4].map((n) => ({ path: `model-0000${n}-of-00004.safetensors`, bytes: safetensorsFile(shardRows, COLS, 'random') }));
  const weightMap = Object.fromEntries(shards.map((s, i) => [`encoder.layer.${i}.weight`, s.path]));
  const vocab = Array.from({ length: 4000 }, (_, i) => `tok${i}`);
  return [
    { path: 'config.json', bytes: config(seed) },
    { path: 'generation_config.json', bytes: '{"max_length": 512}\n' },
    { path: 'tokenizer.json', bytes: JSON.stringify({ version: '1.0', model: { type: 'WordPiece', vocab: Object.fromEntries(vocab.map((t, i) => [t, i])) }, seed }) },
    { path: 'tokenizer_config.json', bytes: '{"do_lower_case": true, "model_max_length": 512}\n' },
    { path: 'special_tokens_map.json', bytes: '{"cls_token": "[CLS]", "sep_token": "[SEP]", "pad_token": "[PAD]"}\n' },
    { path: 'vocab.txt', bytes: `${vocab.join('\n')}\n` },
    text('merges.txt', seed, 32 * 1024),
    text('README.md', seed, 8 * 1024),
    { path: 'model.safetensors.index.json', bytes: JSON.stringify({ metadata: { total_size: 4 * shardRows * COLS * 4 }, weight_map: weightMap }) },
    ...shards,
    { path: 'modules.json', bytes: '[{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"}]\n' },
    { path: 'sentence_bert_config.json', bytes: '{"max_seq_length": 256}\n' },
    { path: 'config_sentence_transformers.json', bytes: '{"similarity_fn_name": "cosine"}\n' },
    { path: '1_Pooling/config.json', bytes: '{"pooling_mode_mean_tokens": true}\n' },
    { path: '2_Dense/config.json', bytes: '{"in_features": 1024, "out_features": 256}\n' },
    { path: '2_Dense/model.safetensors', bytes: safetensorsFile(16, COLS, 'random') },
    ...[0, 1, 2, 3, 4].map((n) => text(`eval/results-${n}.csv`, seed, 2048)),
    ...[0, 1, 2, 3, 4].map((n) => text(`runs/notes-${n}.txt`, seed, 1024)),
  ];
}

export function addSnapshotModel(hub: FixtureHub, id: string, files: readonly FixtureHubFile[]): void {
  hub.addRepo({ id, createdAt: OLD, downloads: 1200, library_name: 'sentence-transformers' });
  hub.commit(id, files, { date: OLD });
}

/** A repo with one large `model.safetensors` of `rows × 1024` zero F32s. */
export function addLargeModel(hub: FixtureHub, id: string, rows: number): number {
  hub.addRepo({ id, createdAt: OLD, downloads: 1200, library_name: 'transformers' });
  const bytes = safetensorsFile(rows, COLS, 'zero');
  hub.commit(id, [{ path: 'config.json', bytes: config(id) }, { path: 'model.safetensors', bytes }], { date: OLD });
  return bytes.length;
}
