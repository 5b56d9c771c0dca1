/**
 * Time-boxed exceptions to policy: waive quarantine rules (all of them, or the named rule ids)
 * for a package or one version of it. Deny rules are never waived. Changes are audited and
 * invalidate the gate at once.
 */
import { AirlockError, writtenText, normalizePypiName, parseNpmPackageName, type Ecosystem } from '../core/index.ts';
import type { ExceptionStore, Page, PolicyException } from '../storage/ports/index.ts';
import type { GateControl } from './quarantine-service.ts';

export interface NewException {
  readonly ecosystem: Ecosystem;
  readonly name: string;
  readonly version: string | null;
  readonly rules: readonly string[];
  readonly reason: string;
  readonly expiresAt: Date | null;
  readonly actor: string;
}

function canonicalName(ecosystem: Ecosystem, name: string): string {
  switch (ecosystem) {
    case 'npm':
      return parseNpmPackageName(name);
    case 'pypi':
      return normalizePypiName(name);
    case 'oci':
    case 'huggingface':
      if (name === '' || name.length > 256) throw new AirlockError('INVALID_NAME', 'name must be 1-256 characters');
      return name;
  }
}

export class ExceptionService {
  readonly #store: ExceptionStore;
  readonly #gate: GateControl;
  readonly #newId: () => string;
  readonly #clock: () => Date;

  constructor(deps: { store: ExceptionStore; gate: GateControl; newId: () => string; clock?: () => Date }) {
    this.#store = deps.store;
    this.#gate = deps.gate;
    this.#newId = deps.newId;
    this.#clock = deps.clock ?? (() => new Date());
  }

  list(filter: { readonly limit: number; readonly cursor?: string }): Promise<Page<PolicyException>> {
    return this.#store.listExceptions(filter);
  }

  async create(req: NewException): Promise<PolicyException> {
    const now = this.#clock();
    const reason = writtenText(req.reason, 'the reason', 2000);
    if (req.expiresAt !== null && req.expiresAt.getTime() <= now.getTime()) throw new AirlockError('BAD_REQUEST', 'expiry must be in the future');
    if (req.rules.length > 100 || req.rules.some((r) => r === '' || r.length > 200)) {
      throw new AirlockError('BAD_REQUEST', 'rules must be at most 100 non-empty rule ids');
    }
    if (req.version !== null && (req.version === '' || req.version.length > 256)) throw new AirlockError('INVALID_VERSION', 'invalid version');
    const rec: PolicyException = {
      id: this.#newId(),
      ecosystem: req.ecosystem,
      name: canonicalName(req.ecosystem, req.name),
      version: req.version,
      rules: [...req.rules],
      reason,
      createdBy: req.actor,
      createdAt: now,
      expiresAt: req.expiresAt,
    };
    await this.#store.putException(rec, {
      at: now,
      actor: req.actor,
      action: 'exception.create',
      subject: rec.id,
      details: {
        ecosystem: rec.ecosystem,
        name: rec.name,
        version: rec.version,
        rules: [...rec.rules],
        reason,
        expiresAt: rec.expiresAt?.toISOString() ?? null,
      },
    });
    this.#gate.invalidate();
    return rec;
  }

  async delete(id: string, actor: string): Promise<void> {
    const removed = await this.#store.deleteException(id, { at: this.#clock(), actor, action: 'exception.delete', subject: id, details: {} });
    if (!removed) throw new AirlockError('NOT_FOUND', `no exception ${JSON.stringify(id.slice(0, 64))}`);
    this.#gate.invalidate();
  }
}
