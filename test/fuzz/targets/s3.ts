/**
 * Fuzz targets of what an S3-compatible store and the AWS credential services answer, read by
 * the S3 blob store's own parsers (`src/storage/s3-blob/`): its XML reader, a ListObjectsV2
 * page, an error body, STS's AssumeRoleWithWebIdentity answer and the JSON of the container and
 * instance metadata endpoints. Bad input is refused with the module's own error (XmlError, or
 * the credential sources' refusal); what is returned must be what the input says:
 *
 * - the XML tree written back out reads back as the same tree, within the limits;
 * - a list page's keys, sizes and times are its <Contents>' own (a time read as written, never
 *   a day that does not exist rolled over, nor a time without a zone read in local time), and
 *   it is truncated exactly when it names the next page;
 * - an error body's code and message are printable, short, and S3's own;
 * - credentials handed out can sign a request (non-blank, sendable as header values) and run out
 *   when the answer says they do; a refusal is one printable line.
 *
 * `answer`, `unusable` and the refusal classes serve the instance metadata target too.
 */
import { validateHeaderValue } from 'node:http';
import { isAirlockError } from '../../../src/core/errors.ts';
import { jsonCredentials, stsCredentials } from '../../../src/storage/s3-blob/credential-sources.ts';
import { RenewingCredentials, type ExpiringCredentials } from '../../../src/storage/s3-blob/credentials.ts';
import { parseListPage } from '../../../src/storage/s3-blob/list-page.ts';
import { parseErrorBody } from '../../../src/storage/s3-blob/s3-errors.ts';
import { DEFAULT_XML_LIMITS, parseXml, XmlError, type XmlElement } from '../../../src/storage/s3-blob/xml.ts';
import { nested } from '../../support/fuzz/mutate.ts';
import { asText, isGenericJsFailure, ownError, text, type FuzzTarget } from '../../support/fuzz/target.ts';
import { ECS_CREDENTIALS, ERROR_BODIES, IMDS_CREDENTIALS, IMDS_FAILURE, LIST_PAGES, POD_IDENTITY_CREDENTIALS, RESULTS, SEED_NOW, STS_ANSWER, STS_REFUSAL } from './s3-seeds.ts';

const escapeXml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** `element` written as XML: its text before its children (the tree keeps the two apart). */
function writeXml(element: XmlElement): string {
  const attributes = [...element.attributes].map(([k, v]) => ` ${k}="${escapeXml(v)}"`).join('');
  return `<${element.name}${attributes}>${escapeXml(element.text)}${element.children.map(writeXml).join('')}</${element.name}>`;
}

function sameTree(a: XmlElement, b: XmlElement, path: string): string | undefined {
  if (a.name !== b.name || a.text !== b.text) return `${path}: <${a.name}> ${JSON.stringify(a.text.slice(0, 40))} read back as <${b.name}> ${JSON.stringify(b.text.slice(0, 40))}`;
  if (JSON.stringify([...a.attributes]) !== JSON.stringify([...b.attributes])) return `${path}/${a.name}: attributes differ once written back`;
  if (a.children.length !== b.children.length) return `${path}/${a.name}: ${a.children.length} children read back as ${b.children.length}`;
  for (const [i, child] of a.children.entries()) {
    const problem = sameTree(child, b.children[i] as XmlElement, `${path}/${a.name}`);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function shape(e: XmlElement, depth = 1): { depth: number; elements: number } {
  let deepest = depth;
  let elements = 1;
  for (const child of e.children) {
    const s = shape(child, depth + 1);
    deepest = Math.max(deepest, s.depth);
    elements += s.elements;
  }
  return { depth: deepest, elements };
}

const LIMITS = { maxLength: 1 << 20, maxDepth: 16, maxElements: 2000 };
const xml: FuzzTarget = {
  seeds: () => [...LIST_PAGES, ...ERROR_BODIES, ...RESULTS, STS_ANSWER, STS_REFUSAL].map(text),
  text: true,
  extra: () => [
    text(nested('<a>', '</a>', 100_000)),
    text(`<r>${'<e/>'.repeat(100_000)}</r>`),
    text(`<r>${'&amp;'.repeat(200_000)}</r>`),
    text(`<r>${'&'.repeat(200_000)};</r>`),
    text(`<r a="${'&#x41;'.repeat(100_000)}"/>`),
    text(`<r>${'<!-- c -->'.repeat(50_000)}</r>`),
    text(`<r>${'<![CDATA[x]]>'.repeat(50_000)}</r>`),
    text(`<r ${Array.from({ length: 50_000 }, (_, i) => `a${i}="v"`).join(' ')}/>`),
    text(`<r>${'x'.repeat(1 << 20)}</r>`),
    text(`<?xml version="1.0"${' '.repeat(100_000)}<r/>`),
    text(`<r>${'<!--'.repeat(50_000)}</r>`),
    text(`<${'a'.repeat(200_000)}/>`),
  ],
  run: (input) => {
    const root = parseXml(asText(input), LIMITS);
    const { depth, elements } = shape(root);
    if (depth > LIMITS.maxDepth || elements > LIMITS.maxElements) return `a tree ${depth} deep of ${elements} elements read past the limits`;
    const again = parseXml(writeXml(root), DEFAULT_XML_LIMITS);
    return sameTree(root, again, '');
  },
  accepts: ownError(XmlError),
};

/** The time `text` is, read strictly as the ISO 8601 S3 and STS write (a zone required, every field in range); null when it is none. */
export function isoTime(text: string): number | null {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(?:Z|([+-])(\d\d):(\d\d))$/.exec(text);
  if (m === null) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const days = new Date(Date.UTC(2000, month, 0)).getUTCDate() - (month === 2 && !(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) ? 1 : 0);
  const [offsetHours, offsetMinutes] = [Number(m[9] ?? 0), Number(m[10] ?? 0)];
  if (month < 1 || month > 12 || day < 1 || day > days || hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return null;
  const at = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, Number((m[7] ?? '0').padEnd(3, '0').slice(0, 3))));
  at.setUTCFullYear(year);
  return at.getTime() - (m[8] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
}

const listPage: FuzzTarget = {
  seeds: () => LIST_PAGES.map(text),
  text: true,
  extra: () => [
    text(`<ListBucketResult><IsTruncated>false</IsTruncated>${'<Contents><Key>k</Key><Size>1</Size><LastModified>2025-01-01T00:00:00Z</LastModified></Contents>'.repeat(6000)}</ListBucketResult>`),
    text(`<ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>${'t'.repeat(8 << 20)}</NextContinuationToken></ListBucketResult>`),
    text('<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>k</Key><Size>1</Size><LastModified>2025-02-30T00:00:00Z</LastModified></Contents></ListBucketResult>'),
    text('<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>k</Key><Size>1</Size><LastModified>2025-01-01T00:00:00</LastModified></Contents></ListBucketResult>'),
  ],
  run: (input) => {
    const page = parseListPage(asText(input));
    const root = parseXml(asText(input), { maxLength: 8 << 20, maxDepth: 8, maxElements: 20_000 });
    const contents = root.children.filter((c) => c.name === 'Contents');
    if (page.objects.length !== contents.length) return `${page.objects.length} objects read from ${contents.length} <Contents>`;
    for (const [i, o] of page.objects.entries()) {
      const c = contents[i] as XmlElement;
      const field = (name: string): string => c.children.find((e) => e.name === name)?.text.trim() ?? '';
      if (!o.key.isWellFormed()) return `key ${i} is not well-formed text`;
      if (o.size !== Number(field('Size')) || !Number.isSafeInteger(o.size) || o.size < 0) return `key ${i} has size ${o.size} for <Size>${field('Size').slice(0, 40)}`;
      const at = isoTime(field('LastModified'));
      if (at !== o.lastModified.getTime()) return `<LastModified>${field('LastModified').slice(0, 40)}</LastModified> read as ${Number.isNaN(o.lastModified.getTime()) ? 'no time' : o.lastModified.toISOString()}`;
    }
    const truncated = root.children.find((c) => c.name === 'IsTruncated')?.text.trim();
    if ((truncated === 'true') !== (page.next !== null) || page.next === '') return `IsTruncated ${truncated} with the next token ${JSON.stringify(page.next?.slice(0, 40))}`;
    return undefined;
  },
  accepts: ownError(XmlError),
};

const errorBody: FuzzTarget = {
  seeds: () => ERROR_BODIES.map(text),
  text: true,
  extra: () => [text(`<Error><Code>SlowDown</Code><Message>${'\u0001\u2028x'.repeat(100_000)}</Message></Error>`), text(`<Error><Message>${'😀'.repeat(1000)}</Message></Error>`), text(nested('<Error>', '</Error>', 50_000))],
  run: (input) => {
    const { code, message } = parseErrorBody(Buffer.from(input));
    if (code !== null && !/^[A-Za-z0-9.]{1,64}$/.test(code)) return `code ${JSON.stringify(code.slice(0, 80))}`;
    if (message !== null && (message.length > 301 || message.trim() === '' || /[\u0000-\u001f\u007f-\u009f]/.test(message) || !message.isWellFormed())) return `message ${JSON.stringify(message.slice(0, 80))}`;
    return undefined;
  },
  accepts: () => false,
};

/** The classes the credential sources refuse an answer with (not exported): a refusal, and a failure in passing worth asking again. */
function thrownBy(f: () => unknown): new () => Error {
  try {
    f();
  } catch (err) {
    return (err as Error).constructor as new () => Error;
  }
  throw new Error('the probe was not refused');
}
export const REFUSED = thrownBy(() => jsonCredentials(404, '', 'the probe'));
export const PASSING = thrownBy(() => jsonCredentials(503, '', 'the probe'));

/** `<status>\n<body>`: a status first (three digits, as HTTP sends it: 100 to 999), or a 200. */
export function answer(s: string): { status: number; body: string } {
  const m = /^([1-9]\d\d)\n/.exec(s);
  return m === null ? { status: 200, body: s } : { status: Number(m[1]), body: s.slice(m[0].length) };
}

/** What is wrong with credentials a source handed out; `expiry` is the text they run out at. */
export function unusable(c: ExpiringCredentials, expiry: unknown): string | undefined {
  for (const [name, value] of [['accessKeyId', c.accessKeyId], ['secretAccessKey', c.secretAccessKey], ['sessionToken', c.sessionToken ?? 'absent']] as const) {
    if (value.trim() === '') return `${name} is blank`;
  }
  // The key id goes out in the Authorization header, the token as x-amz-security-token.
  for (const [name, value] of [['accessKeyId', c.accessKeyId], ['sessionToken', c.sessionToken]] as const) {
    if (value === undefined) continue;
    try {
      validateHeaderValue(name, value);
    } catch (err) {
      return `${name} ${JSON.stringify(value.slice(0, 40))} cannot be sent in a header (${(err as Error).message})`;
    }
  }
  if (c.expiresAt.getTime() !== (typeof expiry === 'string' ? isoTime(expiry) : null)) return `Expiration ${JSON.stringify(expiry)} read as ${c.expiresAt.toISOString()}`;
  return undefined;
}

/** Reads the answer as the source does, then hands it out as the store gets it (a renewing source, judged at the seeds' time). */
async function handOut(read: () => ExpiringCredentials): Promise<ExpiringCredentials> {
  const creds = read();
  const source = new RenewingCredentials({ description: 'the fuzzed answer', clock: () => SEED_NOW, fetch: () => Promise.resolve(creds) });
  try {
    await source.get();
  } catch (err) {
    if (isAirlockError(err, 'STORAGE_ERROR') && !isGenericJsFailure(err)) throw new REFUSED();
    throw err;
  }
  return creds;
}

/** A refusal of the source's own, one printable line (the endpoint's text is not ours to write into logs as it came). */
const refusal = (err: unknown): boolean => (err instanceof REFUSED || err instanceof PASSING) && !isGenericJsFailure(err) && !/[\u0000-\u001f\u007f-\u009f]/.test(err.message);

const sts: FuzzTarget = {
  seeds: () => [`200\n${STS_ANSWER}`, `400\n${STS_REFUSAL}`, `403\n${STS_REFUSAL.replace('InvalidIdentityToken', 'AccessDenied')}`, STS_ANSWER.replace(/\n\s*/g, '')].map(text),
  text: true,
  extra: () => [text(STS_ANSWER.replace(/<SecretAccessKey>[^<]*/, '<SecretAccessKey>   ')), text(STS_ANSWER.replace(/<AccessKeyId>[^<]*/, '<AccessKeyId>ASIA&#x20AC;X')), text(STS_ANSWER.replace(/<SessionToken>[^<]*/, '<SessionToken>a&#1;b'))],
  run: async (input) => {
    const { status, body } = answer(asText(input));
    const creds = await handOut(() => stsCredentials(status, body, 'https://sts.us-east-1.amazonaws.com'));
    const child = (e: XmlElement | undefined, name: string): XmlElement | undefined => e?.children.find((c) => c.name === name);
    return unusable(creds, child(child(child(parseXml(body), 'AssumeRoleWithWebIdentityResult'), 'Credentials'), 'Expiration')?.text);
  },
  accepts: refusal,
};

const jsonAnswers: FuzzTarget = {
  seeds: () => [IMDS_CREDENTIALS, ECS_CREDENTIALS, POD_IDENTITY_CREDENTIALS, IMDS_FAILURE, `500\n${IMDS_FAILURE}`, '404\n{"code":"NotFound","message":"no such path"}'].map(text),
  text: true,
  extra: () => [
    text(ECS_CREDENTIALS.replace('"RoleArn"', `"Code":${nested('[', ']', 5000)},"RoleArn"`)),
    text(ECS_CREDENTIALS.replace(/"Expiration":"[^"]*"/, `"Expiration":${nested('[', ']', 5000)}`)),
    text(ECS_CREDENTIALS.replace(/"SecretAccessKey":"[^"]*"/, '"SecretAccessKey":" \\t "')),
    text(ECS_CREDENTIALS.replace(/"Token":"[^"]*"/, '"Token":"a\\u0000b"')),
    text(ECS_CREDENTIALS.replace(/"AccessKeyId":"[^"]*"/, '"AccessKeyId":"ASIA\\u2603"')),
    text(ECS_CREDENTIALS.replace(/"Expiration":"[^"]*"/, '"Expiration":"2025-02-30T00:00:00Z"')),
  ],
  run: async (input) => {
    const { status, body } = answer(asText(input));
    const creds = await handOut(() => jsonCredentials(status, body, 'the container credentials endpoint'));
    return unusable(creds, (JSON.parse(body) as { Expiration?: unknown }).Expiration);
  },
  accepts: refusal,
};

export const targets: Record<string, FuzzTarget> = { 's3-xml': xml, 's3-list-page': listPage, 's3-error-body': errorBody, 's3-sts-answer': sts, 's3-credentials-json': jsonAnswers };
