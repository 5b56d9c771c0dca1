/**
 * Fuzz target of the S3 blob store's client as a whole (`src/storage/s3-blob/`): the store is
 * opened against the test S3 endpoint (`test/support/s3-server.ts`, s3rver behind a front that
 * checks signatures), which then answers one request of the input's operation with the input's
 * answer instead: a listing page, a HEAD, a GET of the whole blob or of a range (Content-Length,
 * Content-Range), the result of a copy that renews a blob, a multipart initiation or completion.
 * The store must come back with what the answer says, or an error of its own (AirlockError
 * STORAGE_ERROR, BAD_REQUEST, LIMIT_EXCEEDED, BlobCorruptError) in one printable line, never a
 * raw one:
 *
 * - a listing yields only blobs of the store's layout that the pages list, each once, with its size;
 * - a stat's size is the Content-Length; a read hands out only bytes whose digest holds, a range
 *   only the bytes the answer carried for it;
 * - a commit succeeds only when the copy or completion answered its result (not an <Error> in a
 *   200); parts go up under the <UploadId> the initiation answered.
 *
 * Input: the operation's name on the first line, then the answer: status line, headers, a blank
 * line, the body. Extra inputs list pages that name each other in a cycle.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { validateHeaderName, validateHeaderValue } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAirlockError } from '../../../src/core/errors.ts';
import { sha256DigestFromHex } from '../../../src/core/index.ts';
import { readAll } from '../../../src/storage/conformance/helpers.ts';
import { storeStream } from '../../../src/storage/ports/index.ts';
import { openS3BlobStore, type S3BlobStore } from '../../../src/storage/s3-blob/index.ts';
import { MIN_PART_SIZE } from '../../../src/storage/s3-blob/options.ts';
import { parseXml, type XmlElement } from '../../../src/storage/s3-blob/xml.ts';
import { startTestS3, type ReceivedRequest, type TestS3 } from '../../support/s3-server.ts';
import { asText, isGenericJsFailure, text, type FuzzTarget } from '../../support/fuzz/target.ts';
import { AWS_LIST_PAGE, hexOf, MINIO_LIST_PAGE, RESULTS, RGW_LAST_PAGE } from './s3-seeds.ts';

const OPERATIONS = ['list', 'stat', 'read', 'open', 'range', 'copy', 'initiate', 'complete'] as const;
type Operation = (typeof OPERATIONS)[number];

const CONTENT = Buffer.from('the bytes of a blob in the fuzzed bucket\n'.repeat(8));
const DIGEST = sha256DigestFromHex(hexOf(CONTENT.toString()));
/** Above the part size: a multipart upload of two parts. */
const LARGE = Buffer.alloc(MIN_PART_SIZE + 1, 0x61);
const RANGE = { start: 2, end: 9 } as const;

const answerText = (operation: Operation, status: number, headers: Readonly<Record<string, string>>, body: string): string =>
  `${operation}\n${status}\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\n`).join('')}\n${body}`;
const xml = { 'content-type': 'application/xml' };

interface Answer {
  readonly operation: Operation;
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

function readAnswer(input: Uint8Array): Answer | null {
  const s = asText(input);
  const [head = '', ...rest] = s.split('\n\n');
  const [operation = '', statusLine = '', ...headerLines] = head.split('\n');
  if (!(OPERATIONS as readonly string[]).includes(operation)) return null;
  const status = /^\d{3}$/.test(statusLine) ? Number(statusLine) : 200;
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    const [name, value] = [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
    // Only what an HTTP server can send (the test server cannot write the others, and its 500 for them is no answer of a store's).
    try {
      validateHeaderName(name);
      validateHeaderValue(name, value);
      headers[name] = value;
    } catch {
      continue;
    }
  }
  // Each answer closes its connection: a Content-Length the body does not fill ends there, not at a time-out.
  return { operation: operation as Operation, status: status < 200 ? 200 : status, headers: { ...headers, connection: 'close' }, body: rest.join('\n\n') };
}

let fixture: { s3: TestS3; store: S3BlobStore; scratch: string } | null = null;
/** Answers injected for one input match its requests only. */
let generation = 0;

async function opened(): Promise<{ s3: TestS3; store: S3BlobStore }> {
  if (fixture !== null) return fixture;
  const s3 = await startTestS3({ bucket: 'airlock-fuzz' });
  const scratch = await mkdtemp(join(tmpdir(), 'airlock-fuzz-s3-'));
  const store = await openS3BlobStore({ endpoint: s3.endpoint, bucket: s3.bucket, credentials: s3.credentials, prefix: 'gw', stagingDir: scratch, retries: 0, listPageSize: 3, partSize: MIN_PART_SIZE, timeoutMs: 10_000 });
  fixture = { s3, store, scratch };
  return fixture;
}

const isObject = (r: ReceivedRequest): boolean => r.path.endsWith(`/${DIGEST.slice(7)}`);
const MATCH: Readonly<Record<Operation, (r: ReceivedRequest) => boolean>> = {
  list: (r) => r.method === 'GET' && r.query.has('list-type'),
  stat: (r) => r.method === 'HEAD' && isObject(r),
  read: (r) => r.method === 'GET' && isObject(r),
  open: (r) => r.method === 'GET' && isObject(r),
  range: (r) => r.method === 'GET' && isObject(r),
  copy: (r) => r.method === 'PUT' && r.headers['x-amz-copy-source'] !== undefined,
  initiate: (r) => r.method === 'POST' && r.query.has('uploads'),
  complete: (r) => r.method === 'POST' && r.query.has('uploadId'),
};

function inject(s3: TestS3, match: (r: ReceivedRequest) => boolean, answer: Omit<Answer, 'operation'>, times = 1): void {
  const g = generation;
  s3.failNext({ fail: { status: answer.status, body: answer.body, headers: answer.headers }, match: (r) => g === generation && match(r), times });
}

/** The answer's XML root, or null when it is none. */
function rootOf(body: string): XmlElement | null {
  try {
    return parseXml(body);
  } catch {
    return null;
  }
}
const is2xx = (status: number): boolean => status >= 200 && status < 300;

async function listed(store: S3BlobStore, pages: readonly string[]): Promise<string | undefined> {
  const keys = new Set<string>();
  for (const page of pages) {
    let root: XmlElement;
    try {
      root = parseXml(page);
    } catch {
      continue;
    }
    const encoded = root.children.find((c) => c.name === 'EncodingType')?.text.trim() === 'url';
    for (const c of root.children.filter((e) => e.name === 'Contents')) {
      const field = (name: string): string => c.children.find((e) => e.name === name)?.text ?? '';
      let key = field('Key');
      try {
        key = encoded ? decodeURIComponent(key.replace(/\+/g, ' ')) : key;
      } catch {
        continue;
      }
      keys.add(`${key} ${Number(field('Size').trim())}`);
    }
  }
  const seen = new Set<string>();
  for await (const blob of store.list()) {
    const hex = blob.digest.slice(7);
    const key = `gw/sha256/${hex.slice(0, 2)}/${hex}`;
    if (!keys.has(`${key} ${blob.size}`)) return `listed ${blob.digest} (${blob.size} bytes), which no page lists so`;
    if (seen.has(hex)) return `listed ${blob.digest} twice`;
    seen.add(hex);
  }
  return undefined;
}

/** Has the store run the answer's operation against it; what is wrong with the outcome. */
async function answerOne(s3: TestS3, store: S3BlobStore, a: Answer): Promise<string | undefined> {
  const { operation, ...answer } = a;
  const get = operation === 'read' || operation === 'open' || operation === 'range';
  if (operation !== 'initiate' && operation !== 'complete') inject(s3, MATCH[operation], answer, operation === 'list' ? 3 : 1);
  if (operation === 'list') return listed(store, [answer.body]);
  if (operation === 'stat') {
    const info = await store.stat(DIGEST);
    const length = answer.headers['content-length'];
    if (info === null) return answer.status === 404 ? undefined : `a ${answer.status} read as no blob`;
    // Content-Length is 1*DIGIT (RFC 9110 §8.6): leading zeros are allowed, and "0328" is 328.
    return /^\d+$/.test(length ?? '') && info.size === Number(length) ? undefined : `size ${info.size} from Content-Length ${JSON.stringify(length)}`;
  }
  if (get) {
    const bytes = operation === 'read' ? await store.read(DIGEST, { maxBytes: 1 << 20 }) : operation === 'range' ? await store.read(DIGEST, { maxBytes: 1 << 20, range: RANGE }) : await readAll(await store.open(DIGEST));
    if (bytes === null) return answer.status === 404 ? undefined : `a ${answer.status} read as no blob`;
    if (operation !== 'range') return bytes.equals(CONTENT) ? undefined : `${bytes.length} bytes read that are not the blob`;
    const body = Buffer.from(answer.body);
    return bytes.length <= RANGE.end - RANGE.start + 1 && bytes.equals(body.subarray(0, bytes.length)) ? undefined : `${bytes.length} bytes read for bytes ${RANGE.start}-${RANGE.end}, not the answer's`;
  }
  if (operation === 'copy') {
    // The blob is there with its size (a HEAD says so): committing it again renews it with a copy.
    inject(s3, MATCH.stat, { status: 200, headers: { 'content-length': String(CONTENT.length), connection: 'close' }, body: '' });
    await storeStream(store, [CONTENT], { maxBytes: 1 << 20 });
    return answer.status !== 404 && (!is2xx(answer.status) || rootOf(answer.body)?.name !== 'CopyObjectResult') ? `committed on a copy that answered ${answer.status} without a <CopyObjectResult>` : undefined;
  }
  const initiate = operation === 'initiate' ? answer : { status: 200, headers: xml, body: RESULTS[0] as string };
  const complete = operation === 'complete' ? answer : { status: 200, headers: xml, body: RESULTS[1] as string };
  inject(s3, (r) => r.method === 'HEAD', { status: 404, headers: { connection: 'close' }, body: '' });
  inject(s3, MATCH.initiate, initiate);
  inject(s3, (r) => r.method === 'PUT' && r.query.has('partNumber'), { status: 200, headers: { etag: '"0123456789abcdef0123456789abcdef"', connection: 'close' }, body: '' }, 2);
  inject(s3, MATCH.complete, complete);
  const from = s3.requests.length;
  await storeStream(store, [LARGE], { maxBytes: LARGE.length });
  const uploadIds = new Set(s3.requests.slice(from).filter((r) => r.query.has('partNumber') || r.query.has('uploadId')).map((r) => r.query.get('uploadId')));
  const uploadId = rootOf(initiate.body)?.children.find((c) => c.name === 'UploadId')?.text;
  if (uploadIds.size !== 1 || !uploadIds.has(uploadId ?? null)) return `parts went up under ${JSON.stringify([...uploadIds])}, not the <UploadId> answered`;
  if (!is2xx(complete.status) || rootOf(complete.body)?.name !== 'CompleteMultipartUploadResult') return `committed on a completion that answered ${complete.status} without its result`;
  return undefined;
}

/** A ListObjectsV2 page of the store's layout naming `next` as the page after it. */
function cyclePage(name: string, next: string): string {
  const hex = hexOf(name);
  return AWS_LIST_PAGE.replace(/<NextContinuationToken>[^<]*/, `<NextContinuationToken>${next}`).replace(/<KeyCount>3/, '<KeyCount>1').replace(/<Contents>.*<\/Contents>/, `<Contents><Key>gw/sha256/${hex.slice(0, 2)}/${hex}</Key><LastModified>2025-03-14T09:26:53.000Z</LastModified><Size>1</Size></Contents>`);
}

const s3Store: FuzzTarget = {
  seeds: () =>
    [
      answerText('list', 200, xml, AWS_LIST_PAGE),
      answerText('list', 200, xml, MINIO_LIST_PAGE.replace(/<Key>sha256/g, '<Key>gw/sha256')),
      answerText('list', 200, xml, RGW_LAST_PAGE),
      answerText('stat', 200, { 'content-length': String(CONTENT.length), etag: '"5d41402abc4b2a76b9719d911017c592"', 'last-modified': 'Fri, 14 Mar 2025 09:26:53 GMT' }, ''),
      answerText('read', 200, { 'content-length': String(CONTENT.length), 'content-type': 'application/octet-stream' }, CONTENT.toString()),
      answerText('open', 200, { 'content-length': String(CONTENT.length) }, CONTENT.toString()),
      answerText('range', 206, { 'content-length': '8', 'content-range': `bytes 2-9/${CONTENT.length}` }, CONTENT.subarray(2, 10).toString()),
      answerText('copy', 200, xml, RESULTS[2] as string),
      answerText('initiate', 200, xml, RESULTS[0] as string),
      answerText('complete', 200, xml, RESULTS[1] as string),
      answerText('complete', 200, xml, RESULTS[3] as string),
    ].map(text),
  text: true,
  extra: () => [text('list-cycle')],
  run: async (input) => {
    generation++;
    const { s3, store } = await opened();
    if (asText(input) === 'list-cycle') {
      const [a, b] = [cyclePage('a', 'token-b'), cyclePage('b', 'token-a')];
      for (let i = 0; i < 20; i++) inject(s3, MATCH.list, { status: 200, headers: { ...xml, connection: 'close' }, body: i % 2 === 0 ? a : b });
      return listed(store, [a, b]);
    }
    const answer = readAnswer(input);
    return answer === null ? undefined : answerOne(s3, store, answer);
  },
  // The store's own error, in one printable line (what it quotes of the answer included).
  accepts: (err) =>
    err instanceof Error &&
    !isGenericJsFailure(err) &&
    !/[\u0000-\u001f\u007f-\u009f]/.test(err.message) &&
    (isAirlockError(err, 'STORAGE_ERROR') || isAirlockError(err, 'BAD_REQUEST') || isAirlockError(err, 'LIMIT_EXCEEDED')),
  done: async () => {
    if (fixture === null) return;
    await fixture.store.close();
    await fixture.s3.close();
    await rm(fixture.scratch, { recursive: true, force: true });
  },
};

export const targets: Record<string, FuzzTarget> = { 's3-store': s3Store };
