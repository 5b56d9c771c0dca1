/**
 * One ListObjectsV2 page, read strictly: a page that is not what S3 documents is an error, never
 * a listing quietly cut short (the sweep deletes what a listing shows and keeps what it does not
 * show, so a short listing only keeps too much, but a list() that ends early is a lie all the same).
 */
import { parseIsoTime } from './iso-time.ts';
import { childText, onlyChild, parseXml, XmlError } from './xml.ts';

export interface ListedObject {
  readonly key: string;
  readonly size: number;
  readonly lastModified: Date;
}

export interface ListPage {
  readonly objects: readonly ListedObject[];
  /** The token for the next page; null on the last. */
  readonly next: string | null;
}

/** Largest page body read, in bytes: 1000 keys of S3's longest (1 KiB) with their fields fit several times over. */
export const LIST_PAGE_CAP = 8 * 1024 * 1024;

function required(text: string | undefined, what: string): string {
  if (text === undefined) throw new XmlError(`the page has no ${what}`, null);
  return text;
}

export function parseListPage(xml: string): ListPage {
  const root = parseXml(xml, { maxLength: LIST_PAGE_CAP, maxDepth: 8, maxElements: 20_000 });
  if (root.name !== 'ListBucketResult') throw new XmlError(`the page is a <${root.name}>, not a <ListBucketResult>`, null);
  const truncated = required(childText(root, 'IsTruncated'), '<IsTruncated>').trim();
  if (truncated !== 'true' && truncated !== 'false') throw new XmlError(`<IsTruncated> is "${truncated}"`, null);
  // Keys come URL-encoded when S3 honours encoding-type=url (asked for, so that keys with
  // characters XML cannot carry still list); a store that ignores it sends them as they are.
  const urlEncoded = childText(root, 'EncodingType')?.trim() === 'url';
  const objects: ListedObject[] = [];
  let entries = 0;
  for (const child of root.children) {
    if (child.name === 'CommonPrefixes') entries++;
    if (child.name !== 'Contents') continue;
    entries++;
    const rawKey = required(childText(child, 'Key'), '<Key> in a <Contents>');
    const sizeText = required(childText(child, 'Size'), '<Size> in a <Contents>').trim();
    const modifiedText = required(childText(child, 'LastModified'), '<LastModified> in a <Contents>').trim();
    if (!/^\d{1,16}$/.test(sizeText) || !Number.isSafeInteger(Number(sizeText))) throw new XmlError(`<Size> "${sizeText.slice(0, 40)}" is not a byte count`, null);
    const lastModified = parseIsoTime(modifiedText);
    if (lastModified === null) throw new XmlError(`<LastModified> "${modifiedText.slice(0, 40)}" is not an ISO 8601 time with its zone`, null);
    let key = rawKey;
    if (urlEncoded) {
      try {
        key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
      } catch {
        throw new XmlError(`<Key> "${rawKey.slice(0, 80)}" is not URL-encoded`, null);
      }
    }
    objects.push({ key, size: Number(sizeText), lastModified });
  }
  const keyCount = childText(root, 'KeyCount')?.trim();
  if (keyCount !== undefined && keyCount !== String(entries)) throw new XmlError(`<KeyCount> says ${keyCount.slice(0, 20)} but the page has ${entries}`, null);
  let next: string | null = null;
  if (truncated === 'true') {
    next = onlyChild(root, 'NextContinuationToken')?.text ?? '';
    if (next === '') throw new XmlError('the page is truncated but has no <NextContinuationToken>', null);
  }
  return { objects, next };
}
