/**
 * Which browser origins may call the MCP endpoint. The transport requires the `Origin` header
 * to be checked against DNS rebinding: a page on any site whose name its owner points at this
 * machine would otherwise reach it. A non-browser client sends no `Origin` and is not affected;
 * a browser page may call only from a loopback origin (a local MCP inspector) or from Airlock's
 * own public URL.
 */

function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname.endsWith('.localhost') || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

export function allowedOrigin(origin: string, publicUrl: string | null): boolean {
  if (origin.length > 2048) return false;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // `null` (sandboxed pages, files) and anything unparsable
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (isLoopbackHost(url.hostname)) return true;
  if (publicUrl === null) return false;
  try {
    return new URL(publicUrl).origin === url.origin;
  } catch {
    return false;
  }
}
