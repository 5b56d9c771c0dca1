/**
 * What the pre-flight check's two front doors share — the admin API's `/-/api/check` and the MCP
 * endpoint's check tools (`/-/mcp`): who may ask, how a purl becomes a check target, and the
 * counts of a batch's results. One place, so an agent asking over MCP and a CI job asking the
 * API are answered and refused alike.
 */
import { AirlockError, parsePurl, purlFullName, purlQualifier } from '../core/index.ts';
import type { CheckResult } from '../gate/check-result.ts';
import type { CheckTarget } from '../gate/check-service.ts';
import { requireRole, type Identity } from '../gate/identity.ts';

/**
 * A reader token (or better) that is not scoped: a scoped token is for package clients, and the
 * API answers it only `/whoami` and `/repositories`. Anonymous callers are refused, whatever
 * `access.anonymousRead` says (that opens the repositories, not the API).
 */
export function requireCheckAccess(identity: Identity): void {
  requireRole(identity, 'reader');
  if (identity.kind === 'token' && identity.scope !== null) {
    throw new AirlockError('FORBIDDEN', 'this token is scoped (to repositories or packages): it is for package clients; the check needs an unscoped reader token');
  }
}

/**
 * The target a purl names (see check-routes.ts for the oci and Hugging Face spellings); with
 * `range` (npm `^4.17.0`, PyPI `>=2,<3`), what an install of that range gets: the purl then names
 * the package only, since a purl's version is one version. The check service reads the range
 * (an ecosystem without ranges, or one it cannot read, is INVALID_VERSION).
 */
export function purlTarget(purl: string, repo: string | null, range: string | null = null): CheckTarget {
  const parts = parsePurl(purl);
  if (range === null) return { ecosystem: parts.type, name: purlFullName(parts), version: parts.type === 'oci' ? ociReference(purl, parts.version) : parts.version, repo };
  if (parts.version !== null) {
    throw new AirlockError('BAD_REQUEST', `give a version in the purl or a range, not both: ${JSON.stringify(purl.slice(0, 120))} names version ${JSON.stringify(parts.version.slice(0, 64))}`);
  }
  if (range.trim() === '' || /[\x00-\x1f\x7f]/.test(range)) throw new AirlockError('INVALID_VERSION', 'a range is text without control characters, and not empty');
  return { ecosystem: parts.type, name: purlFullName(parts), version: null, range: range.trim(), repo };
}

/** An oci purl's reference: its version, a manifest digest; else its `tag` qualifier; else null (`latest`). */
function ociReference(purl: string, version: string | null): string | null {
  if (version !== null && !/^[a-z0-9]+:/.test(version)) {
    throw new AirlockError('INVALID_PURL', `an oci purl's version is a manifest digest (sha256:…), not ${JSON.stringify(version.slice(0, 80))}: name a tag with the tag qualifier (pkg:oci/<name>?tag=<tag>)`);
  }
  return version ?? purlQualifier(purl, 'tag');
}

export interface CheckSummary {
  readonly allow: number;
  readonly quarantine: number;
  readonly block: number;
  readonly notFound: number;
  readonly error: number;
}

/** How many results had each verdict; without one, not found or error. */
export function checkSummary(results: readonly CheckResult[]): CheckSummary {
  const s = { allow: 0, quarantine: 0, block: 0, notFound: 0, error: 0 };
  for (const r of results) {
    if (r.verdict !== null) s[r.verdict] += 1;
    else if (r.status === 'error') s.error += 1;
    else s.notFound += 1;
  }
  return s;
}
