/**
 * Holds the active policy bundle: loads and compiles it once at start-up, hot-reloads it when
 * its files change (the new bundle is compiled fully before it replaces the old one; a broken
 * reload keeps the old bundle and reports the error), and answers decisions.
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
}

export interface PolicyLogger {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface PolicyInfo {
  readonly hash: string;
  readonly loadedAt: Date;
  readonly builtin: boolean;
  readonly roots: readonly string[];
  readonly modules: readonly string[];
  /** The last failed reload, if the newest attempt failed. */
  readonly lastError: { readonly message: string; readonly at: Date } | null;
}

export type ReloadResult =
  | { readonly ok: true; readonly hash: string; readonly changed: boolean }
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
  readonly #listeners = new Set<(hash: string) => void>();

  readonly #onReload: ((result: ReloadResult) => void) | null;

  constructor(deps: { readonly log?: PolicyLogger; readonly onReload?: (result: ReloadResult) => void }, options: PolicyServiceOptions) {
    this.#log = deps.log ?? null;
    this.#onReload = deps.onReload ?? null;
    this.#options = Object.freeze({ ...options, paths: [...options.paths] });
  }

  get builtin(): boolean {
    return this.#options.paths.length === 0;
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

  info(): PolicyInfo {
    const b = this.#active();
    return {
      hash: b.hash,
      loadedAt: this.#loadedAt,
      builtin: this.builtin,
      roots: b.source.roots,
      modules: b.source.modules.map((m) => m.path),
      lastError: this.#lastError,
    };
  }

  async close(): Promise<void> {
    this.#watcher?.close();
    this.#watcher = null;
    await this.#reloading;
  }
}
