/** What the fixture registry's front was asked, in short: for the report's "asked the registry" lines. */
import type { RequestRecord } from '../../test/support/oci/index.ts';
import type { PushedImage } from './images.ts';

const short = (digest: string): string => digest.slice('sha256:'.length, 'sha256:'.length + 8);

/** A request as a short label, in terms of `image`: `GET blobs/layer (200)`, `GET manifests/sha256-<hex>.sig (404)`. */
function label(r: RequestRecord, image: PushedImage): string {
  const path = r.path.split('?')[0] ?? '';
  const m = /^\/v2\/.+?\/(manifests|blobs|tags|referrers)\/(.*)$/.exec(path);
  if (m === null) return `${r.method} ${path} (${r.status})`;
  const kind = m[1] as string;
  const ref = m[2] as string;
  let what = ref;
  if (kind === 'blobs') what = ref === image.configDigest ? 'config' : image.layerDigests.includes(ref) ? 'layer' : short(ref);
  else if (kind === 'manifests') what = ref === image.manifestDigest ? '<digest>' : /^sha256-[0-9a-f]{64}\.sig$/.test(ref) ? 'sha256-<hex>.sig' : /^sha256-[0-9a-f]{64}$/.test(ref) ? 'sha256-<hex>' : ref;
  else if (kind === 'referrers') what = ref === image.manifestDigest ? '<digest>' : short(ref);
  return `${r.method} ${kind}/${what} (${r.status})`;
}

/** The requests, labelled and counted, in the order each label first came. */
export function requestSummary(requests: readonly RequestRecord[], image: PushedImage): string {
  const counts = new Map<string, number>();
  for (const r of requests) {
    const l = label(r, image);
    counts.set(l, (counts.get(l) ?? 0) + 1);
  }
  return [...counts].map(([l, n]) => (n === 1 ? l : `${l} ×${n}`)).join(', ') || 'none';
}
