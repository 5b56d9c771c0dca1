/**
 * Which member of a group repository serves each package name: the first, in the configured
 * order, that has it (a group never merges members). Remembered while every member before it
 * would still give the same answer (their max age), so a name published to a hosted member listed
 * first is served from it within that member's max age, and at once after a write through this
 * gateway.
 */
import { AirlockError, Lru } from '../../core/index.ts';
import type { Gate } from '../../gate/index.ts';
import { SingleFlight } from './single-flight.ts';

/** What the owners need of a member, whatever its format. */
export interface GroupMember {
  /** How long this member's answers about a package hold before it asks its origin again. */
  readonly maxAgeMs: number;
  /**
   * Whether the member's origin has the package. False only when the origin answered that it has
   * none; any other failure throws, so a group never passes a name on to the next member because
   * the first could not be reached.
   */
  has(name: string): Promise<boolean>;
  /** Tells `listener` of each package name written to the member. */
  onWrite(listener: (name: string) => void): void;
}

/** What a group repository's plugin is given, whatever its format. */
export interface GroupOptions<M> {
  readonly repo: string;
  /** In lookup order. */
  readonly members: readonly M[];
  /** The hosted member that takes writes sent to the group; null: the group refuses them. */
  readonly publishTo: M | null;
  readonly gate: Pick<Gate, 'reportMissing'>;
  /** The URL clients use to reach Airlock; null: derived from each request's Host. */
  readonly publicUrl: string | null;
  readonly clock?: () => Date;
}

/** Names whose member is remembered at once; past this the least recently asked are asked again. */
const MAX_REMEMBERED = 50_000;
const NOBODY = -1;

/**
 * Which member serves each name: remembered while every member before it would still give the
 * same answer (their max age), so a name published to a hosted member listed first is served
 * from it within that member's max age, and at once after a publish through this gateway.
 */
export class GroupOwners<M extends GroupMember> {
  readonly #members: readonly M[];
  readonly #clock: () => Date;
  readonly #owners = new Lru<string, { readonly index: number; readonly until: number }>(MAX_REMEMBERED);
  readonly #lookups = new SingleFlight<string, number>();
  /** How long an answer of member i (or of none: members.length) holds: the least max age of the members asked before it. */
  readonly #holds: readonly number[];

  constructor(members: readonly M[], clock: () => Date) {
    this.#members = members;
    this.#clock = clock;
    const holds = [Number.POSITIVE_INFINITY];
    for (const m of members) holds.push(Math.min(holds[holds.length - 1] as number, m.maxAgeMs));
    this.#holds = holds;
    for (const m of members) m.onWrite((name) => this.forget(name));
  }

  /** The member serving `name`, or null when none has it; `remembered` says whether the answer was remembered. */
  async owner(name: string): Promise<{ readonly member: M | null; readonly remembered: boolean }> {
    const now = this.#clock().getTime();
    const known = this.#owners.get(name);
    if (known !== undefined && known.until > now) return { member: this.#members[known.index] ?? null, remembered: true };
    const index = await this.#lookups.run(name, async () => {
      let found = NOBODY;
      for (const [i, m] of this.#members.entries()) {
        if (await m.has(name)) {
          found = i;
          break;
        }
      }
      this.#remember(name, found, now);
      return found;
    });
    return { member: this.#members[index] ?? null, remembered: false };
  }

  forget(name: string): void {
    this.#owners.delete(name);
  }

  #remember(name: string, index: number, now: number): void {
    const hold = this.#holds[index === NOBODY ? this.#members.length : index] as number;
    if (hold <= 0) this.#owners.delete(name);
    else this.#owners.set(name, { index, until: now + hold });
  }
}

/** What every group's plugin starts from: which member has each name, its first proxy, and how messages list its members. */
export function groupLookup<M extends GroupMember & { readonly repo: string; readonly kind: 'proxy' | 'hosted' }>(
  options: GroupOptions<M>,
): { readonly owners: GroupOwners<M>; readonly firstProxy: M | null; readonly memberNames: string } {
  const { repo, members } = options;
  if (members.length === 0) throw new AirlockError('CONFIG_INVALID', `group ${repo} has no members`);
  return {
    owners: new GroupOwners(members, options.clock ?? (() => new Date())),
    firstProxy: members.find((m) => m.kind === 'proxy') ?? null,
    memberNames: members.map((m) => m.repo).join(', '),
  };
}
