/**
 * The package names published to hosted repositories (npm publishes, pypi uploads), kept as
 * internal names: a package with such a name asked for through a proxy comes from the public
 * upstream, which is dependency confusion (the built-in policy blocks it), and names that imitate
 * one are look-alikes of it. Read at start, again after each publish of a name not seen before,
 * and every interval (what other gateways sharing the store published). A change rebuilds that
 * ecosystem's look-alike index and has every verdict judged again.
 */
import { PeriodicTask } from '../core/index.ts';
import type { HostedPackageStore } from '../storage/ports/index.ts';

/** The ecosystems with hosted repositories whose names are internal names. */
export const HOSTED_NAME_ECOSYSTEMS = ['npm', 'pypi'] as const;
export type HostedNameEcosystem = (typeof HOSTED_NAME_ECOSYSTEMS)[number];

export interface HostedNamesDeps {
  readonly store: Pick<HostedPackageStore, 'hostedNames'>;
  /** The names of an ecosystem changed. */
  readonly onChange: (ecosystem: HostedNameEcosystem) => void;
  readonly log: { warn(obj: object, msg: string): void };
}

export class HostedNames {
  readonly #deps: HostedNamesDeps;
  readonly #task: PeriodicTask<void>;
  readonly #names = new Map<HostedNameEcosystem, { readonly sorted: readonly string[]; readonly known: ReadonlySet<string> }>();

  constructor(deps: HostedNamesDeps, options: { readonly intervalMs: number }) {
    this.#deps = deps;
    this.#task = new PeriodicTask(() => this.#read(), options.intervalMs);
  }

  /** The names published so far in an ecosystem, sorted. */
  names(ecosystem: string): readonly string[] {
    return this.#names.get(ecosystem as HostedNameEcosystem)?.sorted ?? [];
  }

  /** The npm names published so far, sorted. */
  get npm(): readonly string[] {
    return this.names('npm');
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
  async note(ecosystem: HostedNameEcosystem, name: string): Promise<void> {
    const known = (): boolean => this.#names.get(ecosystem)?.known.has(name) === true;
    if (known()) return;
    await this.#task.run();
    if (!known()) await this.#task.run();
  }

  async close(): Promise<void> {
    await this.#task.stop();
  }

  async #read(): Promise<void> {
    for (const ecosystem of HOSTED_NAME_ECOSYSTEMS) {
      let names: readonly string[];
      try {
        names = await this.#deps.store.hostedNames(ecosystem);
      } catch (err) {
        this.#deps.log.warn({ err, ecosystem }, 'could not read the names published to hosted repositories; keeping the ones known');
        continue;
      }
      const had = this.names(ecosystem);
      if (names.length === had.length && names.every((n, i) => n === had[i])) continue;
      this.#names.set(ecosystem, { sorted: names, known: new Set(names) });
      this.#deps.onChange(ecosystem);
    }
  }
}
