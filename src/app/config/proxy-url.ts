/**
 * What makes a URL unfit to name an upstream proxy, checked alike for a repository's `proxy`
 * setting and for npm's own proxy settings: Airlock speaks to http:// and https:// proxies only,
 * and a proxy is named by its origin (scheme, host and port), with no path, query or fragment.
 */
export type ProxyUrlProblem = 'scheme' | 'not-origin';

export function proxyUrlProblem(url: URL): ProxyUrlProblem | null {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'scheme';
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') return 'not-origin';
  return null;
}
