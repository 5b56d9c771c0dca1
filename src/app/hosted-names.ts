/**
 * The package names published to hosted repositories, kept as internal names: a package with
 * such a name asked for through a proxy comes from the public upstream, which is dependency
 * confusion (the built-in policy blocks it), and names that imitate one are look-alikes of it.
 * Read at start, again after each publish of a name not seen before, and every interval (what
 * other gateways sharing the store published). A change rebuilds the look-alike index and has
 * every verdict judged again.
 */
import { PeriodicTask } from '../core/index.ts';
import type { HostedPackageStore } from '../storage/ports/index.ts';

export interface HostedNamesDeps {
  readonly store: Pick<HostedPackageStore, 'hostedNames'>;
  /** The names changed (npm's, the only hosted format so far). */
  readonly onChange: () => void;
  readonly log: { warn(obj: object, msg: string): void };
}

export class HostedNames {
  readonly #deps: HostedNamesDeps;
  readonly #task: PeriodicTask<void>;
  #npm: readonly string[] = [];
  #known: ReadonlySet<string> = new Set();

  constructor(deps: HostedNamesDeps, options: { readonly intervalMs: number }) {
    this.#deps = deps;
    this.#task = new PeriodicTask(() => this.#read(), options.intervalMs);
  }

  /** The npm names published so far, sorted. */
  get npm(): readonly string[] {
    return this.#npm;
  }

  /** Reads the names, then keeps reading them every interval. */
  async start(): Promise<void> {
    await this.#task.run();
    this.#task.start();
  }

  /**
   * A package was published: a name not seen before is read with the others now (a read under
   * way may have started before the publish, so one more follows it if need be).
   */
  async note(name: string): Promise<void> {
    if (this.#known.has(name)) return;
    await this.#task.run();
    if (!this.#known.has(name)) await this.#task.run();
  }

  async close(): Promise<void> {
    await this.#task.stop();
  }

  async #read(): Promise<void> {
    let names: readonly string[];
    try {
      names = await this.#deps.store.hostedNames('npm');
    } catch (err) {
      this.#deps.log.warn({ err }, 'could not read the names published to hosted repositories; keeping the ones known');
      return;
    }
    if (names.length === this.#npm.length && names.every((n, i) => n === this.#npm[i])) return;
    this.#npm = names;
    this.#known = new Set(names);
    this.#deps.onChange();
  }
}
