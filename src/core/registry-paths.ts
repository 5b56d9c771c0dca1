/**
 * Where Airlock speaks the OCI registry API: under `/v2` (and `/v2?…`, `/v2/…`) and at the
 * token endpoint under `/-/oci/`. A registry client reads only that API's `{"errors": […]}`
 * bodies, so every refusal on these paths takes that format, whoever refuses (the router, the
 * auth hook, an OCI route). One test for all of them: a copy of it once missed `/v2?…`.
 */
export function isRegistryPath(url: string): boolean {
  return url === '/v2' || url.startsWith('/v2/') || url.startsWith('/v2?') || url.startsWith('/-/oci/');
}
