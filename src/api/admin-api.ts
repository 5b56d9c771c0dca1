/**
 * The admin REST API under `/-/api/`: quarantine, decisions, audit, tokens, exceptions, policy,
 * the pre-flight check, risk-signal reports, vulnerability exposure and webhooks.
 * Bearer tokens; roles reader < publisher < approver < admin. Errors: `{error, code}`.
 */
import type { FastifyInstance } from 'fastify';
import { AirlockError } from '../core/index.ts';
import type { CheckService } from '../gate/check-service.ts';
import type { ExceptionService } from '../gate/exception-service.ts';
import type { QuarantineService } from '../gate/quarantine-service.ts';
import type { VersionChanges } from '../gate/version-changes.ts';
import type { AuditLog, DecisionLog, MissingNameLedger } from '../storage/ports/index.ts';
import type { TokenService } from './auth/token-service.ts';
import { apiErrorHandler } from './errors.ts';
import { auditRoutes } from './routes/audit-routes.ts';
import { checkRoutes } from './routes/check-routes.ts';
import { decisionRoutes } from './routes/decision-routes.ts';
import { exceptionRoutes } from './routes/exception-routes.ts';
import { policyRoutes, type PolicyControl } from './routes/policy-routes.ts';
import { quarantineRoutes } from './routes/quarantine-routes.ts';
import { repositoryRoutes, type RepositoryInfo } from './routes/repository-routes.ts';
import { signalRoutes } from './routes/signal-routes.ts';
import { tokenRoutes } from './routes/token-routes.ts';
import { oidcRoutes } from './routes/oidc-routes.ts';
import type { OidcExchange } from './auth/oidc/index.ts';
import type { RateLimit } from './rate-limit.ts';
import { vulnerabilityRoutes } from './routes/vulnerability-routes.ts';
import { inventoryRoutes } from './routes/inventory-routes.ts';
import { webhookRoutes } from './routes/webhook-routes.ts';
import type { ExposureDeps, InventoryDeps } from '../gate/index.ts';
import type { Webhooks } from '../webhooks/index.ts';

export interface AdminApiOptions {
  readonly quarantine: QuarantineService;
  readonly exceptions: ExceptionService;
  readonly tokens: TokenService;
  /** The exchange of CI jobs' OIDC ID tokens for short-lived tokens (`/oidc/token`). */
  readonly oidc: OidcExchange;
  /** Its rate limit per client address (null: none). */
  readonly oidcRateLimit: RateLimit | null;
  readonly decisions: DecisionLog;
  readonly audit: AuditLog;
  readonly policy: PolicyControl;
  readonly clock: () => Date;
  /** The pre-flight check (`/check`). */
  readonly check: CheckService;
  /** What a quarantined version changed (`/quarantine/:id/changes`). */
  readonly changes: VersionChanges;
  /** The missing-name ledger (`/signals/missing`). */
  readonly missing: MissingNameLedger;
  /** The repositories served (`/repositories`). */
  readonly repositories: readonly RepositoryInfo[];
  /** The configured webhooks (`/webhooks`). */
  readonly webhooks: Webhooks;
  /** Imported advisories and the artifacts held (`/vulnerabilities`). */
  readonly vulnerabilities: ExposureDeps;
  /** The artifacts held and their advisories (`/inventory`). */
  readonly inventory: InventoryDeps;
}

export async function adminApi(app: FastifyInstance, options: AdminApiOptions): Promise<void> {
  app.setErrorHandler(apiErrorHandler);
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: `no such API route: ${request.method} ${request.url.split('?')[0]}`, code: 'NOT_FOUND' }));
  // A scoped token is for package clients: of the API it may only ask who it is and what is served.
  app.addHook('onRequest', async (request) => {
    const id = request.identity;
    if (id.kind !== 'token' || id.scope === null) return;
    const path = request.url.split('?')[0] ?? '';
    if (path.endsWith('/whoami') || path.endsWith('/repositories') || path.endsWith('/oidc/token')) return;
    throw new AirlockError('FORBIDDEN', 'this token is scoped (to repositories or packages): it is for package clients, and the admin API answers it only /whoami and /repositories');
  });
  app.get('/whoami', async (request) => {
    const id = request.identity;
    return id.kind === 'token' ? { kind: 'token', id: id.tokenId, role: id.role, label: id.label, scope: id.scope } : { kind: 'anonymous' };
  });
  quarantineRoutes(app, options);
  decisionRoutes(app, options);
  auditRoutes(app, options);
  tokenRoutes(app, options);
  oidcRoutes(app, options);
  exceptionRoutes(app, options);
  policyRoutes(app, options);
  checkRoutes(app, options);
  signalRoutes(app, options);
  repositoryRoutes(app, options);
  webhookRoutes(app, options);
  vulnerabilityRoutes(app, options);
  inventoryRoutes(app, options);
}
