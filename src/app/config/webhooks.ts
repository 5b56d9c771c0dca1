/** `webhooks`: receivers of audit events, each with its own filter, secret and delivery cursor. */
import { checkEventPattern } from '../../webhooks/events.ts';
import { webhookKey } from '../../webhooks/signing.ts';
import { duration, fail, join, list, object, oneOf, string, type Raw } from './checks.ts';
import { secretRef, type Secret } from './secret.ts';
import type { ValidateContext } from './schema.ts';
import type { WebhookConfig } from './types.ts';

export const WEBHOOK_KEYS = ['name', 'url', 'events', 'secret', 'timeout', 'proxy', 'format'] as const;
const WEBHOOK_NAME_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const MAX_WEBHOOKS = 32;

/** A receiver's URL as written: http(s), and no credentials or query unless given by reference. */
function receiverUrl(v: unknown, path: string, ctx: ValidateContext): string | Secret {
  const byReference = v !== null && typeof v === 'object';
  const secret = byReference ? secretRef(v, path, ctx) : null;
  const text = secret === null ? string(v, path, { max: 2048 }) : secret.reveal();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // A URL from a secret is never quoted.
    fail(path, secret === null ? `not a URL: ${JSON.stringify(text.slice(0, 200))}` : `the secret ${secret.source} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') fail(path, 'must be an http:// or https:// URL');
  if (url.hash !== '') fail(path, 'must not have a fragment');
  if (secret === null && (url.username !== '' || url.password !== '' || url.search !== '')) {
    fail(path, 'a URL with credentials or a query (a token) must be given by reference: {env: NAME} or {file: PATH}');
  }
  return secret ?? url.toString();
}

function webhook(v: unknown, path: string, ctx: ValidateContext): WebhookConfig {
  const o: Raw = object(v, path, WEBHOOK_KEYS);
  if (o['name'] === undefined) fail(join(path, 'name'), 'is required');
  if (o['url'] === undefined) fail(join(path, 'url'), 'is required');
  if (o['events'] === undefined) fail(join(path, 'events'), 'is required: the events to send, e.g. ["quarantine.*", "decision.block"] or ["*", "!decision.allow"]');
  const events = list(o['events'], join(path, 'events'), 64).map((x, i) => {
    const at = join(join(path, 'events'), i);
    const pattern = string(x, at, { max: 200 });
    const problem = checkEventPattern(pattern);
    if (problem !== null) fail(at, problem);
    return pattern;
  });
  if (!events.some((e) => !e.startsWith('!'))) fail(join(path, 'events'), 'takes no event: give at least one pattern without !');
  let secret: Secret | null = null;
  if (o['secret'] !== undefined && o['secret'] !== null) {
    secret = secretRef(o['secret'], join(path, 'secret'), ctx);
    const key = webhookKey(secret.reveal());
    if (typeof key === 'string') fail(join(path, 'secret'), `the secret ${secret.source} ${key}`);
  }
  return {
    name: string(o['name'], join(path, 'name'), { max: 64, pattern: WEBHOOK_NAME_RE, hint: 'lower-case letters, digits, . _ -' }),
    url: receiverUrl(o['url'], join(path, 'url'), ctx),
    events,
    secret,
    timeoutMs: o['timeout'] === undefined ? 15_000 : duration(o['timeout'], join(path, 'timeout'), 100, 60_000),
    proxy: o['proxy'] === undefined ? 'env' : oneOf(o['proxy'], join(path, 'proxy'), ['env', 'none'] as const),
    format: o['format'] === undefined ? 'standard' : oneOf(o['format'], join(path, 'format'), ['standard', 'slack'] as const),
  };
}

export function webhooks(v: unknown, ctx: ValidateContext): readonly WebhookConfig[] {
  if (v === undefined || v === null) return [];
  const hooks = list(v, 'webhooks', MAX_WEBHOOKS).map((x, i) => webhook(x, join('webhooks', i), ctx));
  const seen = new Set<string>();
  hooks.forEach((h, i) => {
    if (seen.has(h.name)) fail(join(join('webhooks', i), 'name'), `duplicate webhook name ${JSON.stringify(h.name)}`);
    seen.add(h.name);
  });
  return hooks;
}
