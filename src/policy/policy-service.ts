/**
 * Holds the active policy bundle: loads and compiles it once at start-up, hot-reloads it when
 * its files change (the new bundle is compiled fully before it replaces the old one; a broken
 * reload keeps the old bundle and reports the error), and answers decisions. With a remote
 * source (a bundle server), start-up loads nothing: the source activates compiled bundles and
 * reports its failures here, and a reload asks it to fetch now.
 */
import type { Json } from '../storage/ports/index.ts';
import { bundleFromSources, loadBundle, type PolicyModuleSource, type SourceBundleLimits } from './bundle-loader.ts';
import { compileBundle, type CompiledBundle, type EvaluationLimits } from './compiled-bundle.ts';
import { decide, type FailClosedVerdict, type PolicyBatch, type PolicyOutcome } from './decide.ts';
import { builtinPolicyPath } from './builtin.ts';
import { watchPaths, type PathWatcher } from './watcher.ts';

export interface PolicyServiceOptions {
  /** Files or directories; empty: the built-in default policy. */
  readonly paths: readonly string[];
  readonly cwd: string;
  /** Data merged over the bundle's data files (configuration `policy.data`). */
  readonly data: { readonly [k: string]: Json };
  readonly onError: FailClosedVerdict;
  readonly limits: EvaluationLimits;
  /** Reload when policy files change. */
  readonly watch: boolean;
  readonly watchDebounceMs?: number;
  /** The policy comes from a remote source (`useRemote`), not from files. */
  readonly remote?: boolean;
}

/** What a remote source says of itself (GET /-/api/policy). */
export interface PolicyBundleStatus {
  readonly url: string;
  /** The active bundle's `.manifest` revision (empty when it names none), etag and archive sha256. */
  readonly revision: string | null;
  readonly etag: string | null;
  readonly digest: string | null;
  readonly metadata: { readonly [k: string]: Json } | null;
  /** How the active bundle was signed (null: unsigned). */
  readonly signedBy: { readonly kid: string | null; readonly alg: string } | null;
  /** Where the active bundle came from: the server, or the copy kept in the data directory. */
  readonly from: 'server' | 'persisted' | null;
  readonly lastSuccess: Date | null;
  readonly lastCheck: Date | null;
  readonly lastError: { readonly message: string; readonly at: Date } | null;
}

/** A source of bundles other than files: it fetches and activates (`PolicyService.activate`). */
export interface RemotePolicySource {
  /** Fetch now; activates a changed bundle. */
  refresh(): Promise<ReloadResult>;
  status(): PolicyBundleStatus;
}

export interface PolicyLogger {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface PolicyInfo {
  readonly hash: string;
  readonly loadedAt: Date;
  readonly builtin: boolean;
  /** `files`, `builtin`, or `bundle` (a bundle server). */
  readonly source: 'files' | 'builtin' | 'bundle';
  readonly roots: readonly string[];
  readonly modules: readonly string[];
  /** The last failed reload, if the newest attempt failed. */
  readonly lastError: { readonly message: string; readonly at: Date } | null;
  /** The bundle server's state, when the policy comes from one. */
  readonly bundle: PolicyBundleStatus | null;
}

export type ReloadResult =
  | {
      readonly ok: true;
      readonly hash: string;
      readonly changed: boolean;
      /** What the audit event of a changed policy says (trigger, revision …); default: files changed. */
      readonly details?: { readonly [k: string]: Json };
    }
  | { readonly ok: false; readonly error: string };

export class PolicyService {
  readonly #options: PolicyServiceOptions;
  readonly #log: PolicyLogger | null;
  #bundle: CompiledBundle | null = null;
  #loadedAt = new Date(0);
  #lastError: { message: string; at: Date } | null = null;
  #watcher: PathWatcher | null = null;
  #reloading: Promise<ReloadResult> | null = null;
  #again = false;
  #remote: RemotePolicySource | null = null;
  readonly #listeners = new Set<(hash: string) => void>();

  readonly #onReload: ((result: ReloadResult) => void) | null;

  constructor(deps: { readonly log?: PolicyLogger; readonly onReload?: (result: ReloadResult) => void }, options: PolicyServiceOptions) {
    this.#log = deps.log ?? null;
    this.#onReload = deps.onReload ?? null;
    this.#options = Object.freeze({ ...options, paths: [...options.paths] });
  }

  get builtin(): boolean {
    return this.#options.paths.length === 0 && this.#options.remote !== true;
  }

  /** The remote source this service's bundles come from (before `start`). */
  useRemote(source: RemotePolicySource): void {
    if (this.#options.remote !== true) throw new Error('policy service reads files; it takes no remote source');
    this.#remote = source;
  }

  /** Whether a bundle is active (a remote source may not have activated one yet). */
  get ready(): boolean {
    return this.#bundle !== null;
  }

  #paths(): readonly string[] {
    return this.builtin ? [builtinPolicyPath()] : this.#options.paths;
  }

  async #compile(): Promise<CompiledBundle> {
    const source = await loadBundle(this.#paths(), this.#options.cwd, { dataOverlay: this.#options.data });
    return compileBundle(source);
  }

  /** Loads and compiles the bundle; throws POLICY_ERROR when it does not compile. */
  async start(): Promise<void> {
    if (this.#options.remote === true) return;
    this.#bundle = await this.#compile();
    this.#loadedAt = new Date();
    if (this.#options.watch) {
      this.#watcher = watchPaths(this.#bundle.source.roots, this.#options.watchDebounceMs ?? 200, () => {
        void this.reload();
      });
    }
  }

  #active(): CompiledBundle {
    if (this.#bundle === null) throw new Error('policy service not started');
    return this.#bundle;
  }

  get hash(): string {
    return this.#active().hash;
  }

  /**
   * Evaluate the decision contract for one input (never throws; fails closed). With a batch,
   * what earlier inputs of the batch computed is reused where it applies.
   */
  decide(input: Json, batch?: PolicyBatch): PolicyOutcome {
    return decide(this.#active(), input, this.#options.limits, this.#options.onError, batch);
  }

  /** The active bundle (a reload replaces it; hold it for a run that must see one policy). */
  get active(): CompiledBundle {
    return this.#active();
  }

  /**
   * A candidate bundle from sources given in memory, with the configuration's data overlay, as
   * this server would run it; throws POLICY_ERROR when it is refused or does not compile.
   */
  candidate(modules: readonly PolicyModuleSource[], data: { readonly [k: string]: Json }, limits: SourceBundleLimits): CompiledBundle {
    return compileBundle(bundleFromSources(modules, data, limits, { dataOverlay: this.#options.data }));
  }

  /** The decision contract with `bundle`, under this service's limits and fail-closed verdict. */
  decideWith(bundle: CompiledBundle, input: Json): PolicyOutcome {
    return decide(bundle, input, this.#options.limits, this.#options.onError);
  }

  /** A batch for the decisions of a run of similar inputs (reset by a policy reload). */
  batch(): PolicyBatch {
    return this.#active().batch();
  }

  get onError(): FailClosedVerdict {
    return this.#options.onError;
  }

  /** Called with the new hash after a successful reload that changed the bundle. */
  onChange(listener: (hash: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Reload now. Concurrent calls share one reload (and trigger one more if files moved on). */
  reload(): Promise<ReloadResult> {
    if (this.#remote !== null) return this.#remote.refresh();
    if (this.#reloading !== null) {
      this.#again = true;
      return this.#reloading;
    }
    this.#reloading = this.#reloadOnce().then((result) => {
      this.#onReload?.(result);
      return result;
    }).finally(() => {
      this.#reloading = null;
      if (this.#again) {
        this.#again = false;
        void this.reload();
      }
    });
    return this.#reloading;
  }

  async #reloadOnce(): Promise<ReloadResult> {
    let next: CompiledBundle;
    try {
      next = await this.#compile();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.#lastError = { message, at: new Date() };
      this.#log?.error({ err: message, hash: this.#bundle?.hash }, 'policy reload failed; keeping the active policy');
      return { ok: false, error: message };
    }
    this.#lastError = null;
    const changed = next.hash !== this.#bundle?.hash;
    if (!changed) return { ok: true, hash: next.hash, changed: false };
    const previous = this.#bundle?.hash ?? null;
    this.#bundle = next;
    this.#loadedAt = new Date();
    this.#log?.info({ hash: next.hash, previous, modules: next.source.modules.length }, 'policy reloaded');
    for (const l of this.#listeners) l(next.hash);
    return { ok: true, hash: next.hash, changed: true };
  }

  /**
   * Makes `next` (compiled by a remote source) the active bundle, as a reload does: listeners hear
   * of a change and the reload callback sees it, with `details` for its audit event.
   */
  activate(next: CompiledBundle, details: { readonly [k: string]: Json }): ReloadResult {
    this.#lastError = null;
    const changed = next.hash !== this.#bundle?.hash;
    const result: ReloadResult = { ok: true, hash: next.hash, changed, details };
    if (changed) {
      const previous = this.#bundle?.hash ?? null;
      this.#bundle = next;
      this.#loadedAt = new Date();
      this.#log?.info({ hash: next.hash, previous, modules: next.source.modules.length, ...details }, 'policy reloaded');
      for (const l of this.#listeners) l(next.hash);
    }
    this.#onReload?.(result);
    return result;
  }

  /** A remote source's bundle that failed (download, verification, compilation): the active policy stays. */
  failed(message: string): ReloadResult {
    this.#lastError = { message, at: new Date() };
    const result: ReloadResult = { ok: false, error: message };
    this.#onReload?.(result);
    return result;
  }

  info(): PolicyInfo {
    const b = this.#active();
    return {
      hash: b.hash,
      loadedAt: this.#loadedAt,
      builtin: this.builtin,
      source: this.#options.remote === true ? 'bundle' : this.builtin ? 'builtin' : 'files',
      roots: b.source.roots,
      modules: b.source.modules.map((m) => m.path),
      lastError: this.#lastError,
      bundle: this.#remote?.status() ?? null,
    };
  }

  async close(): Promise<void> {
    this.#watcher?.close();
    this.#watcher = null;
    await this.#reloading;
  }
}
