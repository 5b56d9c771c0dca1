/**
 * The policy fetched from a bundle server, as OPA's bundle plugin does: a GET of the bundle's URL
 * with `If-None-Match` of the active bundle's ETag (304: unchanged), repeated after a random delay
 * between the configured minimum and maximum. A new bundle is read, verified and compiled fully
 * before it replaces the active one; one that fails to download, verify or compile leaves the
 * active policy in place, is logged, counted and shown (GET /-/api/policy). The last activated
 * bundle is kept in the data directory for a restart with the server down.
 *
 * Start-up does not return before a policy is active: the server's bundle, else the kept one,
 * else the server's after retries until `startupTimeout`; past that it throws, and Airlock does
 * not start — nothing is ever served unjudged.
 */
import { createHash } from 'node:crypto';
import { AirlockError } from '../../core/index.ts';
import {
  compileBundle,
  DEFAULT_POLICY_BUNDLE_LIMITS,
  readPolicyBundle,
  type BundleSigning,
  type PolicyBundleLimits,
  type PolicyBundleStatus,
  type PolicyService,
  type ReloadResult,
  type RemotePolicySource,
} from '../../policy/index.ts';
import type { Json } from '../../storage/ports/index.ts';
import type { PolicyBundleConfig } from '../config/types.ts';
import type { PersistedBundle, PolicyBundleStore } from './store.ts';
import type { BundleFetcher } from './fetcher.ts';
import { bundleSignatureVerifier } from './verifier.ts';

export interface BundleSyncLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export type BundleOutcome = 'activated' | 'unchanged' | 'not_modified' | 'error';

export interface BundleSyncDeps {
  readonly policy: PolicyService;
  readonly fetcher: BundleFetcher;
  /** null: nothing is kept (`persist: false`). */
  readonly store: PolicyBundleStore | null;
  readonly log: BundleSyncLogger;
  readonly observe?: (outcome: BundleOutcome) => void;
  readonly clock?: () => Date;
  /** In [0, 1): picks each poll's delay between the minimum and the maximum. */
  readonly random?: () => number;
}

export interface BundleSyncOptions {
  readonly config: PolicyBundleConfig;
  /** Configuration `policy.data`, merged over the bundle's data. */
  readonly dataOverlay: { readonly [k: string]: Json };
}

type Source = 'server' | 'persisted';

interface Active {
  readonly etag: string | null;
  readonly revision: string;
  readonly digest: string;
  readonly metadata: { readonly [k: string]: Json } | null;
  readonly signedBy: { readonly kid: string | null; readonly alg: string } | null;
  readonly from: Source;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class PolicyBundleSync implements RemotePolicySource {
  readonly #deps: BundleSyncDeps;
  readonly #config: PolicyBundleConfig;
  readonly #overlay: { readonly [k: string]: Json };
  readonly #limits: PolicyBundleLimits;
  readonly #signing: BundleSigning | null;
  readonly #clock: () => Date;
  #active: Active | null = null;
  #lastSuccess: Date | null = null;
  #lastCheck: Date | null = null;
  #lastError: { message: string; at: Date } | null = null;
  #running: Promise<ReloadResult> | null = null;
  #timer: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(deps: BundleSyncDeps, options: BundleSyncOptions) {
    this.#deps = deps;
    this.#config = options.config;
    this.#overlay = options.dataOverlay;
    this.#clock = deps.clock ?? (() => new Date());
    this.#limits = Object.freeze({
      ...DEFAULT_POLICY_BUNDLE_LIMITS,
      maxCompressedBytes: options.config.maxSizeBytes,
      maxUnpackedBytes: options.config.maxUnpackedSizeBytes,
      maxFiles: options.config.maxFiles,
    });
    const s = options.config.signing;
    this.#signing = s === null ? null : { verifier: bundleSignatureVerifier(s), scope: s.scope };
  }

  /** Activates a first bundle (see the file comment) and starts polling; throws POLICY_ERROR when none can be. */
  async start(): Promise<void> {
    const url = this.#config.url;
    const kept = await this.#loadKept();
    // Ask with the kept bundle's ETag: a 304 says it is still the server's.
    const first = await this.#poll(kept);
    if (!this.#deps.policy.ready && kept !== null) {
      const result = await this.#install(kept.bytes, kept.etag, 'persisted');
      if (result.ok) this.#deps.log.warn({ url, revision: kept.revision, savedAt: kept.savedAt, err: first.ok ? undefined : first.error }, 'policy bundle server unavailable or its bundle refused; starting on the bundle kept from an earlier run');
    }
    const deadline = Date.now() + this.#config.startupTimeoutMs;
    for (let attempt = 0; !this.#deps.policy.ready && Date.now() < deadline; attempt++) {
      const wait = Math.min(this.#config.minDelayMs, 500 * 2 ** Math.min(attempt, 10), deadline - Date.now());
      this.#deps.log.warn({ url, err: this.#lastError?.message, retryInMs: wait }, 'no policy is active yet; retrying the policy bundle server');
      await new Promise((r) => setTimeout(r, wait));
      await this.refresh();
    }
    if (!this.#deps.policy.ready) {
      throw new AirlockError(
        'POLICY_ERROR',
        `no policy could be activated: the policy bundle from ${url} ${this.#lastError === null ? 'was not fetched' : `failed (${this.#lastError.message})`}, and ${kept === null ? 'no bundle from an earlier run is kept in the data directory' : 'the bundle kept from an earlier run was refused too'}. Airlock does not serve packages without a policy; start it when the bundle server answers, or raise policy.bundle.startupTimeout`,
      );
    }
    this.#schedule();
  }

  /** One poll now (or the one under way). */
  refresh(): Promise<ReloadResult> {
    this.#running ??= this.#poll(null).finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  status(): PolicyBundleStatus {
    const a = this.#active;
    return {
      url: this.#config.url,
      revision: a?.revision ?? null,
      etag: a?.etag ?? null,
      digest: a?.digest ?? null,
      metadata: a?.metadata ?? null,
      signedBy: a?.signedBy ?? null,
      from: a?.from ?? null,
      lastSuccess: this.#lastSuccess,
      lastCheck: this.#lastCheck,
      lastError: this.#lastError,
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#running?.catch(() => undefined);
    await this.#deps.fetcher.close();
  }

  #schedule(): void {
    if (this.#closed) return;
    const { minDelayMs, maxDelayMs } = this.#config;
    const delay = minDelayMs + Math.floor((this.#deps.random ?? Math.random)() * (maxDelayMs - minDelayMs + 1));
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.refresh().finally(() => this.#schedule());
    }, delay);
    this.#timer.unref();
  }

  async #loadKept(): Promise<PersistedBundle | null> {
    if (this.#deps.store === null) return null;
    try {
      const kept = await this.#deps.store.load();
      if (kept !== null && kept.url !== this.#config.url) {
        this.#deps.log.info({ kept: kept.url, url: this.#config.url }, 'the kept policy bundle came from another URL; not using it');
        return null;
      }
      return kept;
    } catch (err) {
      this.#deps.log.warn({ err: messageOf(err), dir: this.#deps.store.dir }, 'could not read the kept policy bundle');
      return null;
    }
  }

  /** GET the bundle (conditional on the active one's ETag, or `kept`'s at start-up) and install what came. */
  async #poll(kept: PersistedBundle | null): Promise<ReloadResult> {
    this.#lastCheck = this.#clock();
    const etag = this.#active?.etag ?? kept?.etag ?? null;
    let got: Awaited<ReturnType<BundleFetcher['fetch']>>;
    try {
      got = await this.#deps.fetcher.fetch(etag);
    } catch (err) {
      return this.#fail(`could not fetch the policy bundle from ${this.#config.url}: ${messageOf(err)}`);
    }
    if (got.kind === 'not-modified') {
      if (this.#active === null) {
        // At start-up, the kept bundle is the server's current one.
        if (kept === null) return this.#fail(`the bundle server answered 304 Not Modified to a request for ${this.#config.url} without a bundle to keep`);
        return this.#install(kept.bytes, kept.etag, 'server');
      }
      this.#lastSuccess = this.#clock();
      this.#lastError = null;
      if (this.#active.from === 'persisted') this.#active = { ...this.#active, from: 'server' };
      this.#deps.observe?.('not_modified');
      return { ok: true, hash: this.#deps.policy.hash, changed: false };
    }
    // A server without ETags sends the same bytes each time: nothing to read or compile again.
    if (this.#active !== null && createHash('sha256').update(got.body).digest('hex') === this.#active.digest) {
      this.#active = { ...this.#active, etag: got.etag, from: 'server' };
      this.#lastSuccess = this.#clock();
      this.#lastError = null;
      this.#deps.observe?.('unchanged');
      return { ok: true, hash: this.#deps.policy.hash, changed: false };
    }
    return this.#install(got.body, got.etag, 'server');
  }

  async #install(bytes: Buffer, etag: string | null, from: Source): Promise<ReloadResult> {
    let read: Awaited<ReturnType<typeof readPolicyBundle>>;
    let compiled: ReturnType<typeof compileBundle>;
    try {
      read = await readPolicyBundle(bytes, { limits: this.#limits, signing: this.#signing, dataOverlay: this.#overlay });
      compiled = compileBundle(read.source);
    } catch (err) {
      const what = from === 'persisted' ? 'the policy bundle kept in the data directory' : `the policy bundle from ${this.#config.url}`;
      return this.#fail(`${what} was refused: ${messageOf(err)}`);
    }
    const revision = read.manifest.revision;
    const result = this.#deps.policy.activate(compiled, { trigger: 'bundle', revision, etag, digest: read.digest, url: this.#config.url, from });
    const digestChanged = this.#active?.digest !== read.digest;
    this.#active = {
      etag,
      revision,
      digest: read.digest,
      metadata: read.manifest.metadata,
      signedBy: read.signature === null ? null : { kid: read.signature.kid, alg: read.signature.alg },
      from,
    };
    // A kept bundle activated because the server failed: that failure stays shown.
    if (from === 'server') {
      this.#lastSuccess = this.#clock();
      this.#lastError = null;
    }
    this.#deps.observe?.(result.ok && result.changed ? 'activated' : 'unchanged');
    if (digestChanged && from === 'server' && this.#deps.store !== null) {
      await this.#deps.store.save(bytes, { url: this.#config.url, etag, revision, at: this.#clock() }).catch((err: unknown) => {
        this.#deps.log.warn({ err: messageOf(err), dir: this.#deps.store?.dir }, 'could not keep the policy bundle in the data directory');
      });
    }
    return result;
  }

  #fail(message: string): ReloadResult {
    const repeated = this.#lastError?.message === message;
    this.#lastError = { message, at: this.#clock() };
    this.#deps.observe?.('error');
    const active = this.#deps.policy.ready ? { hash: this.#deps.policy.hash, revision: this.#active?.revision } : { active: null };
    // The same failure poll after poll is logged once, until something changes.
    if (!repeated) this.#deps.log.error({ err: message, url: this.#config.url, ...active }, this.#deps.policy.ready ? 'policy bundle update failed; keeping the active policy' : 'policy bundle could not be activated');
    return this.#deps.policy.failed(message);
  }
}
