/** The configured webhooks as the delivery service takes them: URLs resolved, keys decoded, a connection pool each. */
import { Transport } from '../upstream/index.ts';
import { WebhookSender, webhookKey, type WebhookDefinition } from '../webhooks/index.ts';
import type { WebhookConfig } from './config/types.ts';
import { proxyEnvFor } from './upstream-proxy.ts';

export function webhookDefinitions(configs: readonly WebhookConfig[], env: NodeJS.ProcessEnv, userAgent: string, publicUrl: string | null = null): readonly WebhookDefinition[] {
  return configs.map((c) => {
    const url = new URL(typeof c.url === 'string' ? c.url : c.url.reveal());
    const key = c.secret === null ? null : webhookKey(c.secret.reveal());
    if (typeof key === 'string') throw new Error(`webhooks ${c.name}: ${key}`);
    const transport = new Transport({
      connections: 2,
      connectTimeoutMs: Math.min(c.timeoutMs, 10_000),
      headersTimeoutMs: c.timeoutMs,
      bodyTimeoutMs: c.timeoutMs,
      keepAliveTimeoutMs: 30_000,
      proxyEnv: proxyEnvFor({ kind: c.proxy }, env, url),
    });
    return {
      name: c.name,
      url,
      display: typeof c.url === 'string' ? url.href : `${url.origin}/… (from ${c.url.source})`,
      events: c.events,
      key,
      sender: new WebhookSender(transport, userAgent),
      format: c.format,
      reviewUrl: publicUrl === null ? null : `${publicUrl}-/ui/`,
    };
  });
}
