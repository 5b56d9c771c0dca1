/**
 * The fuzz target of Airlock's whole HTTP surface: one real gateway, listening, with an npm proxy
 * and a hosted npm repository, a PyPI proxy, an OCI proxy and a hosted OCI repository, and a
 * Hugging Face proxy, each proxy in front of a small local upstream that speaks the real protocol
 * (test/support's fixtures) with one real package, image or model in it. Each seed is a request of
 * one route shape (client routes, the admin API with its token, health, metrics, MCP, SSO); the
 * mutator corrupts it as text and `hostile` edits it further (http-requests.ts), and node:http
 * sends it as written. Every answer must be one the client's protocol can read: never a 500 (the
 * upstreams are healthy, so never a 502, 503 or 504 either), an error body in the dialect of the
 * path (npm, the admin API and the Hub: JSON `{error}`; OCI: `{errors: [{code, message}]}`; PyPI:
 * a plain-text line), the connection answered rather than cut, nothing logged at error level; and
 * `/-/health` must still answer 200 after it.
 */
import { request as httpRequest } from 'node:http';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { pino } from 'pino';
import { onPath } from '../../support/daemon-process.ts';
import { exchange, type Exchanged } from '../../support/http-exchange.ts';
import { startAirlock } from '../../support/start-airlock.ts';
import { FixtureRegistry, publishDoc, tar } from '../../support/npm-registry/index.ts';
import { buildWheel, FixturePypiIndex } from '../../support/pypi-index/index.ts';
import { buildImage, pushObject, startRegistry } from '../../support/oci/index.ts';
import { FixtureHub } from '../../support/hf-hub/index.ts';
import { asText, text, type FuzzTarget } from '../../support/fuzz/target.ts';
import { describeRequest, hostile, parseRequest, TOKEN, type HttpRequest } from './http-requests.ts';
import { SEEDS } from './http-seeds.ts';

const OLD = new Date('2025-06-01T10:00:00Z');

const npm = await FixtureRegistry.start([{ name: 'left-pad', versions: [{ version: '1.0.0' }, { version: '1.1.0' }] }, { name: '@acme/widget', versions: [{ version: '1.0.0' }] }]);
const pypi = await new FixturePypiIndex().start();
const wheel = buildWheel({ name: 'acme-billing', version: '1.0', summary: 'billing' });
const listed = pypi.addFile('acme-billing', { filename: wheel.filename, bytes: wheel.bytes, metadata: wheel.metadata, uploadTime: OLD });
const hub = await new FixtureHub().start();
hub.addRepo({ id: 'acme/tiny', createdAt: OLD, downloads: 1200, library_name: 'transformers' });
hub.commit('acme/tiny', [{ path: 'config.json', bytes: '{"model_type": "bert"}\n' }, { path: 'onnx/README.md', bytes: '# weights\n' }], { date: OLD });
// The OCI upstream is Debian's docker-registry: without it the OCI proxy is left out (the hosted one stays).
const registry = onPath('docker-registry') ? await startRegistry() : null;
const image = buildImage({ files: { 'etc/hello': 'hello\n' } });
if (registry !== null) await pushObject(registry.directUrl, 'library/demo', 'latest', image);

/** What the gateway logged at error level: a fault of its own, whatever it answered. */
const logged: string[] = [];
const logger = pino(
  { level: 'error' },
  new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n').filter((l) => l !== '')) logged.push(line.slice(0, 600));
      done();
    },
  }),
);
const airlock = await startAirlock({
  logger,
  config: {
    repositories: [
      { name: 'npm', format: 'npm', upstream: npm.url },
      { name: 'npm-hosted', format: 'npm', kind: 'hosted' },
      { name: 'pypi', format: 'pypi', upstream: pypi.url, filesUpstream: pypi.filesUrl },
      { name: 'pypi-hosted', format: 'pypi', kind: 'hosted' },
      ...(registry === null ? [] : [{ name: 'containers', format: 'oci', upstream: `${registry.url}/` }]),
      { name: 'images', format: 'oci', kind: 'hosted' },
      { name: 'huggingface', format: 'huggingface', upstream: `${hub.url}/` },
    ],
  },
});
const origin = new URL(airlock.url);

/** The values the seeds name with `{…}`: the admin token, the wheel's file, the image's digests. */
const VALUES: Readonly<Record<string, string>> = {
  [TOKEN]: airlock.adminToken,
  '{wheel}': `${listed.sha256}/${wheel.filename}`,
  '{manifest}': image.manifestDigest,
  '{layer}': image.layerDigests[0] ?? image.configDigest,
  '{publish}': JSON.stringify(publishDoc(gzipSync(tar([{ path: 'package/package.json', content: '{"name":"@acme/lib","version":"1.2.3"}' }, { path: 'package/index.js', content: 'module.exports = 1;\n' }])))),
};
const fill = (s: string): string => s.replace(/\{[a-z]+\}/g, (m) => VALUES[m] ?? m);

function send(r: HttpRequest): Promise<Exchanged> {
  const headers: Record<string, string> = { host: origin.host, ...Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, fill(v)])) };
  const body = r.body.length === 0 ? r.body : Buffer.from(fill(r.body.toString('latin1')), 'latin1');
  if (body.length > 0 || !['GET', 'HEAD', 'DELETE', 'OPTIONS', 'TRACE'].includes(r.method)) headers['content-length'] = String(body.length);
  const options = { host: origin.hostname, port: origin.port, method: r.method, path: fill(r.path), headers, setHost: false, agent: false };
  return exchange((onResponse) => httpRequest(options, onResponse), body);
}

type Dialect = 'npm' | 'pypi' | 'oci' | 'hf' | 'api' | 'mcp' | 'other';
function dialectOf(path: string): Dialect {
  if (/^\/v2(\/|$|\?)|^\/-\/oci\//.test(path)) return 'oci';
  if (/^\/npm(-hosted)?([/?]|$)/.test(path)) return 'npm';
  if (/^\/pypi(-hosted)?([/?]|$)/.test(path)) return 'pypi';
  if (/^\/huggingface([/?]|$)/.test(path)) return 'hf';
  if (path.startsWith('/-/mcp')) return 'mcp';
  return path.startsWith('/-/api/') ? 'api' : 'other';
}

const json = (b: Buffer): unknown => {
  try {
    return JSON.parse(b.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
};
const hasError = (doc: unknown): boolean => typeof (doc as { error?: unknown } | undefined)?.error === 'string' && (doc as { error: string }).error.length > 0;

/** What is wrong with an error answer's body for a client of `dialect`, if anything. */
function errorBodyProblem(dialect: Dialect, a: Exchanged): string | undefined {
  const doc = json(a.body);
  switch (dialect) {
    case 'oci': {
      const errors = (doc as { errors?: unknown } | undefined)?.errors;
      const ok = Array.isArray(errors) && errors.length > 0 && errors.every((e) => typeof (e as { code?: unknown }).code === 'string' && typeof (e as { message?: unknown }).message === 'string');
      return ok ? undefined : 'an error body that is not the registry\'s {errors: [{code, message}]}';
    }
    case 'pypi':
      return /^text\/plain/.test(String(a.headers['content-type'])) && a.body.length > 0 ? undefined : hasError(doc) ? undefined : 'an error body that is neither a plain-text line nor {error}';
    case 'mcp':
      return undefined;
    default:
      return hasError(doc) ? undefined : 'an error body without an {error} string';
  }
}

/**
 * The HTTP parser's refusal of a request it could not read (a raw byte it does not take in the
 * request line, a head over 16 KiB): the server's `clientError` answer (src/app/client-error.ts),
 * before any route or hook, so in Airlock's own dialect whatever the path, as the path it would
 * pick one by is not known; the connection closed with it.
 */
function parserRefusal(a: Exchanged): boolean {
  const doc = json(a.body) as { code?: unknown; error?: unknown } | undefined;
  return (a.status === 400 || a.status === 431) && a.headers.connection === 'close' && typeof doc?.code === 'string' && typeof doc.error === 'string';
}

async function health(): Promise<string | undefined> {
  const a = await send({ method: 'GET', path: '/-/health', headers: {}, body: Buffer.alloc(0) });
  return a.status === 200 ? undefined : `/-/health answered ${a.status} afterwards: ${a.body.toString('utf8').slice(0, 200)}`;
}

async function probe(r: HttpRequest): Promise<string | undefined> {
  const before = logged.length;
  let a: Exchanged;
  try {
    a = await send(r);
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    // The client refusing to send what it was given is not the gateway's doing; nor is a HEAD
    // client's reading of the body of the HTTP parser's 400 (it cannot know a request it could not
    // read was a HEAD) as the next answer.
    if (code.startsWith('ERR_INVALID') || code === 'ERR_UNESCAPED_CHARACTERS' || (r.method === 'HEAD' && code.startsWith('HPE_'))) return (await health()) ?? undefined;
    return `no answer (${(err as Error).message}) to ${describeRequest(r)}${(await health()) ?? ''}`;
  }
  const problems: string[] = [];
  if (a.status >= 500) problems.push(`answered ${a.status}`);
  // A range past the end is answered as HTTP says (416, `Content-Range: bytes */<size>`), in no API's dialect.
  const unsatisfiable = a.status === 416 && /^bytes \*\/\d+$/.test(String(a.headers['content-range']));
  if (a.status >= 400 && r.method !== 'HEAD' && !parserRefusal(a) && !unsatisfiable) {
    const p = errorBodyProblem(dialectOf(r.path), a);
    if (p !== undefined) problems.push(p);
  }
  if (logged.length > before) problems.push(`logged at error level: ${logged.slice(before, before + 2).join(' | ')}`);
  const after = await health();
  if (after !== undefined) problems.push(after);
  if (problems.length === 0) return undefined;
  return `${problems.join('; ')}\n  request: ${describeRequest(r)}\n  answer: ${a.status} ${String(a.headers['content-type'])} ${JSON.stringify(a.body.subarray(0, 300).toString('utf8'))}`;
}

const surface: FuzzTarget = {
  seeds: () => SEEDS.map(text),
  text: true,
  run: (input) => probe(hostile(parseRequest(asText(input)), input)),
  // Every fault is reported as a result (a string), not thrown: nothing thrown is the gateway's own.
  accepts: () => false,
  done: async () => {
    await airlock.close();
    await Promise.all([npm.close(), pypi.close(), hub.close(), registry?.close()]);
  },
};

export const targets: Record<string, FuzzTarget> = { 'http-surface': surface };
