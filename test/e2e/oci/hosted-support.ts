/**
 * A hosted oci repository for the end-to-end tests: Airlock with one (`hosted`), publisher and
 * reader tokens, and the real skopeo pushing to it and pulling from it.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAirlock, type StartedAirlock } from '../../support/start-airlock.ts';
import { skopeo, writeLayout, type LayoutEntry, type SkopeoResult } from '../../support/oci/index.ts';
import { createToken } from '../npm/support.ts';

export const HOSTED = 'hosted';

export interface HostedOci {
  readonly airlock: StartedAirlock;
  readonly host: string;
  readonly publisher: string;
  readonly reader: string;
  readonly tmp: string;
  /** `skopeo copy --all --preserve-digests` of a layout entry to `<airlock>/hosted/<ref>`, with `creds` (default the publisher's). */
  push(ref: string, entries: readonly LayoutEntry[], tag: string, creds?: string | null): Promise<SkopeoResult>;
  /** `skopeo copy --all` of `<airlock>/hosted/<ref>` into a fresh layout; the result, and the manifest digest the layout got. */
  pull(ref: string, creds?: string): Promise<SkopeoResult & { readonly digest: string | null }>;
  /** A request to Airlock's URL with a token (default the publisher's). */
  fetch(path: string, init?: RequestInit & { readonly token?: string | null }): Promise<Response>;
  close(): Promise<void>;
}

let dirs = 0;

export async function hostedOci(options: { readonly top?: Record<string, unknown>; readonly repo?: Record<string, unknown>; readonly dataDir?: string; readonly clock?: () => Date } = {}): Promise<HostedOci> {
  const airlock = await startAirlock({
    config: { ...options.top, repositories: [{ name: HOSTED, format: 'oci', kind: 'hosted', ...options.repo }] },
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  });
  const tmp = await mkdtemp(join(tmpdir(), 'airlock-e2e-oci-hosted-'));
  const host = new URL(airlock.url).host;
  const publisher = await createToken(airlock, 'publisher', 'ci');
  const reader = await createToken(airlock, 'reader', 'dev');
  return {
    airlock,
    host,
    publisher,
    reader,
    tmp,
    async push(ref, entries, tag, creds = `ci:${publisher}`) {
      const dir = join(tmp, `layout-${++dirs}`);
      await writeLayout(dir, entries);
      return skopeo(['copy', '--all', '--preserve-digests', '--dest-tls-verify=false', ...(creds === null ? [] : ['--dest-creds', creds]), `oci:${dir}:${tag}`, `docker://${host}/${HOSTED}/${ref}`]);
    },
    async pull(ref, creds) {
      const dir = join(tmp, `pulled-${++dirs}`);
      const r = await skopeo(['copy', '--all', '--src-tls-verify=false', ...(creds === undefined ? [] : ['--src-creds', creds]), `docker://${host}/${HOSTED}/${ref}`, `oci:${dir}:out`]);
      let digest: string | null = null;
      if (r.code === 0) digest = (JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as { manifests: { digest: string }[] }).manifests[0]?.digest ?? null;
      return { ...r, digest };
    },
    fetch(path, init = {}) {
      const token = init.token === undefined ? publisher : init.token;
      const headers = new Headers(init.headers);
      if (token !== null) headers.set('authorization', `Bearer ${token}`);
      return fetch(`${airlock.url}${path}`, { ...init, headers });
    },
    async close() {
      await airlock.close();
      await rm(tmp, { recursive: true, force: true });
    },
  };
}
