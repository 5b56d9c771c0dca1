/**
 * The real `@huggingface/hub` (the JS client, a devDependency) for tests: each call runs
 * hf-client.mjs in a Node process of its own, with `hubUrl` pointed at the given URL (Airlock, or
 * a FixtureHub), a given cache folder and optional token, and an environment without the
 * caller's `HF_*` variables. Never throws for a failed call: the library's error message (for a
 * `HubApiError`, the server's JSON `error` plus `. URL: …`) comes back as `error`.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** A repository as the library takes it: `'acme/tiny'`, `'datasets/acme/corpus'` or `{type, name}`. */
export type HfRepoDesignation = string | { readonly type: 'model' | 'dataset' | 'space'; readonly name: string };

interface OnRepo {
  readonly repo: HfRepoDesignation;
  /** Default `main` (`HEAD` for `info`). */
  readonly revision?: string;
}

export type HfClientOp =
  /** `snapshotDownload` → the snapshot folder. */
  | (OnRepo & { readonly op: 'snapshot' })
  /** `downloadFileToCacheDir` → the pointer path (`…/snapshots/<commit>/<path>`). */
  | (OnRepo & { readonly op: 'download'; readonly path: string })
  /** `downloadFile`, read to the end → size and sha256 (and base64 when asked), or null for a missing file. */
  | (OnRepo & { readonly op: 'fetch'; readonly path: string; readonly base64?: boolean })
  /** `fileDownloadInfo` → size, etag, url (and Xet info), or null for a missing file. */
  | (OnRepo & { readonly op: 'fileInfo'; readonly path: string })
  /** `modelInfo` / `datasetInfo` with `additionalFields` (default `['sha']`). */
  | (OnRepo & { readonly op: 'info'; readonly additionalFields?: readonly string[] })
  /** `listFiles`, every page. */
  | (OnRepo & { readonly op: 'list'; readonly recursive?: boolean; readonly path?: string; readonly expand?: boolean })
  | (OnRepo & { readonly op: 'pathsInfo'; readonly paths: readonly string[]; readonly expand?: boolean });

export interface HfListEntry {
  readonly type: 'file' | 'directory' | 'unknown';
  readonly path: string;
  readonly size: number;
  readonly oid?: string;
  readonly lfs?: { readonly oid: string; readonly size: number; readonly pointerSize: number };
  readonly xetHash?: string;
  readonly lastCommit?: { readonly id: string; readonly title: string; readonly date: string };
  readonly securityFileStatus?: unknown;
}

export interface HfClientValues {
  readonly snapshot: string;
  readonly download: string;
  readonly fetch: { readonly size: number; readonly sha256: string; readonly base64?: string } | null;
  readonly fileInfo: { readonly size: number; readonly etag: string; readonly url: string; readonly xet?: { readonly hash: string; readonly refreshUrl: string; readonly reconstructionUrl: string } } | null;
  /** What the library returns: `id` (the Hub's `_id`), `name`, `private`, `gated`, `downloads`, `likes`, `updatedAt`, `task`, and the additional fields. */
  readonly info: Readonly<Record<string, unknown>> & { readonly id: string; readonly name: string; readonly sha?: string };
  readonly list: readonly HfListEntry[];
  readonly pathsInfo: readonly HfListEntry[];
}

export interface HfClientOptions {
  /** Where the library sends everything (`hubUrl`), e.g. Airlock's Hugging Face repository URL. */
  readonly hubUrl: string;
  /** The library's cache folder; required for `snapshot` and `download`. */
  readonly cacheDir?: string;
  /** Sent as `Authorization: Bearer …` (the library insists on the `hf_` prefix). */
  readonly accessToken?: string;
  /** Default 60 000. */
  readonly timeoutMs?: number;
  /** Extra environment for its process (NODE_EXTRA_CA_CERTS: the authorities of a Hub reached over HTTPS). */
  readonly env?: Readonly<Record<string, string>>;
}

export type HfClientResult<T> =
  | { readonly ok: true; readonly value: T; readonly stderr: string }
  | { readonly ok: false; readonly error: string; readonly status?: number; readonly name?: string; readonly cause?: string; readonly timedOut?: boolean; readonly stderr: string };

const SCRIPT = join(import.meta.dirname, 'hf-client.mjs');
/** Output kept from the child (a result line is small; a base64 file is capped in the script). */
const OUTPUT_CAP = 64 * 1024 * 1024;

function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || /^(HF_|HUGGINGFACE_)/.test(k) || k === 'NODE_OPTIONS' || k === 'NODE_TEST_CONTEXT' || k === 'NODE_USE_ENV_PROXY') continue;
    env[k] = v;
  }
  env['HF_HUB_DISABLE_TELEMETRY'] = '1';
  return env;
}

/** Runs one library call in a child process; resolves with its result, never rejects for a failed call. */
export function hfClient<O extends HfClientOp>(op: O, options: HfClientOptions): Promise<HfClientResult<HfClientValues[O['op']]>> {
  if ((op.op === 'snapshot' || op.op === 'download') && options.cacheDir === undefined) throw new Error(`hfClient: ${op.op} needs a cacheDir`);
  const request = { ...op, hubUrl: options.hubUrl, cacheDir: options.cacheDir, accessToken: options.accessToken };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SCRIPT], { env: { ...childEnv(), ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let outBytes = 0;
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 60_000);
    child.stdout.on('data', (c: Buffer) => {
      outBytes += c.length;
      if (outBytes <= OUTPUT_CAP) out.push(c);
    });
    child.stderr.on('data', (c: Buffer) => {
      if (stderr.length < 1_000_000) stderr += c.toString('utf8');
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) return resolve({ ok: false, error: `timed out after ${String(options.timeoutMs ?? 60_000)} ms`, timedOut: true, stderr });
      const text = Buffer.concat(out).toString('utf8').trim();
      try {
        const parsed = JSON.parse(text) as { ok: boolean; value?: unknown; error?: string; status?: number; name?: string; cause?: string };
        if (parsed.ok) return resolve({ ok: true, value: parsed.value as HfClientValues[O['op']], stderr });
        return resolve({
          ok: false,
          error: parsed.error ?? 'unknown error',
          ...(parsed.status === undefined ? {} : { status: parsed.status }),
          ...(parsed.name === undefined ? {} : { name: parsed.name }),
          ...(parsed.cause === undefined ? {} : { cause: parsed.cause }),
          stderr,
        });
      } catch {
        resolve({ ok: false, error: `the client exited (${String(code ?? signal)}) without a result: ${text.slice(0, 500)}`, stderr });
      }
    });
    child.stdin.end(JSON.stringify(request));
  });
}
