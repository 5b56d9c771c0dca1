import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AirlockError } from '../../core/index.ts';
import { checkFilePath, checkListedPath, encodePath, parseApiPath, parseResolvePath } from './hub-ids.ts';
import { nextLink, parseRepoInfo, parseTreePage } from './hub-json.ts';
import { parseByteRange } from '../shared/byte-range.ts';

const SHA = 'a'.repeat(40);

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return err instanceof AirlockError ? err.code : 'OTHER';
  }
  return 'NONE';
}

describe('hub URLs', () => {
  it('reads a model file, a legacy one-segment id, a dataset and an encoded ref', () => {
    assert.deepEqual(parseResolvePath('acme/tiny/resolve/main/onnx/model.onnx'), { repo: { type: 'model', id: 'acme/tiny' }, revision: 'main', path: 'onnx/model.onnx' });
    assert.deepEqual(parseResolvePath('gpt2/resolve/main/config.json'), { repo: { type: 'model', id: 'gpt2' }, revision: 'main', path: 'config.json' });
    assert.deepEqual(parseResolvePath('datasets/acme/corpus/resolve/refs%2Fpr%2F1/data%20set.csv'), { repo: { type: 'dataset', id: 'acme/corpus' }, revision: 'refs/pr/1', path: 'data set.csv' });
    assert.equal(parseResolvePath('acme/tiny/blob/main/x'), null);
  });

  it('reads the API routes, keywords after one- and two-segment ids', () => {
    assert.deepEqual(parseApiPath('model', 'acme/tiny'), { repo: { type: 'model', id: 'acme/tiny' }, action: { kind: 'info', revision: null } });
    assert.deepEqual(parseApiPath('model', 'gpt2/revision/v1.0'), { repo: { type: 'model', id: 'gpt2' }, action: { kind: 'info', revision: 'v1.0' } });
    assert.deepEqual(parseApiPath('dataset', `acme/corpus/tree/${SHA}/data/train`), { repo: { type: 'dataset', id: 'acme/corpus' }, action: { kind: 'tree', revision: SHA, path: 'data/train' } });
    assert.deepEqual(parseApiPath('model', 'acme/tiny/tree/main'), { repo: { type: 'model', id: 'acme/tiny' }, action: { kind: 'tree', revision: 'main', path: '' } });
    assert.deepEqual(parseApiPath('model', 'acme/tiny/paths-info/main'), { repo: { type: 'model', id: 'acme/tiny' }, action: { kind: 'paths-info', revision: 'main' } });
  });

  it('refuses paths a client could not write safely, bad ids and bad revisions', () => {
    for (const p of ['acme/tiny/resolve/main/../x', 'acme/tiny/resolve/main/a//b', 'acme/tiny/resolve/main/a%2F..%2Fb', 'acme/tiny/resolve/main/a%5Cb', 'acme/tiny/resolve/main/%00']) {
      assert.equal(code(() => parseResolvePath(p)), 'BAD_REQUEST', p);
    }
    assert.equal(code(() => parseResolvePath('ac--me/tiny/resolve/main/x')), 'INVALID_NAME');
    assert.equal(code(() => parseResolvePath('-acme/tiny/resolve/main/x')), 'INVALID_NAME');
    assert.equal(code(() => parseResolvePath('acme/tiny/resolve/a..b/x')), 'BAD_REQUEST');
    assert.equal(code(() => parseResolvePath('acme/tiny/resolve/%E0%A4%A/x')), 'BAD_REQUEST');
    assert.equal(code(() => parseApiPath('model', 'a/b/c/d')), 'NOT_FOUND');
    // A model in a namespace "datasets" would be named datasets/x, the dataset x's name (and its files' URLs).
    assert.equal(code(() => parseApiPath('model', 'datasets/x/revision/main')), 'INVALID_NAME');
    assert.equal(code(() => parseApiPath('model', '%64atasets/x')), 'INVALID_NAME');
    assert.equal(code(() => parseApiPath('model', 'DataSets/x')), 'INVALID_NAME');
    assert.deepEqual(parseApiPath('model', 'datasets/revision/main').repo, { type: 'model', id: 'datasets' });
    assert.deepEqual(parseApiPath('dataset', 'datasets/x').repo, { type: 'dataset', id: 'datasets/x' });
    assert.equal(code(() => checkFilePath(Array.from({ length: 65 }, () => 'a'))), 'BAD_REQUEST');
  });

  it('reads a listed path as plain text: a % is part of the name; a lone surrogate, which has no URL, is refused', () => {
    assert.equal(checkListedPath('100%.txt'), '100%.txt');
    assert.equal(checkListedPath('a%20b/c%2F.txt'), 'a%20b/c%2F.txt');
    assert.equal(encodePath(checkListedPath('a%20b/100%.txt')), 'a%2520b/100%25.txt');
    for (const p of ['a\ud800b.bin', 'dir/\udc00', '../x', 'a//b', 'a\\b', 'x/\u0000']) assert.equal(code(() => checkListedPath(p)), 'BAD_REQUEST', JSON.stringify(p));
    assert.equal(code(() => checkListedPath(Array.from({ length: 65 }, () => 'a').join('/'))), 'BAD_REQUEST');
  });
});

describe('the upstream\'s JSON', () => {
  it('reads a repo info, bounded, with the commit', () => {
    const body = Buffer.from(JSON.stringify({ id: 'acme/tiny', sha: SHA, lastModified: '2025-01-02T03:04:05.000Z', createdAt: '2024-01-01T00:00:00Z', gated: 'manual', downloads: 12, likes: 3, library_name: 'transformers', tags: Array.from({ length: 100 }, (_, i) => `t${i}`), siblings: [{ rfilename: 'config.json' }, { rfilename: 'model.safetensors' }] }));
    const { info } = parseRepoInfo(body, 'info');
    assert.equal(info.sha, SHA);
    assert.equal(info.gated, 'manual');
    assert.equal(info.createdAt, '2024-01-01T00:00:00.000Z');
    assert.equal(info.tags.length, 64);
    assert.deepEqual(info.siblings, ['config.json', 'model.safetensors']);
  });

  it('names what is wrong with a bad info', () => {
    const bad = (doc: unknown): string => {
      try {
        parseRepoInfo(Buffer.from(JSON.stringify(doc)), 'info of acme/tiny');
        return 'accepted';
      } catch (err) {
        return (err as Error).message;
      }
    };
    assert.match(bad({ id: 'acme/tiny' }), /has no commit/);
    assert.match(bad({ id: 'acme/tiny', sha: SHA, gated: 'yes' }), /gated value/);
    assert.match(bad({ id: 'acme/tiny', sha: SHA, lastModified: 'yesterday' }), /lastModified that is not a date/);
    assert.match(bad({ id: 'acme/tiny', sha: SHA, downloads: -1 }), /downloads that is not a count/);
    assert.match(bad([1]), /not a JSON object/);
  });

  it('refuses an info nested deeper than 64 levels, which it serves as read (found by a sweep of type assertions: JSON.stringify of it threw a RangeError, a 500 for the client)', () => {
    const info = (cardData: string): Buffer => Buffer.from(`{"id":"acme/tiny","sha":"${SHA}","cardData":${cardData}}`);
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    assert.throws(() => parseRepoInfo(info(deep), 'info of acme/tiny'), { code: 'UPSTREAM_BAD_RESPONSE', message: "the upstream's info of acme/tiny nests deeper than 64 levels" });
    assert.throws(() => parseRepoInfo(info(`${'['.repeat(64)}${']'.repeat(64)}`), 'info'), /nests deeper than 64 levels/);
    const { document } = parseRepoInfo(info(`${'['.repeat(63)}${']'.repeat(63)}`), 'info');
    assert.equal(JSON.stringify(document).length, info(`${'['.repeat(63)}${']'.repeat(63)}`).length);
  });

  it('reads tree entries and refuses unsafe paths, bad hashes and two sizes', () => {
    const lfs = { oid: 'b'.repeat(64), size: 10, pointerSize: 130 };
    const entries = parseTreePage(Buffer.from(JSON.stringify([
      { type: 'directory', oid: 'c'.repeat(40), size: 0, path: 'onnx' },
      { type: 'file', oid: 'd'.repeat(40), size: 10, path: 'onnx/model.onnx', lfs, xetHash: 'e'.repeat(64) },
    ])), 'tree');
    assert.deepEqual(entries[1], { type: 'file', path: 'onnx/model.onnx', oid: 'd'.repeat(40), size: 10, lfs: { sha256: 'b'.repeat(64), size: 10, pointerSize: 130 } });
    const bad = (entry: unknown): string => {
      try {
        parseTreePage(Buffer.from(JSON.stringify([entry])), 'tree');
        return 'accepted';
      } catch (err) {
        return (err as Error).message;
      }
    };
    assert.match(bad({ type: 'file', oid: 'd'.repeat(40), size: 1, path: '../evil' }), /could not write safely/);
    assert.match(bad({ type: 'file', oid: 'd'.repeat(40), size: 1, path: '/abs' }), /could not write safely/);
    assert.match(bad({ type: 'file', oid: 'xyz', size: 1, path: 'a' }), /no git object id/);
    assert.match(bad({ type: 'file', oid: 'd'.repeat(40), size: 11, path: 'a', lfs }), /two sizes/);
    assert.match(bad({ type: 'file', oid: 'd'.repeat(40), size: 10, path: 'a', lfs: { ...lfs, oid: 'nothex' } }), /no sha256/);
    assert.match(bad({ type: 'symlink', oid: 'd'.repeat(40), size: 1, path: 'a' }), /of type "symlink"/);
    assert.match(bad({ type: 'file', oid: 'd'.repeat(40), size: 1.5, path: 'a' }), /not a size/);
  });

  it('names an entry type that is an object with a toString member by its type (found by fuzzing: String() of it threw a TypeError)', () => {
    const entry = { type: { toString: 1 }, oid: 'd'.repeat(40), size: 1, path: 'a' };
    assert.throws(() => parseTreePage(Buffer.from(JSON.stringify([entry])), 'tree'), { name: 'AirlockError', code: 'UPSTREAM_BAD_RESPONSE', message: "the upstream's tree has an entry of type object (not a string)" });
    assert.throws(() => parseTreePage(Buffer.from('[{"type":7}]'), 'tree'), { message: "the upstream's tree has an entry of type number (not a string)" });
    // By its JSON kind, not its typeof: null is no object, a list is no object.
    assert.throws(() => parseTreePage(Buffer.from('[{"type":null}]'), 'tree'), { message: "the upstream's tree has an entry of type null (not a string)" });
    assert.throws(() => parseTreePage(Buffer.from('[{"type":["file"]}]'), 'tree'), { message: "the upstream's tree has an entry of type list (not a string)" });
    assert.throws(() => parseTreePage(Buffer.from('[{}]'), 'tree'), { message: "the upstream's tree has an entry of type missing (not a string)" });
  });

  it('finds the next page in a Link header', () => {
    const base = new URL('https://hub.example/');
    assert.equal(nextLink('<https://hub.example/api/models/a/b/tree/main?cursor=xyz>; rel="next"', base, 'tree')?.href, 'https://hub.example/api/models/a/b/tree/main?cursor=xyz');
    assert.equal(nextLink('<https://x/prev>; rel="prev", <https://x/next>; rel=next', base, 'tree')?.href, 'https://x/next');
    assert.equal(nextLink('</api/models?cursor=a>; rel=next', base, 'tree')?.href, 'https://hub.example/api/models?cursor=a');
    assert.equal(nextLink('<https://x/a>; rel="nextish"', base, 'tree'), null);
    assert.equal(nextLink(null, base, 'tree'), null);
  });

  it('refuses a next page that is no URL with what it says (found by fuzzing: the URL parser\'s TypeError reached the request)', () => {
    const base = new URL('https://hub.example/');
    for (const link of ['<http://[>; rel="next"', '<https://hub.example:99999/x>; rel=next']) {
      assert.throws(() => nextLink(link, base, 'tree of acme/tiny'), { name: 'AirlockError', code: 'UPSTREAM_BAD_RESPONSE', message: /^the upstream's tree of acme\/tiny names a next page that is not a URL: "/ }, link);
    }
  });
});

describe('byte ranges', () => {
  it('reads the forms clients send and refuses what cannot be served', () => {
    assert.deepEqual(parseByteRange('bytes=0-0', 10), { start: 0, end: 0 });
    assert.deepEqual(parseByteRange('bytes=4-', 10), { start: 4, end: 9 });
    assert.deepEqual(parseByteRange('bytes=-3', 10), { start: 7, end: 9 });
    assert.deepEqual(parseByteRange('bytes=2-100', 10), { start: 2, end: 9 });
    // Range units are compared without regard to case (RFC 9110 §14.1).
    assert.deepEqual(parseByteRange('Bytes=1-2', 10), { start: 1, end: 2 });
    assert.deepEqual(parseByteRange('BYTES=-3', 10), { start: 7, end: 9 });
    assert.equal(parseByteRange('bytes=10-', 10), 'unsatisfiable');
    assert.equal(parseByteRange('bytes=0-0', 0), 'unsatisfiable');
    assert.equal(parseByteRange('bytes=0-1,3-4', 10), null);
    assert.equal(parseByteRange('items=0-1', 10), null);
    assert.equal(parseByteRange(undefined, 10), null);
  });
});
