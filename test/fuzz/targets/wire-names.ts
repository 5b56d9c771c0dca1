/**
 * Fuzz targets of what a client writes in a request line or header before anything is asked of
 * an upstream or a store: a byte range (`Range` on a blob or file download, `Content-Range` on
 * an OCI chunked upload), an OCI path below `/v2/` (repository name, tag or digest, upload id)
 * and a Hugging Face path (repo type and id, revision, file path; `resolve/` and `api/` routes).
 * Each refuses bad input with its own error (AirlockError); what it accepts must be what was
 * written: a range inside the size it was asked against and as the header spelt it, an OCI
 * target that writes back to the path it was read from, a repo id, revision and file path that
 * re-parse to themselves from the URL Airlock writes for them, and a repo that its name (as the
 * gate, records and purls name it) reads back as.
 *
 * Not checked: what the routes do with a parsed target (the http-surface target sends these
 * paths to a running gateway), and a range's effect on the bytes sent (the plugins' tests).
 */
import { AirlockError } from '../../../src/core/errors.ts';
import { parseByteRange } from '../../../src/ecosystems/shared/byte-range.ts';
import { parseContentRange } from '../../../src/ecosystems/oci/hosted/push-routes.ts';
import { checkName, parseReference, parseTarget, type Target } from '../../../src/ecosystems/oci/references.ts';
import { checkFilePath, checkRepoId, checkRevision, encodePath, parseApiPath, parseResolvePath, repoName, repoOfName, type RepoRef } from '../../../src/ecosystems/huggingface/hub-ids.ts';
import { asText, ownError, text, type FuzzTarget } from '../../support/fuzz/target.ts';

const SIZES = [0, 1, 2, 1000, 2 ** 40 + 7] as const;

/**
 * Each range the header could be asked against must fit it, and one written plainly must be taken
 * as written (the unit in any case: range units are compared without regard to case).
 */
function checkRange(header: string): string | undefined {
  const plain = /^bytes=(\d{1,15})-(\d{1,15})$/i.exec(header);
  for (const size of SIZES) {
    const r = parseByteRange(header, size);
    if (r === null || r === 'unsatisfiable') {
      if (plain !== null && Number(plain[1]) <= Number(plain[2]) && Number(plain[2]) < size) return `bytes ${plain[1]}-${plain[2]} of ${size} is ${String(r)}`;
      continue;
    }
    if (!Number.isSafeInteger(r.start) || !Number.isSafeInteger(r.end) || r.start < 0 || r.end < r.start || r.end >= size) return `range ${r.start}-${r.end} of a ${size}-byte file`;
    if (!/^\s*bytes=\d*-\d*\s*$/i.test(header)) return `${JSON.stringify(header.slice(0, 60))} read as ${r.start}-${r.end}`;
    if (plain !== null && (r.start !== Number(plain[1]) || r.end !== Math.min(Number(plain[2]), size - 1))) return `bytes ${plain[1]}-${plain[2]} of ${size} read as ${r.start}-${r.end}`;
  }
  let upload: ReturnType<typeof parseContentRange>;
  try {
    upload = parseContentRange(header);
  } catch (err) {
    if (err instanceof AirlockError && err.code === 'BAD_REQUEST') return undefined;
    throw err;
  }
  if (upload === null) return 'a Content-Range read as none';
  if (!Number.isSafeInteger(upload.start) || !Number.isSafeInteger(upload.length) || upload.start < 0 || upload.length < 1) return `Content-Range read as ${upload.start}+${upload.length}`;
  return undefined;
}

const byteRange: FuzzTarget = {
  seeds: () => ['bytes=0-0', 'bytes=0-', 'bytes=-500', 'bytes=100-199', ' bytes=5-4 ', 'bytes=999999999999999-', 'items=0-1', 'bytes=0-1,5-6', '0-1023', 'bytes 0-1023/2048', 'bytes=0-1023/*'].map(text),
  text: true,
  extra: () => [text(`bytes=${'0'.repeat(100_000)}-`), text(`bytes=-${'9'.repeat(100_000)}`), text(`${' '.repeat(100_000)}bytes=0-1`), text(`bytes=${'1-'.repeat(50_000)}`), text(`${'1'.repeat(15)}-${'9'.repeat(15)}`)],
  run: (input) => checkRange(asText(input)),
  accepts: ownError(AirlockError),
};

/** How the registry API writes a target after `/v2/`. */
function pathOf(t: Target): string {
  switch (t.kind) {
    case 'manifest':
      return `${t.name}/manifests/${t.reference.kind === 'tag' ? t.reference.tag : t.reference.digest}`;
    case 'blob':
      return `${t.name}/blobs/${t.digest}`;
    case 'referrers':
      return `${t.name}/referrers/${t.digest}`;
    case 'tags':
      return `${t.name}/tags/list`;
    case 'upload':
      return `${t.name}/blobs/uploads/${t.id ?? ''}`;
  }
}

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const ociPath: FuzzTarget = {
  seeds: () =>
    [
      'library/alpine/manifests/3.20',
      `library/alpine/manifests/${DIGEST}`,
      `ghcr.io-mirror/acme/app__x/blobs/${DIGEST}`,
      'a/b-c/d.e/tags/list',
      `acme/models/referrers/${DIGEST}`,
      'acme/app/blobs/uploads/',
      'acme/app/blobs/uploads/1b4e28ba-2fa1-11d2-883f-0016d3cca427',
      'foo/manifests/manifests/latest',
    ].map(text),
  text: true,
  extra: () => [
    text(`${'a/'.repeat(50_000)}manifests/x`),
    text(`${'a-'.repeat(50_000)}a/manifests/x`),
    text(`${'a/manifests/'.repeat(10_000)}x`),
    text(`a/manifests/${'x'.repeat(100_000)}`),
    text(`${'a__'.repeat(30_000)}a/tags/list`),
  ],
  run: (input) => {
    const path = asText(input);
    const t = parseTarget(path);
    if (checkName(t.name) !== t.name) return `the name ${t.name} is not one`;
    const written = pathOf(t);
    const again = parseTarget(written);
    if (JSON.stringify(again) !== JSON.stringify(t)) return `${JSON.stringify(written)} reads as ${JSON.stringify(again)}, not ${JSON.stringify(t)}`;
    if (written !== path) return `${JSON.stringify(path)} writes back as ${JSON.stringify(written)}`;
    if (t.kind === 'manifest' && JSON.stringify(parseReference(t.reference.kind === 'tag' ? t.reference.tag : t.reference.digest)) !== JSON.stringify(t.reference)) return 'the reference does not re-parse';
    return undefined;
  },
  accepts: ownError(AirlockError),
};

/** A repo, revision and path must re-parse from the URL Airlock writes for them, and the repo from its name. */
function checkHub(repo: RepoRef, revision: string | null, path: string | null): string | undefined {
  if (checkRepoId(repo.id.split('/').map(encodeURIComponent)) !== repo.id) return `the repo id ${repo.id} does not re-parse`;
  const named = repoOfName(repoName(repo));
  if (named.type !== repo.type || named.id !== repo.id) return `the ${repo.type} ${repo.id} is named ${repoName(repo)}, which reads as the ${named.type} ${named.id}`;
  if (revision !== null && checkRevision(encodeURIComponent(revision)) !== revision) return `the revision ${JSON.stringify(revision)} does not re-parse`;
  if (path !== null && path !== '' && checkFilePath(encodePath(path).split('/')) !== path) return `the path ${JSON.stringify(path)} does not re-parse`;
  return undefined;
}

const hfPath: FuzzTarget = {
  seeds: () =>
    [
      'acme/tiny-bert/resolve/main/config.json',
      'datasets/acme/corpus/resolve/refs%2Fpr%2F1/data/train-00000-of-00001.parquet',
      `gpt2/resolve/${'0123456789abcdef'.repeat(2)}01234567/onnx/model.onnx`,
      'api/models/acme/tiny-bert',
      'api/models/acme/tiny-bert/revision/v1.0',
      'api/datasets/acme/corpus/tree/main/data/',
      'api/models/gpt2/paths-info/refs%2Fconvert%2Fparquet',
      'api/models/Acme_Org/my.model-v2/tree/release%2B1/a%20b/100%25.txt',
    ].map(text),
  text: true,
  extra: () => [
    text(`acme/x/resolve/main/${'a/'.repeat(50_000)}a`),
    text(`acme/x/resolve/${'%'.repeat(100_000)}/f`),
    text(`api/models/${'a'.repeat(100_000)}`),
    text(`acme/x/resolve/${'a/'.repeat(200)}/f`),
    text('api/models/datasets/x/revision/main'),
    text('api/models/datasets/tree/main'),
  ],
  run: (input) => {
    const raw = asText(input);
    for (const type of ['model', 'dataset'] as const) {
      const prefix = `api/${type}s/`;
      if (!raw.startsWith(prefix)) continue;
      const { repo, action } = parseApiPath(type, raw.slice(prefix.length));
      if (repo.type !== type) return `api/${type}s/ read a ${repo.type}`;
      return checkHub(repo, action.revision, action.kind === 'tree' ? action.path : null);
    }
    const r = parseResolvePath(raw);
    return r === null ? undefined : checkHub(r.repo, r.revision, r.path);
  },
  accepts: ownError(AirlockError),
};

export const targets: Record<string, FuzzTarget> = { 'byte-range': byteRange, 'oci-path': ociPath, 'hf-path': hfPath };
