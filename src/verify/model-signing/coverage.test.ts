import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isIgnoredModelPath, modelFileCoverage, type ModelManifest } from './index.ts';
import { MODEL_SIGNING_IGNORE_PATHS } from './statement.ts';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

function manifest(files: Record<string, string>, ignore: readonly string[] = []): ModelManifest {
  return { format: 'v1.0', method: 'files', hashType: 'sha256', ignorePaths: [...MODEL_SIGNING_IGNORE_PATHS, ...ignore], files: new Map(Object.entries(files)), rootDigest: null };
}

test('signed, mismatch, unsigned by the manifest\'s digest for the path (hex compared case-insensitively)', () => {
  const m = manifest({ 'model.safetensors': A, 'tokenizer/vocab.txt': B });
  assert.equal(modelFileCoverage(m, 'model.safetensors', A), 'signed');
  assert.equal(modelFileCoverage(m, 'model.safetensors', A.toUpperCase()), 'signed');
  assert.equal(modelFileCoverage(m, 'tokenizer/vocab.txt', B), 'signed');
  assert.equal(modelFileCoverage(m, 'model.safetensors', B), 'mismatch');
  assert.equal(modelFileCoverage(m, 'vocab.txt', B), 'unsigned');
  assert.equal(modelFileCoverage(m, 'Model.safetensors', A), 'unsigned');
  assert.equal(modelFileCoverage(m, 'tokenizer', A), 'unsigned');
});

test('ignored: the path is, or is inside, an ignore path (recorded or default); a name that merely starts with one is not', () => {
  const m = manifest({ 'model.safetensors': A }, ['logs', 'ignore-me']);
  for (const p of ['model.sig', '.gitattributes', '.gitignore', '.git/config', '.github/workflows/sign.yml', 'logs/run-1/events', 'ignore-me']) {
    assert.equal(modelFileCoverage(m, p, A), 'ignored', p);
    assert.equal(isIgnoredModelPath(m, p), true, p);
  }
  for (const p of ['model.sig.bak', '.github-pages', 'logsx', 'ignore-me2', 'sub/model.sig', 'sub/.gitattributes']) assert.notEqual(modelFileCoverage(m, p, A), 'ignored', p);
});

test('an ignore path wins over a manifest entry for the same path', () => {
  assert.equal(modelFileCoverage(manifest({ '.gitattributes': A }), '.gitattributes', B), 'ignored');
});

test('a single-file model (resource "."): the one non-ignored file is signed whatever its name, any other is a mismatch', () => {
  const m = manifest({ '.': A });
  assert.equal(modelFileCoverage(m, 'model.gguf', A), 'signed');
  assert.equal(modelFileCoverage(m, 'weights/model.gguf', A), 'signed');
  assert.equal(modelFileCoverage(m, 'README.md', B), 'mismatch');
  assert.equal(modelFileCoverage(m, '.gitattributes', B), 'ignored');
});

test('an empty manifest signs nothing', () => {
  assert.equal(modelFileCoverage(manifest({}), 'model.safetensors', A), 'unsigned');
});
