/** The active policy (hash, modules, last reload error) and a manual reload (admin). */
import type { FastifyInstance } from 'fastify';
import { AirlockError } from '../../core/index.ts';
import { actorOf, requireRole } from '../../gate/identity.ts';
import type { PolicyInfo, ReloadResult } from '../../policy/policy-service.ts';
import type { AuditLog } from '../../storage/ports/index.ts';

export interface PolicyControl {
  info(): PolicyInfo;
  reload(): Promise<ReloadResult>;
}

export function policyRoutes(app: FastifyInstance, deps: { policy: PolicyControl; audit: AuditLog; clock: () => Date }): void {
  app.get('/policy', async (request) => {
    requireRole(request.identity, 'reader');
    return deps.policy.info();
  });

  app.post('/policy/reload', async (request) => {
    requireRole(request.identity, 'admin');
    const result = await deps.policy.reload();
    if (!result.ok) throw new AirlockError('BAD_REQUEST', `the policy did not reload; the active policy stays: ${result.error}`);
    await deps.audit.appendAudit({ at: deps.clock(), actor: actorOf(request.identity), action: 'policy.reload', subject: result.hash, details: { changed: result.changed } });
    return result;
  });
}
