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
import { AirlockError, parsePurl, purlFullName, purlQualifier } from '../../core/index.ts';
import type { CheckResult, CheckService, CheckTarget } from '../../gate/check-service.ts';
import { requestContextOf, requireRole } from '../../gate/identity.ts';

const MAX_PACKAGES = 5000;

function target(purl: string, repo: string | null): CheckTarget {
  const parts = parsePurl(purl);
  return { ecosystem: parts.type, name: purlFullName(parts), version: parts.type === 'oci' ? ociReference(purl, parts.version) : parts.version, repo };
}

/** An oci purl's reference: its version, a manifest digest; else its `tag` qualifier; else null (`latest`). */
function ociReference(purl: string, version: string | null): string | null {
  if (version !== null && !/^[a-z0-9]+:/.test(version)) {
    throw new AirlockError('INVALID_PURL', `an oci purl's version is a manifest digest (sha256:…), not ${JSON.stringify(version.slice(0, 80))}: name a tag with the tag qualifier (pkg:oci/<name>?tag=<tag>)`);
  }
  return version ?? purlQualifier(purl, 'tag');
}

function summary(results: readonly CheckResult[]): Record<string, number> {
  const s: Record<string, number> = { allow: 0, quarantine: 0, block: 0, notFound: 0, error: 0 };
  for (const r of results) {
    if (r.verdict !== null) s[r.verdict] = (s[r.verdict] ?? 0) + 1;
    else if (r.status === 'error') s['error'] = (s['error'] ?? 0) + 1;
    else s['notFound'] = (s['notFound'] ?? 0) + 1;
  }
  return s;
}

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
      requireRole(request.identity, 'reader');
      return deps.check.check(target(request.query.purl, request.query.repo ?? null), requestContextOf(request));
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
      requireRole(request.identity, 'reader');
      const repo = request.body.repo ?? null;
      const results = await deps.check.checkMany(request.body.packages.map((p) => target(p, repo)), requestContextOf(request));
      return { summary: summary(results), results };
    },
  );
}
