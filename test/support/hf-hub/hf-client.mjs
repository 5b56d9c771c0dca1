// The real @huggingface/hub in a process of its own, for tests (see client.ts). Reads one JSON
// request on stdin — {op, repo, hubUrl, cacheDir?, accessToken?, …} — and writes one JSON result
// on stdout: {"ok": true, "value": …} or {"ok": false, "error": <message>, "status"?, "name"?}.
// The library logs with console.debug/info: everything but the result goes to stderr.
import { createHash } from 'node:crypto';
import { format } from 'node:util';

const toStderr = (...args) => void process.stderr.write(`${format(...args)}\n`);
console.log = console.info = console.debug = console.warn = toStderr;

/** base64 is kept up to this many bytes of a fetched file. */
const BASE64_CAP = 32 * 1024 * 1024;
/** The request on stdin is small; more is refused. */
const INPUT_CAP = 1024 * 1024;

async function readInput() {
  const chunks = [];
  let total = 0;
  for await (const chunk of process.stdin) {
    total += chunk.length;
    if (total > INPUT_CAP) throw new Error('request too large');
    chunks.push(chunk);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

function errorResult(e) {
  if (e instanceof Error) {
    const cause = e.cause instanceof Error ? e.cause.message : e.cause === undefined ? undefined : String(e.cause);
    return {
      ok: false,
      error: e.message,
      name: e.constructor?.name ?? e.name,
      ...(typeof e.statusCode === 'number' ? { status: e.statusCode } : {}),
      ...(cause === undefined ? {} : { cause }),
    };
  }
  return { ok: false, error: String(e) }; // e.g. WebBlob aborts its stream with a message string
}

async function run(req, hub) {
  const common = {
    repo: req.repo,
    hubUrl: req.hubUrl,
    ...(req.accessToken === undefined ? {} : { accessToken: req.accessToken }),
    ...(req.revision === undefined ? {} : { revision: req.revision }),
  };
  const cache = req.cacheDir === undefined ? {} : { cacheDir: req.cacheDir };
  switch (req.op) {
    case 'snapshot':
      return hub.snapshotDownload({ ...common, ...cache });
    case 'download':
      return hub.downloadFileToCacheDir({ ...common, ...cache, path: req.path });
    case 'fileInfo':
      return hub.fileDownloadInfo({ ...common, path: req.path });
    case 'fetch': {
      const blob = await hub.downloadFile({ ...common, path: req.path });
      if (blob === null) return null;
      const hash = createHash('sha256');
      const parts = [];
      let size = 0;
      for await (const chunk of blob.stream()) {
        hash.update(chunk);
        size += chunk.length;
        if (req.base64 === true && size <= BASE64_CAP) parts.push(Buffer.from(chunk));
      }
      return { size, sha256: hash.digest('hex'), ...(req.base64 === true && size <= BASE64_CAP ? { base64: Buffer.concat(parts).toString('base64') } : {}) };
    }
    case 'info': {
      const type = typeof req.repo === 'string' ? (req.repo.startsWith('datasets/') ? 'dataset' : 'model') : req.repo.type;
      const name = typeof req.repo === 'string' ? req.repo.replace(/^datasets\//, '') : req.repo.name;
      const { repo: _repo, ...rest } = common;
      const params = { ...rest, name, additionalFields: req.additionalFields ?? ['sha'] };
      return type === 'dataset' ? hub.datasetInfo(params) : hub.modelInfo(params);
    }
    case 'list': {
      const out = [];
      for await (const entry of hub.listFiles({ ...common, recursive: req.recursive === true, expand: req.expand === true, ...(req.path === undefined ? {} : { path: req.path }) })) out.push(entry);
      return out;
    }
    case 'pathsInfo':
      return hub.pathsInfo({ ...common, paths: req.paths, expand: req.expand === true });
    default:
      throw new Error(`unknown op ${String(req.op)}`);
  }
}

let result;
try {
  const req = await readInput();
  const hub = await import('@huggingface/hub');
  result = { ok: true, value: (await run(req, hub)) ?? null };
} catch (e) {
  result = errorResult(e);
}
process.stdout.write(`${JSON.stringify(result)}\n`);
