/**
 * For single sign-on tests: an SsoService on a real SQLite store and the app's fetcher, against a
 * local OpenID Connect provider speaking the real protocol (test/support/oidc-provider.ts), with a
 * clock the test moves and the browser's part of a sign-in; and `fails`, asserting an SsoFailure.
 */
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newId } from '../../src/core/index.ts';
import { openSqliteMetadataStore } from '../../src/storage/sqlite/index.ts';
import { OidcFetcher } from '../../src/app/oidc-fetch.ts';
import { TestOidcProvider, type ProviderOptions } from './oidc-provider.ts';
import { TokenService } from '../../src/api/auth/token-service.ts';
import { isSsoFailure, type SsoFailureReason } from '../../src/api/auth/sso/failure.ts';
import { SsoService, type CallbackQuery } from '../../src/api/auth/sso/flow.ts';
import type { SsoSettings } from '../../src/api/auth/sso/types.ts';

export const REDIRECT = 'https://airlock.example/-/sso/callback';
export const secret = (v: string) => ({ reveal: () => v });

export async function setup(t: TestContext, options: { provider?: Partial<ProviderOptions>; settings?: Partial<SsoSettings> } = {}) {
  const provider = await TestOidcProvider.start({ clientId: 'airlock', clientSecret: 's3cret value', ...options.provider });
  provider.redirectUris = [REDIRECT];
  t.after(() => provider.close());
  const dir = await mkdtemp(join(tmpdir(), 'airlock-sso-'));
  const store = openSqliteMetadataStore({ path: join(dir, 'airlock.db') });
  await store.migrate();
  const fetcher = new OidcFetcher({}, 'airlock-test');
  t.after(async () => {
    await fetcher.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
  const clock = { now: Date.now() };
  const tokens = new TokenService({ store, newId, clock: () => new Date(clock.now) });
  const settings: SsoSettings = {
    issuer: provider.url,
    clientId: 'airlock',
    clientSecret: secret('s3cret value'),
    sessionKey: null,
    scopes: ['openid', 'email', 'groups'],
    roles: [
      { name: 'roles[0] groups=platform-security', claim: 'groups', value: 'platform-security', role: 'approver' },
      { name: 'roles[1] groups=*', claim: 'groups', value: '*', role: 'reader' },
    ],
    sessionTtlMs: 8 * 3_600_000,
    redirectUri: REDIRECT,
    groupsFrom: 'auto',
    ...options.settings,
  };
  const sso = new SsoService({ http: fetcher, tokens, clock: () => new Date(clock.now) }, settings);
  /** The browser's part: begin, follow the provider's redirect, and come back with its answer and the cookie. */
  const signIn = async (): Promise<{ query: CallbackQuery; cookie: string; location: URL }> => {
    const { location, state } = await sso.begin();
    const res = await fetch(location, { redirect: 'manual' });
    assert.equal(res.status, 302, await res.clone().text());
    const back = new URL(res.headers.get('location') as string);
    assert.equal(`${back.origin}${back.pathname}`, REDIRECT);
    return { query: Object.fromEntries(back.searchParams), cookie: state, location };
  };
  return { provider, store, tokens, sso, clock, signIn };
}

export async function fails(p: Promise<unknown>, reason: SsoFailureReason, message: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(isSsoFailure(err), String(err));
    assert.equal(err.reason, reason, err.message);
    assert.match(err.message, message);
    return true;
  });
}

/** `text` with its character at `at` changed to another one, so the change is never a no-op. */
export function changedAt(text: string, at: number): string {
  return `${text.slice(0, at)}${text[at] === 'A' ? 'B' : 'A'}${text.slice(at + 1)}`;
}
