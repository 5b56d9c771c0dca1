/**
 * The active policy (hash, modules, last reload error), a manual reload (admin), and what a
 * candidate policy would change (admin): `POST /policy/impact` replays the recorded decisions
 * under the active policy and the candidate (gate/policy-impact.ts).
 */
import type { FastifyInstance } from 'fastify';
import { AirlockError, isAirlockError } from '../../core/index.ts';
import { actorOf, requireRole } from '../../gate/identity.ts';
import { policyImpact } from '../../gate/policy-impact.ts';
import type { CompiledBundle, PolicyModuleSource, PolicyOutcome, SourceBundleLimits } from '../../policy/index.ts';
import type { PolicyInfo, ReloadResult } from '../../policy/policy-service.ts';
import type { AuditLog, DecisionLog, Json } from '../../storage/ports/index.ts';
import type { RepositoryInfo } from './repository-routes.ts';

export interface PolicyControl {
  info(): PolicyInfo;
  reload(): Promise<ReloadResult>;
  readonly active: CompiledBundle;
  candidate(modules: readonly PolicyModuleSource[], data: { readonly [k: string]: Json }, limits: SourceBundleLimits): CompiledBundle;
  decideWith(bundle: CompiledBundle, input: Json): PolicyOutcome;
}

/** What a candidate may carry: as many modules as a policy directory may hold, 8 MiB of source. */
export const CANDIDATE_LIMITS: SourceBundleLimits = { maxModules: 2000, maxSourceBytes: 8 * 1024 * 1024 };
const IMPACT_BODY_BYTES = 16 * 1024 * 1024;
export const IMPACT_DEFAULT_LIMIT = 10_000;
const IMPACT_MAX_LIMIT = 100_000;
const IMPACT_MAX_CHANGES = 500;
const IMPACT_BUDGET_MS = 60_000;

interface ImpactBody {
  readonly modules: PolicyModuleSource[];
  readonly data?: { readonly [k: string]: Json };
  readonly since?: string;
  readonly limit?: number;
}

export function policyRoutes(app: FastifyInstance, deps: { policy: PolicyControl; decisions: DecisionLog; audit: AuditLog; clock: () => Date; repositories: readonly RepositoryInfo[] }): void {
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

  app.post<{ Body: ImpactBody }>(
    '/policy/impact',
    {
      bodyLimit: IMPACT_BODY_BYTES,
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['modules'],
          properties: {
            modules: {
              type: 'array',
              minItems: 1,
              maxItems: CANDIDATE_LIMITS.maxModules,
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['path', 'source'],
                properties: { path: { type: 'string', minLength: 1, maxLength: 1024 }, source: { type: 'string' } },
              },
            },
            data: { type: 'object' },
            since: { type: 'string', maxLength: 64 },
            limit: { type: 'integer', minimum: 1, maximum: IMPACT_MAX_LIMIT },
          },
        },
      },
    },
    async (request) => {
      requireRole(request.identity, 'admin');
      const body = request.body;
      let since: Date | null = null;
      if (body.since !== undefined) {
        const ms = Date.parse(body.since);
        if (Number.isNaN(ms)) throw new AirlockError('BAD_REQUEST', `since: not a time: ${JSON.stringify(body.since)}`);
        since = new Date(ms);
      }
      const kinds = new Map(deps.repositories.flatMap((r) => (r.kind === 'group' ? [] : [[r.name, r.kind] as const])));
      const baseline = deps.policy.active;
      let candidate: CompiledBundle;
      try {
        candidate = deps.policy.candidate(body.modules, body.data ?? {}, CANDIDATE_LIMITS);
      } catch (err) {
        // The candidate is what the caller sent: its faults are theirs, not the server's.
        if (isAirlockError(err, 'POLICY_ERROR')) throw new AirlockError('BAD_REQUEST', `the candidate policy was refused: ${err.message}`, { cause: err });
        throw err;
      }
      return policyImpact(
        {
          decisions: deps.decisions,
          baseline: (input) => deps.policy.decideWith(baseline, input),
          candidate: (input) => deps.policy.decideWith(candidate, input),
          repositoryKind: (repo) => kinds.get(repo) ?? 'proxy',
        },
        { baseline: baseline.hash, candidate: candidate.hash },
        { since, limit: body.limit ?? IMPACT_DEFAULT_LIMIT, maxChanges: IMPACT_MAX_CHANGES, budgetMs: IMPACT_BUDGET_MS },
      );
    },
  );
}
