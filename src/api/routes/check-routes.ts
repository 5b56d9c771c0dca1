/**
 * The pre-flight check: `GET /-/api/check?purl=…` for one package version (or, without a
 * version, what `latest` would be), `POST /-/api/check` with `{"packages": [purl, …]}` for a
 * whole lockfile in one call. Reader role: agents and CI ask before they install.
 *
 * An image is `pkg:oci/<name>@<manifest digest>` (the purl spec's version of an oci purl), or
 * `pkg:oci/<name>?tag=<tag>` (its `tag` qualifier), or `pkg:oci/<name>` for `latest`; the name is
 * the image's path in the oci repository (`library/alpine`), the repository is `repo`.
 *
 * A Hugging Face repo is `pkg:huggingface/<org>/<name>@<revision>` (a dataset's name has
 * `datasets/` in front, as the gate names it): the purl spec's version is the commit; a branch
 * or tag is taken there too (percent-encoded: `refs%2Fpr%2F1`), and no version is the default
 * branch.
 */
import type { FastifyInstance } from 'fastify';
import type { CheckService } from '../../gate/check-service.ts';
import { requestContextOf } from '../../gate/identity.ts';
import { checkSummary, purlTarget, requireCheckAccess } from '../check-targets.ts';

const MAX_PACKAGES = 5000;

export function checkRoutes(app: FastifyInstance, deps: { check: CheckService }): void {
  app.get<{ Querystring: { purl: string; repo?: string } }>(
    '/check',
    {
      schema: {
        querystring: {
          type: 'object',
          required: ['purl'],
          additionalProperties: false,
          properties: { purl: { type: 'string', minLength: 1, maxLength: 1024 }, repo: { type: 'string', minLength: 1, maxLength: 64 } },
        },
      },
    },
    async (request) => {
      requireCheckAccess(request.identity);
      return deps.check.check(purlTarget(request.query.purl, request.query.repo ?? null), requestContextOf(request));
    },
  );

  app.post<{ Body: { packages: string[]; repo?: string } }>(
    '/check',
    {
      schema: {
        body: {
          type: 'object',
          required: ['packages'],
          additionalProperties: false,
          properties: {
            packages: { type: 'array', minItems: 1, maxItems: MAX_PACKAGES, items: { type: 'string', minLength: 1, maxLength: 1024 } },
            repo: { type: 'string', minLength: 1, maxLength: 64 },
          },
        },
      },
    },
    async (request) => {
      requireCheckAccess(request.identity);
      const repo = request.body.repo ?? null;
      const results = await deps.check.checkMany(request.body.packages.map((p) => purlTarget(p, repo)), requestContextOf(request));
      return { summary: checkSummary(results), results };
    },
  );
}
