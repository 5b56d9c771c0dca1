/**
 * A blob pushed in chunks with the distribution API itself, for `bench:oci:push`: skopeo 1.9.3
 * (containers/image) and docker send each blob as one streamed PATCH and have no setting for a
 * chunk size, so the chunked upload path is driven by hand, as a client that chunks (a resumable
 * uploader, a proxy with a body limit) would: POST `…/blobs/uploads/`, a PATCH per chunk with
 * `Content-Range: <start>-<end>`, each to the `Location` the last answer gave, then an empty PUT
 * `?digest=`.
 */

/** Throws with the answer's body unless it has status `want`; else the response, its body read. */
async function expectStatus(res: Response, want: number, what: string): Promise<Response> {
  const body = await res.text();
  if (res.status !== want) throw new Error(`${what}: ${res.status} ${body.slice(0, 300)}`);
  return res;
}

function locationOf(res: Response, base: string, what: string): URL {
  const location = res.headers.get('location');
  if (location === null) throw new Error(`${what}: no Location header`);
  return new URL(location, base);
}

/**
 * Uploads `bytes` (whose digest is `digest`) to `<v2>/<name>` in `chunks` PATCHes of equal size
 * (the last one shorter), with `headers` on every request (credentials); resolves once the PUT
 * was answered 201.
 */
export async function uploadInChunks(v2: string, name: string, bytes: Buffer, digest: string, chunks: number, headers: Readonly<Record<string, string>> = {}): Promise<void> {
  const what = `uploading ${digest.slice(0, 19)} to ${v2}/${name}`;
  const started = await expectStatus(await fetch(`${v2}/${name}/blobs/uploads/`, { method: 'POST', headers }), 202, `${what}: POST`);
  let location = locationOf(started, v2, what);
  const size = Math.ceil(bytes.length / chunks);
  for (let start = 0; start < bytes.length; start += size) {
    const chunk = bytes.subarray(start, Math.min(bytes.length, start + size));
    const res = await fetch(location, {
      method: 'PATCH',
      headers: { ...headers, 'content-type': 'application/octet-stream', 'content-range': `${start}-${start + chunk.length - 1}` },
      body: chunk,
    });
    location = locationOf(await expectStatus(res, 202, `${what}: PATCH at ${start}`), v2, what);
  }
  location.searchParams.set('digest', digest);
  await expectStatus(await fetch(location, { method: 'PUT', headers: { ...headers, 'content-type': 'application/octet-stream' }, body: Buffer.alloc(0) }), 201, `${what}: PUT`);
}
