import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makePurl, type Verdict } from '../../core/index.ts';
import type { Explained, Explainer, VersionCandidate } from '../../gate/index.ts';
import { hubNotFound, type CommitTree, type Revision } from './catalog.ts';
import { FILE_NOT_SCANNED, filesNotJudged, filesToJudge, huggingfacePackageSource, MAX_CHECKED_FILES } from './check-source.ts';
import type { FileExplained } from './file-service.ts';
import type { RepoRef } from './hub-ids.ts';
import type { HubTreeEntry } from './hub-json.ts';

const SHA = 'c0ffee'.repeat(6) + 'c0ff';
const NOW = new Date('2026-01-01T00:00:00Z');
const REQUEST = { tokenId: null, role: null, userAgent: null, agent: null, ip: null, requestId: null };

function entry(path: string, lfs = false): HubTreeEntry {
  return { type: 'file', path, oid: 'a'.repeat(40), size: 10, lfs: lfs ? { sha256: 'b'.repeat(64), size: 10, pointerSize: 130 } : null };
}

function tree(paths: readonly string[]): CommitTree {
  const entries = [...paths.map((p) => entry(p)), { type: 'directory' as const, path: 'onnx', oid: 'c'.repeat(40), size: 0, lfs: null }].sort((a, b) => (a.path < b.path ? -1 : 1));
  return { entries, byPath: new Map(entries.map((e) => [e.path, e])) };
}

test('every file of a commit is judged, in path order; past the bound, code, pickle-based and model files first', () => {
  const small = tree(['config.json', 'model.safetensors', 'onnx/model.onnx']);
  assert.deepEqual(filesToJudge(small), { files: small.entries.filter((e) => e.type === 'file'), more: 0 });
  const big = tree(['a.json', 'b.json', 'c.json', 'd.safetensors', 'e.bin', 'z/modeling.py']);
  const { files, more } = filesToJudge(big, 3);
  assert.deepEqual(files.map((e) => e.path), ['d.safetensors', 'e.bin', 'z/modeling.py']);
  assert.equal(more, 3);
  assert.ok(MAX_CHECKED_FILES >= 64);
});

test("what a check leaves to the download: the files not held (pickle-based and model files named), files never served, files past the bound", () => {
  assert.equal(filesNotJudged([], [], 0), null);
  const text = filesNotJudged([entry('config.json'), entry('pytorch_model.bin', true), entry('model.safetensors', true)], ['acme/big@0123456789ab (huge.bin) is 10 bytes; …'], 2);
  assert.match(text ?? '', /^no file's bytes are fetched by a check: 3 files Airlock does not hold yet are scanned when downloaded/);
  assert.match(text ?? '', /pickle-based, where the scan looks for code that runs when they are loaded: pytorch_model\.bin; model files: model\.safetensors/);
  assert.match(text ?? '', /never served: acme\/big@0123456789ab \(huge\.bin\)/);
  assert.match(text ?? '', /2 more files are judged when downloaded/);
  const many = filesNotJudged(Array.from({ length: 10 }, (_, i) => entry(`shard-${i}.safetensors`, true)), [], 0);
  assert.match(many ?? '', /model files: shard-0\.safetensors, .*, shard-7\.safetensors and 2 more$/);
});

function explained(candidate: VersionCandidate, verdict: Verdict): Explained {
  return { candidate, decision: { verdict, source: 'policy', quarantineId: null }, policyVerdict: verdict, policyHash: 'h', facts: candidate.facts, now: NOW };
}

/** A source over a fake catalog, file service and gate: what each was asked. */
function source(options: { readonly commit: Verdict; readonly missing?: 'RepoNotFound' | 'RevisionNotFound' }) {
  const asked: { revisions: [RepoRef, string | null][]; signatures: number; files: string[] } = { revisions: [], signatures: 0, files: [] };
  const t = tree(['config.json', 'pytorch_model.bin', 'modeling.py']);
  const s = huggingfacePackageSource({
    repo: 'hf',
    async revision(repo, revision) {
      asked.revisions.push([repo, revision]);
      if (options.missing !== undefined) throw hubNotFound(options.missing, 'not there');
      const candidate: VersionCandidate = { subject: { repo: 'hf', ecosystem: 'huggingface', name: 'acme/tiny', version: SHA, purl: makePurl('huggingface', 'acme/tiny', SHA) }, facts: { hub: { id: 'acme/tiny' } } };
      return { repo: { type: 'model', id: 'acme/tiny' }, commit: SHA, candidate } as unknown as Revision;
    },
    catalog: { tree: async () => t },
    files: {
      async signature() {
        asked.signatures++;
        return null;
      },
      async explain(rev, e): Promise<FileExplained> {
        asked.files.push(e.path);
        const verdict: Verdict = e.path.endsWith('.py') ? { kind: 'quarantine', reasons: [{ message: 'code', rule: 'model.remote_code' }], warnings: [] } : { kind: 'allow', warnings: [] };
        return { kind: 'judged', explained: explained({ ...rev.candidate, facts: { ...rev.candidate.facts, model_file: { path: e.path } } }, verdict), scanned: e.path === 'config.json' };
      },
    },
  });
  const gate: Explainer = {
    explain: async (cs) => cs.map((c) => explained(c, options.commit)),
    explainArtifact: () => Promise.reject(new Error('the file service explains files')),
  };
  return { s, asked, gate };
}

test('a revision is resolved as a request resolves it; the commit judged, then each file, the model signature read once', async () => {
  const { s, asked, gate } = source({ commit: { kind: 'allow', warnings: [] } });
  assert.equal(s.canonicalName('datasets/acme/corpus'), 'datasets/acme/corpus');
  assert.throws(() => s.canonicalName('a/b/c'), /not a Hub repo/);
  const r = await s.checkReference?.('acme/tiny', 'HEAD', gate, REQUEST);
  assert.deepEqual(asked.revisions, [[{ type: 'model', id: 'acme/tiny' }, null]], 'HEAD is the default branch');
  assert.equal(asked.signatures, 1);
  assert.deepEqual(asked.files, ['config.json', 'modeling.py', 'pytorch_model.bin']);
  assert.ok(r?.status === 'judged');
  assert.equal(r.ownQuarantineHolds, false);
  assert.equal(r.phase, 'metadata');
  assert.deepEqual(r.parts.map((p) => [p.label, p.explained.decision.verdict.kind, p.notJudged]), [
    ['config.json', 'allow', null],
    ['modeling.py', 'quarantine', FILE_NOT_SCANNED],
    ['pytorch_model.bin', 'allow', FILE_NOT_SCANNED],
  ]);
  assert.match(r.notJudged ?? '', /2 files Airlock does not hold yet .*pytorch_model\.bin/);
  await s.checkReference?.('datasets/acme/corpus', 'refs/pr/1', gate, REQUEST);
  assert.deepEqual(asked.revisions[1], [{ type: 'dataset', id: 'acme/corpus' }, 'refs/pr/1']);
  await assert.rejects(s.checkReference?.('acme/tiny', '../main', gate, REQUEST) ?? Promise.resolve(), /not a valid revision/);
});

test('a commit the metadata phase blocks: no file is judged (every request of it is refused)', async () => {
  const { s, asked, gate } = source({ commit: { kind: 'block', reasons: [{ message: 'listed', rule: 'blocklist' }], warnings: [] } });
  const r = await s.checkReference?.('acme/tiny', null, gate, REQUEST);
  assert.ok(r?.status === 'judged');
  assert.deepEqual(r.parts, []);
  assert.equal(r.notJudged, null);
  assert.deepEqual([asked.signatures, asked.files], [0, []]);
});

test('an unknown repo is package-not-found, an unknown revision version-not-found', async () => {
  const repo = source({ commit: { kind: 'allow', warnings: [] }, missing: 'RepoNotFound' });
  assert.deepEqual(await repo.s.checkReference?.('acme/nope', null, repo.gate, REQUEST), { status: 'package-not-found', message: 'acme/nope does not exist upstream, or is private (the request was recorded)' });
  const rev = source({ commit: { kind: 'allow', warnings: [] }, missing: 'RevisionNotFound' });
  assert.deepEqual(await rev.s.checkReference?.('acme/tiny', 'v9', rev.gate, REQUEST), { status: 'version-not-found', message: 'acme/tiny has no revision v9 upstream' });
});
