/**
 * The claims a sign-in's role is found by: the ID token's, and the userinfo endpoint's for the
 * claims the role rules name when `groupsFrom` says so — `auto` (the default) for those the ID
 * token lacks, when the provider has a userinfo endpoint; `userinfo` for all of them, always;
 * `idToken` never. A claim the provider left out because it had too many values (Microsoft Entra
 * ID's groups overage: `_claim_names` pointing elsewhere for it, or `hasgroups: true`) refuses the
 * sign-in, saying what to configure: Airlock does not call Microsoft Graph for it, and a partial
 * list could give the wrong role.
 */
import { isPlainObject, type PlainObject } from '../../../core/index.ts';
import { idpUnavailable, SsoFailure } from './failure.ts';
import type { SsoProvider } from './provider.ts';
import type { SsoGroupsFrom, SsoRoleRule } from './types.ts';

export const OVERAGE_ADVICE =
  'For the administrator of the identity provider: make the token carry only the groups that matter. In Microsoft Entra ID: the app registration\'s Token configuration, groups claim, "Groups assigned to the application" (then assign those groups to the enterprise application); or app roles assigned to the groups, with access.sso.roles rules on the roles claim.';

/** Throws a `groups-overage` SsoFailure when `claims` (of `where`) says one of `names` was left out as too long. */
function refuseOverage(claims: PlainObject, names: readonly string[], where: string, subject: string): void {
  const pointers = claims['_claim_names'];
  const left = names.find((n) => (isPlainObject(pointers) && Object.hasOwn(pointers, n)) || (n === 'groups' && claims['hasgroups'] === true && !Object.hasOwn(claims, n)));
  if (left === undefined) return;
  throw new SsoFailure(
    'groups-overage',
    `the identity provider left your ${left} out of its ${where}: there are too many to include (_claim_names.${left}, Microsoft Entra ID's groups overage), and Airlock does not fetch them from Microsoft Graph`,
    [`subject: ${subject.slice(0, 200)}`, OVERAGE_ADVICE],
  );
}

/** The ID token's claims `idClaims` of `subject`, with the claims the rules name taken from userinfo as `groupsFrom` says. */
export async function roleClaims(provider: SsoProvider, p: { readonly groupsFrom: SsoGroupsFrom; readonly rules: readonly SsoRoleRule[]; readonly idClaims: PlainObject; readonly subject: string; readonly accessToken: string | null }): Promise<PlainObject> {
  const names = [...new Set(p.rules.map((r) => r.claim))];
  refuseOverage(p.idClaims, names, 'ID token', p.subject);
  if (p.groupsFrom === 'idToken') return p.idClaims;
  const take = new Set(p.groupsFrom === 'userinfo' ? names : names.filter((n) => !Object.hasOwn(p.idClaims, n)));
  if (take.size === 0) return p.idClaims;
  const endpoint = (await provider.endpoints()).userinfoEndpoint;
  if (endpoint === null) {
    if (p.groupsFrom === 'auto') return p.idClaims;
    throw idpUnavailable(`its discovery document names no userinfo_endpoint, and access.sso.groupsFrom is userinfo`);
  }
  if (p.accessToken === null) throw idpUnavailable('its token endpoint gave no Bearer access token to ask the userinfo endpoint with');
  const info = await provider.userinfo(endpoint, p.accessToken, p.subject, names);
  refuseOverage(info, names, 'userinfo answer', p.subject);
  const kept = Object.entries(p.idClaims).filter(([k]) => !take.has(k));
  const fetched = [...take].filter((n) => Object.hasOwn(info, n)).map((n) => [n, info[n]] as const);
  return Object.fromEntries([...kept, ...fetched]);
}
