import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePurl, purlFullName } from '../../../core/index.ts';
import { UsageError } from '../../command.ts';
import { huggingfacePurl } from './huggingface.ts';

const SHA = '0123456789abcdef0123456789abcdef01234567';

test('a Hub repo as the clients name it, with the revision after @ (none: the default branch)', () => {
  assert.equal(huggingfacePurl('acme/tiny', undefined), 'pkg:huggingface/acme/tiny');
  assert.equal(huggingfacePurl(`acme/tiny@${SHA}`, undefined), `pkg:huggingface/acme/tiny@${SHA}`);
  assert.equal(huggingfacePurl('acme/tiny@v1.0', 'model'), 'pkg:huggingface/acme/tiny@v1.0');
  assert.equal(huggingfacePurl('gpt2', undefined), 'pkg:huggingface/gpt2');
  // A ref with slashes is one version, percent-encoded, and reads back as written.
  const pr = huggingfacePurl('acme/tiny@refs/pr/1', undefined);
  assert.equal(pr, 'pkg:huggingface/acme/tiny@refs%2Fpr%2F1');
  assert.equal(parsePurl(pr).version, 'refs/pr/1');
});

test('a dataset: datasets/ in front, or --type dataset; the purl names it as the gate does', () => {
  const byType = huggingfacePurl('acme/corpus@main', 'dataset');
  assert.equal(byType, 'pkg:huggingface/datasets/acme/corpus@main');
  assert.equal(huggingfacePurl('datasets/acme/corpus@main', undefined), byType);
  assert.equal(huggingfacePurl('datasets/acme/corpus@main', 'dataset'), byType);
  assert.equal(purlFullName(parsePurl(byType)), 'datasets/acme/corpus');
});

test('an empty part, too many parts, an empty revision, a dataset called a model or another type is a usage error', () => {
  for (const [spec, type] of [['acme/', undefined], ['/tiny', undefined], ['a/b/c', undefined], ['acme/tiny@', undefined], ['datasets/acme/corpus', 'model'], ['acme/tiny', 'space'], ['datasets/', undefined], [`acme/${'a'.repeat(600)}`, undefined]] as const) {
    assert.throws(() => huggingfacePurl(spec, type), UsageError, `${spec} ${String(type)}`);
  }
});
