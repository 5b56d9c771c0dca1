/**
 * The plain pages single sign-on answers a browser with when a sign-in does not go through: what
 * happened, what the person can do, and a link to start again. Everything shown is escaped; the
 * page runs no script and loads nothing.
 */
const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
}

export const PAGE_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
} as const;

/** An HTML page saying `message`, with `lines` under it and links to start again and to the review UI. */
export function failurePage(title: string, message: string, lines: readonly string[]): string {
  const items = lines.map((l) => `<li>${escapeHtml(l)}</li>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} — Airlock</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:42rem;margin:3rem auto;padding:0 1rem;color:#1b1f24}h1{font-size:1.3rem}</style></head>
<body><h1 id="title">${escapeHtml(title)}</h1>
<p id="message">${escapeHtml(message)}</p>
${items === '' ? '' : `<ul id="details">${items}</ul>`}
<p><a id="again" href="/-/sso/login">Sign in again</a> · <a href="/-/ui/">Review UI</a></p>
</body></html>
`;
}
