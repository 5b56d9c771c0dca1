import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { aws4 } from '../../../test/support/aws4.ts';
import { seededRandom } from '../../../test/support/seeded-random.ts';
import { amzDate, canonicalQuery, canonicalRequest, EMPTY_SHA256, encodePath, SigV4Signer, stringToSign, uriEncode } from './sigv4.ts';


const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

// "Examples: Signature Calculations in AWS Signature Version 4" of the S3 API reference
// (sig-v4-header-based-auth): their credentials, date, bucket, requests and signatures.
const EXAMPLE = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const EXAMPLE_DATE = new Date('2013-05-24T00:00:00Z');
const HOST = 'examplebucket.s3.amazonaws.com';
const SCOPE = 'AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request';

test("SigV4: AWS's GET Object example (a Range header, an empty payload), step by step", () => {
  const request = { method: 'GET', path: '/test.txt', query: '', headers: { host: HOST, range: 'bytes=0-9' }, payloadSha256: EMPTY_SHA256 };
  const canonical = canonicalRequest({ ...request, headers: { ...request.headers, 'x-amz-content-sha256': EMPTY_SHA256, 'x-amz-date': '20130524T000000Z' } });
  assert.equal(
    canonical.text,
    [
      'GET',
      '/test.txt',
      '',
      `host:${HOST}`,
      'range:bytes=0-9',
      `x-amz-content-sha256:${EMPTY_SHA256}`,
      'x-amz-date:20130524T000000Z',
      '',
      'host;range;x-amz-content-sha256;x-amz-date',
      EMPTY_SHA256,
    ].join('\n'),
  );
  assert.equal(
    stringToSign('20130524T000000Z', '20130524/us-east-1/s3/aws4_request', canonical.text),
    'AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972',
  );
  const signed = new SigV4Signer(EXAMPLE, 'us-east-1').sign(request, EXAMPLE_DATE);
  assert.deepEqual(signed, {
    'x-amz-date': '20130524T000000Z',
    'x-amz-content-sha256': EMPTY_SHA256,
    authorization: `AWS4-HMAC-SHA256 Credential=${SCOPE}, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41`,
  });
});

test("SigV4: AWS's PUT Object, GET Bucket Lifecycle and GET Bucket (List Objects) examples", () => {
  const signer = new SigV4Signer(EXAMPLE, 'us-east-1');
  const signature = (request: Parameters<SigV4Signer['sign']>[0]): string => /Signature=([0-9a-f]{64})$/.exec(signer.sign(request, EXAMPLE_DATE)['authorization'] ?? '')?.[1] ?? '';
  const put = {
    method: 'PUT',
    path: encodePath('/test$file.text'),
    query: '',
    headers: { host: HOST, date: 'Fri, 24 May 2013 00:00:00 GMT', 'x-amz-storage-class': 'REDUCED_REDUNDANCY' },
    payloadSha256: sha256('Welcome to Amazon S3.'),
  };
  assert.equal(put.path, '/test%24file.text');
  assert.equal(put.payloadSha256, '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072');
  assert.match(signer.sign(put, EXAMPLE_DATE)['authorization'] ?? '', /SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,/);
  assert.equal(signature(put), '98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd');
  const lifecycle = { method: 'GET', path: '/', query: canonicalQuery([['lifecycle', '']]), headers: { host: HOST }, payloadSha256: EMPTY_SHA256 };
  assert.equal(lifecycle.query, 'lifecycle=');
  assert.equal(signature(lifecycle), 'fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543');
  const list = { method: 'GET', path: '/', query: canonicalQuery([['prefix', 'J'], ['max-keys', '2']]), headers: { host: HOST }, payloadSha256: EMPTY_SHA256 };
  assert.equal(list.query, 'max-keys=2&prefix=J');
  assert.equal(signature(list), '34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7');
});

test('SigV4: the signing key is derived once a day; a session token is sent and signed', () => {
  const signer = new SigV4Signer({ ...EXAMPLE, sessionToken: 'token/with+odd=chars' }, 'eu-west-1');
  const request = { method: 'GET', path: '/k', query: '', headers: { host: HOST }, payloadSha256: EMPTY_SHA256 };
  const first = signer.sign(request, new Date('2024-02-29T23:59:59Z'));
  const next = signer.sign(request, new Date('2024-03-01T00:00:01Z'));
  assert.equal(first['x-amz-security-token'], 'token/with+odd=chars');
  assert.match(first['authorization'] ?? '', /Credential=AKIAIOSFODNN7EXAMPLE\/20240229\/eu-west-1\/s3\/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,/);
  assert.match(next['authorization'] ?? '', /\/20240301\/eu-west-1\//);
  // The same as a signer that never cached anything.
  assert.equal(next['authorization'], new SigV4Signer({ ...EXAMPLE, sessionToken: 'token/with+odd=chars' }, 'eu-west-1').sign(request, new Date('2024-03-01T00:00:01Z'))['authorization']);
  assert.equal(amzDate(new Date('2024-03-01T00:00:01.999Z')), '20240301T000001Z');
});

test('SigV4 encoding: unreserved characters kept, everything else percent-encoded once in UTF-8, slashes of a path kept', () => {
  assert.equal(uriEncode("AZaz09-_.~ +%!*'()/=&?#é日😀"), 'AZaz09-_.~%20%2B%25%21%2A%27%28%29%2F%3D%26%3F%23%C3%A9%E6%97%A5%F0%9F%98%80');
  assert.equal(encodePath('/b/a b/c+d/./..//e~'), '/b/a%20b/c%2Bd/./..//e~');
  assert.equal(canonicalQuery([['b', '2'], ['a', ''], ['b', '1'], ['a b', 'x+y']]), 'a=&a%20b=x%2By&b=1&b=2');
});

/** Characters that trip signers up: reserved, percent, plus, tilde, space, non-ASCII (BMP and astral). */
const AWKWARD = ['a', 'Z', '0', '-', '_', '.', '~', ' ', '+', '%', '%20', '=', '&', '?', '#', '!', '*', "'", '(', ')', ':', '@', ',', ';', '$', 'é', 'ß', '日本', '😀', '\u00a0'];

function awkward(random: () => number, min: number, max: number): string {
  let out = '';
  const length = min + Math.floor(random() * (max - min + 1));
  for (let i = 0; i < length; i++) out += AWKWARD[Math.floor(random() * AWKWARD.length)];
  return out;
}

test('SigV4 differential: the same signatures as aws4 over many generated S3 requests with awkward keys, queries and header values', () => {
  const random = seededRandom(20240524);
  const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
  for (let i = 0; i < 500; i++) {
    const region = ['us-east-1', 'eu-central-1', 'auto'][i % 3] as string;
    const key = Array.from({ length: 1 + Math.floor(random() * 4) }, () => awkward(random, 1, 8)).join('/');
    const path = encodePath(`/bucket-${i % 7}/${key}`);
    const params: [string, string][] = [];
    const names = new Set<string>();
    for (let p = Math.floor(random() * 5); p > 0; p--) {
      const name = awkward(random, 1, 5);
      // aws4 keeps only the first of a repeated S3 parameter; that case is compared below.
      if (names.has(name)) continue;
      names.add(name);
      params.push([name, random() < 0.25 ? '' : awkward(random, 1, 10)]);
    }
    const query = canonicalQuery(params);
    const headers: Record<string, string> = { host: i % 2 === 0 ? 'objects.internal:9000' : `bucket-${i}.s3.example.com` };
    if (random() < 0.5) headers['range'] = `bytes=${i}-${i * 7}`;
    if (random() < 0.5) headers['x-amz-meta-note'] = `  ${awkward(random, 1, 6)}   two  spaces\t`;
    if (random() < 0.3) headers['x-amz-copy-source'] = `/bucket/${encodePath(key)}`;
    const method = ['GET', 'PUT', 'HEAD', 'DELETE', 'POST'][i % 5] as string;
    const payloadSha256 = method === 'PUT' ? sha256(awkward(random, 0, 30)) : EMPTY_SHA256;
    const now = new Date(Date.UTC(2024, i % 12, 1 + (i % 28), i % 24, i % 60, (i * 7) % 60));
    const ours = new SigV4Signer(credentials, region).sign({ method, path, query, headers, payloadSha256 }, now);
    const theirs = aws4.sign(
      {
        method,
        host: headers['host'] as string,
        path: query === '' ? path : `${path}?${query}`,
        service: 's3',
        region,
        headers: { ...headers, 'x-amz-date': amzDate(now), 'x-amz-content-sha256': payloadSha256 },
        extraHeadersToInclude: { range: true },
      },
      credentials,
    );
    assert.equal(ours['authorization'], theirs.headers['Authorization'], `request ${i}: ${method} ${path}?${query}`);
  }
});

test('SigV4 differential: a repeated query parameter is signed with every value, sorted (as aws4 does outside S3)', () => {
  const random = seededRandom(7);
  const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };
  for (let i = 0; i < 100; i++) {
    const name = awkward(random, 1, 4);
    const params: [string, string][] = [
      [name, awkward(random, 0, 6)],
      ['other', awkward(random, 0, 3)],
      [name, awkward(random, 0, 6)],
      [name, ''],
    ];
    const query = canonicalQuery(params);
    const now = new Date(Date.UTC(2024, 0, 1, 0, 0, i));
    const headers = { host: 'example.amazonaws.com' };
    const ours = canonicalRequest({ method: 'GET', path: '/', query, headers: { ...headers, 'x-amz-date': amzDate(now), 'x-amz-content-sha256': EMPTY_SHA256 }, payloadSha256: EMPTY_SHA256 });
    const theirs = new aws4.RequestSigner(
      { method: 'GET', host: headers.host, path: `/?${query}`, service: 'service', region: 'us-east-1', headers: { ...headers, 'x-amz-date': amzDate(now), 'x-amz-content-sha256': EMPTY_SHA256 } },
      credentials,
    ).canonicalString();
    assert.equal(ours.text, theirs, `query ${query}`);
    assert.equal(new SigV4Signer(credentials, 'us-east-1', 'service').sign({ method: 'GET', path: '/', query, headers, payloadSha256: EMPTY_SHA256 }, now)['authorization'],
      aws4.sign({ method: 'GET', host: headers.host, path: `/?${query}`, service: 'service', region: 'us-east-1', headers: { ...headers, 'x-amz-date': amzDate(now), 'x-amz-content-sha256': EMPTY_SHA256 } }, credentials).headers['Authorization']);
  }
});
