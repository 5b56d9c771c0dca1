/**
 * The pre-flight check: `GET /-/api/check?purl=…` for one package version (or, without a
 * version, what `latest` would be), `POST /-/api/check` with `{"packages": [purl, …]}` for a
 * whole lockfile in one call. Reader role: agents and CI ask before they install.
 *
 * A range (npm `^4.17.0`, PyPI `>=2,<3`) goes beside a purl without a version, since a purl's
 * version is one version: `GET /-/api/check?purl=pkg:npm/lodash&range=^4.17.0`, or in a batch
 * `{"purl": "pkg:npm/lodash", "range": "^4.17.0"}` in place of the purl. The answer is the version
 * an install of the range gets through Airlock, judged, with `range` saying how it resolved.
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
const PURL = { type: 'string', minLength: 1, maxLength: 1024 } as const;
const RANGE = { type: 'string', minLength: 1, maxLength: 256 } as const;
const REPO = { type: 'string', minLength: 1, maxLength: 64 } as const;

/** A batch's package: a purl, or a purl without a version and a range. */
type BatchItem = string | { readonly purl: string; readonly range: string };

export function checkRoutes(app: FastifyInstance, deps: { check: CheckService }): void {
  app.get<{ Querystring: { purl: string; range?: string; repo?: string } }>(
    '/check',
    {
      schema: {
        querystring: {
          type: 'object',
          required: ['purl'],
          additionalProperties: false,
          properties: { purl: PURL, range: RANGE, repo: REPO },
        },
      },
    },
    async (request) => {
      requireCheckAccess(request.identity);
      const q = request.query;
      return deps.check.check(purlTarget(q.purl, q.repo ?? null, q.range ?? null), requestContextOf(request));
    },
  );

  app.post<{ Body: { packages: BatchItem[]; repo?: string } }>(
    '/check',
    {
      schema: {
        body: {
          type: 'object',
          required: ['packages'],
          additionalProperties: false,
          properties: {
            packages: {
              type: 'array',
              minItems: 1,
              maxItems: MAX_PACKAGES,
              items: { anyOf: [PURL, { type: 'object', required: ['purl', 'range'], additionalProperties: false, properties: { purl: PURL, range: RANGE } }] },
            },
            repo: REPO,
          },
        },
      },
    },
    async (request) => {
      requireCheckAccess(request.identity);
      const repo = request.body.repo ?? null;
      const results = await deps.check.checkMany(request.body.packages.map((p) => (typeof p === 'string' ? purlTarget(p, repo) : purlTarget(p.purl, repo, p.range))), requestContextOf(request));
      return { summary: checkSummary(results), results };
    },
  );
}
