/**
 * The gate's generation: a short token that changes whenever a served view could change —
 * policy reload, release, rejection, exception change, feed import, a release expiring, and a
 * periodic re-evaluation for time-dependent rules (cooldowns). Adapters fold it into ETags and
 * the keys of cached filtered metadata. A random boot id keeps values from one process run
 * from ever matching another's (a client's ETag from before a restart never revalidates).
 */
import { randomBytes } from 'node:crypto';

export class Generation {
  readonly #boot = randomBytes(4).toString('hex');
  #counter = 0;
  #policy: string;
  #value: string;

  constructor(policyHash: string) {
    this.#policy = policyHash.slice(0, 12);
    this.#value = this.#render();
  }

  #render(): string {
    return `${this.#policy}-${this.#boot}-${this.#counter.toString(36)}`;
  }

  get value(): string {
    return this.#value;
  }

  setPolicy(hash: string): void {
    this.#policy = hash.slice(0, 12);
    this.bump();
  }

  bump(): void {
    this.#counter++;
    this.#value = this.#render();
  }
}
