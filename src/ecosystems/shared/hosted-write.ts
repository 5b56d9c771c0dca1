/**
 * Writes to a hosted repository's packages, whatever the ecosystem: who writes (a publisher
 * token), and the write itself — read the package, change it, write it back if nobody wrote in
 * between (a compare-and-swap on its revision, so gateways sharing a store never lose each
 * other's writes), with its audit event in the same transaction.
 */
import { AirlockError, type Ecosystem } from '../../core/index.ts';
import { requireRole, type Identity } from '../../gate/identity.ts';
import type { AuditEventInput, HostedFile, HostedPackage, HostedPackageStore } from '../../storage/ports/index.ts';

/** Who writes: the token's id (audit actor) and its label (what the package records as its publisher). */
export interface Publisher {
  readonly actor: string;
  readonly name: string;
}

/** The publisher a request's identity is: a token with the publisher role at least. */
export function publisherOf(identity: Identity): Publisher {
  requireRole(identity, 'publisher');
  if (identity.kind !== 'token') throw new AirlockError('UNAUTHORIZED', 'publishing needs a token');
  return { actor: `token:${identity.tokenId}`, name: identity.label === '' ? identity.tokenId : identity.label };
}

/** Who may take what was published off a hosted repository (the repository's `unpublish`). */
export type UnpublishRule = 'never' | 'admin' | 'publisher';

/**
 * Refuses a removal the repository's rule does not allow this identity (a publisher is checked
 * already); `instead` ends the refusal of `never` with what to do instead.
 */
export function requireUnpublishRight(rule: UnpublishRule, identity: Identity, repo: string, what: string, instead = ''): void {
  if (rule === 'never') throw new AirlockError('FORBIDDEN', `${what} ${repo} is turned off (unpublish: never)${instead}`);
  if (rule === 'admin') requireRole(identity, 'admin');
}

export interface HostedWriterDeps {
  readonly repo: string;
  readonly ecosystem: Ecosystem;
  readonly store: HostedPackageStore;
  readonly clock: () => Date;
  /** A package changed: drop what was read of it before. */
  readonly changed: (name: string) => Promise<void>;
}

/** A package as a write leaves it: its document (text), its files, and what the audit trail records. */
export interface HostedChange {
  readonly document: string;
  readonly files: Readonly<Record<string, HostedFile>>;
  readonly audit: Omit<AuditEventInput, 'at' | 'actor'>;
}

/** Attempts of one write against concurrent writes to the same package. */
const MAX_ATTEMPTS = 8;

/**
 * Read, change, write back if nobody wrote in between; else again with what they wrote. A change
 * of null writes nothing (the current revision, or 0, is returned). `what` names the document in
 * the refusal of one larger than `maxDocumentBytes` (npm: "the packument of x").
 */
export async function writeHosted(
  deps: HostedWriterDeps,
  name: string,
  limits: { readonly maxDocumentBytes: number; readonly what: string },
  change: (pkg: HostedPackage | null, now: string) => HostedChange | null,
  who: Publisher,
): Promise<{ readonly rev: number }> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const pkg = await deps.store.getHostedPackage(deps.repo, name);
    const at = deps.clock();
    const changed = change(pkg, at.toISOString());
    if (changed === null) return { rev: pkg?.rev ?? 0 };
    const { document, files, audit } = changed;
    if (Buffer.byteLength(document) > limits.maxDocumentBytes) {
      throw new AirlockError('LIMIT_EXCEEDED', `${limits.what} of ${name} would be larger than this repository's limit of ${limits.maxDocumentBytes} bytes`);
    }
    const next: HostedPackage = { repo: deps.repo, ecosystem: deps.ecosystem, name, rev: (pkg?.rev ?? 0) + 1, document, files, updatedAt: at };
    if (await deps.store.putHostedPackage(next, { ...audit, at, actor: who.actor })) {
      await deps.changed(name);
      return { rev: next.rev };
    }
  }
  throw new AirlockError('CONFLICT', `${name} is being changed by others at the same time; try again`);
}
