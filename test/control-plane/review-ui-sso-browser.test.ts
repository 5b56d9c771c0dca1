/**
 * Single sign-on to the review UI in a real browser (headless Chromium over the DevTools
 * protocol) with a local OpenID Connect provider speaking the real protocol (discovery, JWKS, an
 * authorization endpoint, a token endpoint checking the client secret and PKCE, a userinfo
 * endpoint, the only place the groups are): the reviewer
 * clicks "Sign in with SSO", comes back signed in with the role their group maps to, releases a
 * quarantined version (the audit trail names their token), and signs out (the token is revoked);
 * a person in no mapped group sees the no-role page, a refusal by the provider its page. Skipped
 * when no Chromium is installed (`apt-get install chromium`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { REVIEW_POLICY, anonymousRequest, npmCandidate, writePolicyDir } from '../support/gate-helpers.ts';
import { startAirlock } from '../support/start-airlock.ts';
import { CHROMIUM, inChromium, until } from '../support/chromium.ts';
import { TestOidcProvider } from '../support/oidc-provider.ts';
import { freePort } from '../support/free-port.ts';

const text = (id: string): string => `document.getElementById(${JSON.stringify(id)})?.textContent`;

test('review UI: sign in with SSO, release as the signed-in reviewer, sign out; no role and refusals on their pages', { skip: CHROMIUM === undefined ? 'no Chromium installed' : false }, async () => {
  const provider = await TestOidcProvider.start({ clientId: 'airlock-review', clientSecret: 'sso client secret' });
  const policyDir = await writePolicyDir({ 'p.rego': REVIEW_POLICY });
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}/`;
  provider.redirectUris = [`${publicUrl}-/sso/callback`];
  // As Okta and Keycloak often do: the groups only at the userinfo endpoint.
  provider.groupsInIdToken = false;
  const a = await startAirlock({
    env: { AIRLOCK_SSO_SECRET: 'sso client secret' },
    config: {
      server: { port, publicUrl },
      repositories: [],
      policy: { paths: [policyDir] },
      access: {
        sso: {
          issuer: provider.url,
          clientId: 'airlock-review',
          clientSecret: { env: 'AIRLOCK_SSO_SECRET' },
          scopes: ['openid', 'profile', 'email', 'groups'],
          roles: [
            { claim: 'groups', value: 'platform-security', role: 'approver' },
            { claim: 'groups', value: 'developers', role: 'reader' },
          ],
          sessionTtl: '8h',
        },
      },
    },
  });
  try {
    const q = await a.app.airlock.gate.judgeArtifact(npmCandidate('held-sso', '1.0.0', { published_at: '2020-01-01T00:00:00Z' }), anonymousRequest);
    let token = '';
    await inChromium(a.url, async (cdp) => {
      await until(cdp, `document.getElementById('sso').hidden === false`, 'the SSO button');
      await cdp.evaluate(`document.getElementById('sso').click()`);
      await until(cdp, `${text('who')} === 'approver (sso:ada@example.com)'`, 'the signed-in reviewer');
      // The one-time code is gone from the URL and the history entry.
      assert.equal(await cdp.evaluate('location.href'), `${a.url}/-/ui/`);
      token = String(await cdp.evaluate(`sessionStorage.getItem('airlock.token')`));
      assert.match(token, /^airlock_/);
      await until(cdp, `document.querySelectorAll('#records tbody tr').length === 1`, 'the quarantine list');
      await cdp.evaluate(`document.querySelector('#records tbody tr').click()`);
      await until(cdp, `${text('d-state')} === 'quarantined'`, 'the detail view');
      await cdp.evaluate(`document.getElementById('r-reason').value = 'reviewed after SSO'; document.getElementById('review').requestSubmit(document.querySelector('button[data-action=release]'))`);
      await until(cdp, `${text('d-state')} === 'released'`, 'the release');

      // Signing out while the list of released records is on its way (the page's requests for it
      // held back 300 ms): the request goes out with the token before the token is revoked, so
      // nothing is refused, and its answer is not shown once signed out.
      await cdp.evaluate(`(() => {
        const f = window.fetch;
        window.fetch = async (u, i) => {
          if (!String(u).includes('/-/api/quarantine?')) return f(u, i);
          await new Promise((r) => setTimeout(r, 300));
          try { return await f(u, i); } finally { window.heldAnswered = true; }
        };
      })()`);
      await cdp.evaluate(`document.querySelector('#states button[data-state=released]').click()`);
      await cdp.evaluate(`document.getElementById('signout').click()`);
      await until(cdp, `window.heldAnswered === true`, 'the answer to the list request held back');
      await until(cdp, `${text('status')} === 'signed out: the token is revoked'`, 'the sign-out');
      assert.equal(await cdp.evaluate(`sessionStorage.getItem('airlock.token')`), null);
      assert.equal(await cdp.evaluate(`document.querySelectorAll('#records tbody tr').length`), 0, 'the list answered after sign-out is not shown');

      // Someone in no group a rule names: the no-role page, saying who they are and what they have.
      provider.user = { sub: 'u-2002', email: 'eve@example.com', name: 'Eve', groups: ['contractors', 'staff'] };
      await cdp.evaluate(`document.getElementById('sso').click()`);
      await until(cdp, `${text('title')} === 'No role in Airlock'`, 'the no-role page');
      assert.equal(await cdp.evaluate(text('message')), 'your account (eve@example.com) has no role in Airlock; ask an Airlock administrator to give one of your groups a role (access.sso.roles)');
      assert.equal(await cdp.evaluate(`[...document.querySelectorAll('#details li')].map((li) => li.textContent).join(' | ')`), 'subject: u-2002 | email: eve@example.com | groups: contractors, staff');
      // The provider refusing the sign-in: its error on a page, and a way to start again.
      provider.deny = true;
      await cdp.evaluate(`document.getElementById('again').click()`);
      await until(cdp, `${text('title')} === 'Sign-in refused by the identity provider'`, 'the refusal page');
      assert.match(String(await cdp.evaluate(text('message'))), /access_denied \(The user is not assigned to this application\)/);
      // The pages answered 403 (the browser logs each); nothing else went wrong.
      cdp.problems.splice(0, cdp.problems.length, ...cdp.problems.filter((p) => !/status of 403/.test(p)));
    });

    // Both sign-ins read the groups from userinfo, with the access token.
    assert.equal(provider.userinfoRequests.filter((h) => h?.startsWith('Bearer ') === true).length, 2);
    // The release is the SSO reviewer's: the record and the audit trail name their token.
    const rec = await a.app.airlock.quarantine.get(q.quarantineId as string);
    assert.equal(rec.state, 'released');
    const audit = await a.app.airlock.storage.metadata.listAudit({ limit: 1000 });
    const created = audit.find((e) => e.action === 'token.create' && e.actor === 'sso:u-1001');
    assert.ok(created !== undefined, 'the token.create event of the sign-in');
    assert.equal(rec.decidedBy, `token:${created.subject}`);
    assert.deepEqual((created.details as Record<string, unknown>)['oidc'], { issuer: provider.url, subject: 'u-1001', rule: 'roles[0] groups=platform-security', flow: 'sso' });
    assert.equal(audit.find((e) => e.action === 'quarantine.release')?.actor, `token:${created.subject}`);
    assert.equal(audit.find((e) => e.action === 'token.revoke')?.subject, created.subject);
    const stored = (await a.app.airlock.storage.metadata.listTokens()).find((t) => t.id === created.subject);
    assert.deepEqual([stored?.label, stored?.role, stored?.exchangedFrom], ['sso:ada@example.com', 'approver', provider.url]);
    // Signed out: the API refuses the token.
    const res = await fetch(`${a.url}/-/api/whoami`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 401);
    // Nobody but the first reviewer got a token.
    assert.equal(audit.filter((e) => e.action === 'token.create' && e.actor.startsWith('sso:')).length, 1);
  } finally {
    await a.close();
    await provider.close();
    await rm(policyDir, { recursive: true, force: true });
  }
});
