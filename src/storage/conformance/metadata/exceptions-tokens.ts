import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuditEventInput, PolicyException, TokenRecord } from '../../ports/index.ts';
import { rejectsWithCode } from '../helpers.ts';
import { at, DAY, exceptionRec, tokenRec, using } from './fixture.ts';
import type { MakeMetadataFixture } from './fixture.ts';

const ids = (list: readonly { id: string }[]): string[] => list.map((r) => r.id);
const auditOf = (t: TokenRecord): AuditEventInput => ({ at: t.createdAt, actor: 'system', action: 'token.create', subject: t.id, details: { role: t.role } });

export function exceptionStoreCases(make: MakeMetadataFixture): void {
  test('exceptions: active ones for a package, expiry exclusive, every version or one', using(make, async (store) => {
    const forever = exceptionRec({ expiresAt: null, createdAt: at(1) });
    const oneVersion = exceptionRec({ version: '2.0.0', rules: [], createdAt: at(2) });
    const expiresSoon = exceptionRec({ expiresAt: at(DAY), createdAt: at(3) });
    const otherPkg = exceptionRec({ name: 'right-pad', createdAt: at(4) });
    const otherEco = exceptionRec({ ecosystem: 'pypi', createdAt: at(5) });
    for (const e of [forever, oneVersion, expiresSoon, otherPkg, otherEco]) await store.putException(e);

    assert.deepEqual(await store.activeExceptions('npm', 'left-pad', at(0)), [forever, oneVersion, expiresSoon]);
    assert.deepEqual(ids(await store.activeExceptions('npm', 'left-pad', at(DAY))), ids([forever, oneVersion]), 'expired at its expiry instant');
    assert.deepEqual(ids(await store.activeExceptions('npm', 'left-pad', at(30 * DAY))), ids([forever]));
    assert.deepEqual(await store.activeExceptions('npm', 'nothing', at(0)), []);
  }));

  test('exceptions: put replaces by id; delete once', using(make, async (store) => {
    const e = exceptionRec();
    await store.putException(e);
    const changed: PolicyException = { ...e, reason: 'extended', expiresAt: at(60 * DAY) };
    await store.putException(changed);
    assert.deepEqual(await store.activeExceptions('npm', 'left-pad', at(0)), [changed]);
    assert.equal(await store.deleteException(e.id), true);
    assert.equal(await store.deleteException(e.id), false);
    assert.deepEqual(await store.activeExceptions('npm', 'left-pad', at(0)), []);
  }));

  test('exceptions: listed newest first in pages; invalid ones refused', using(make, async (store) => {
    const recs = Array.from({ length: 7 }, (_, i) => exceptionRec({ name: `pkg-${i}`, createdAt: at(i) }));
    for (const r of recs) await store.putException(r);
    const first = await store.listExceptions({ limit: 4 });
    assert.ok(first.nextCursor !== null);
    const second = await store.listExceptions({ limit: 4, cursor: first.nextCursor });
    assert.equal(second.nextCursor, null);
    assert.deepEqual(ids([...first.items, ...second.items]), ids([...recs].reverse()));
    await rejectsWithCode(store.putException(exceptionRec({ ecosystem: 'cargo' as never })), 'BAD_REQUEST');
    await rejectsWithCode(store.putException(exceptionRec({ rules: [''] })), 'BAD_REQUEST');
    // PostgreSQL's text cannot hold a NUL: refused by both drivers alike, not a storage error on
    // one.
    await rejectsWithCode(store.putException(exceptionRec({ reason: 'vendored\u0000fork' })), 'BAD_REQUEST');
    await rejectsWithCode(store.putException(exceptionRec({ expiresAt: new Date(Number.NaN) })), 'BAD_REQUEST');
  }));
}

export function tokenStoreCases(make: MakeMetadataFixture): void {
  test('tokens: put, find by hash, list in creation order', using(make, async (store) => {
    const reader = tokenRec({ createdAt: at(1) });
    const admin = tokenRec({ role: 'admin', label: 'bootstrap', expiresAt: at(DAY), createdAt: at(0) });
    await store.putToken(reader);
    await store.putToken(admin);
    assert.deepEqual(await store.findTokenByHash(reader.hash), reader);
    assert.deepEqual(await store.findTokenByHash(admin.hash), admin);
    assert.equal(await store.findTokenByHash('0'.repeat(64)), null);
    assert.deepEqual(await store.listTokens(), [admin, reader]);
    await rejectsWithCode(store.putToken(tokenRec({ label: 'ci\u0000bot' })), 'BAD_REQUEST');
    await rejectsWithCode(store.putToken(tokenRec({ label: 'x'.repeat(201) })), 'LIMIT_EXCEEDED');
  }));

  test('tokens: listed newest first in pages (keyset on createdAt, then id): stable while tokens are added; a bad cursor refused', using(make, async (store) => {
    // Two created at the same instant: the id orders them.
    const recs = [0, 1, 2, 2, 3, 4, 5].map((t, i) => tokenRec({ createdAt: at(t), id: `tok-${t}-${i}`, label: `t${i}` }));
    for (const r of recs) await store.putToken(r);
    const newestFirst = [...recs].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1));
    const first = await store.listTokensPage({ limit: 3 });
    assert.deepEqual(first.items, newestFirst.slice(0, 3));
    assert.ok(first.nextCursor !== null);
    // A token created meanwhile is not on a later page, nor does it shift one.
    await store.putToken(tokenRec({ createdAt: at(9), id: 'tok-late' }));
    const second = await store.listTokensPage({ limit: 3, cursor: first.nextCursor });
    assert.ok(second.nextCursor !== null);
    const third = await store.listTokensPage({ limit: 3, cursor: second.nextCursor });
    assert.equal(third.nextCursor, null);
    assert.deepEqual([...first.items, ...second.items, ...third.items], newestFirst);
    assert.deepEqual((await store.listTokensPage({ limit: 100 })).items.map((t) => t.id), ['tok-late', ...newestFirst.map((t) => t.id)]);
    await rejectsWithCode(store.listTokensPage({ limit: 3, cursor: 'not a cursor' }), 'BAD_REQUEST');
    await rejectsWithCode(store.listTokensPage({ limit: 0 }), 'BAD_REQUEST');
  }));

  test('tokens: revoke once; a first token only while none is active (revoked and expired ones do not count)', using(make, async (store) => {
    const first = tokenRec({ role: 'admin', expiresAt: at(DAY) });
    assert.equal(await store.putTokenIfNoneActive(first, at(0), auditOf(first)), true);
    const second = tokenRec({ role: 'admin' });
    assert.equal(await store.putTokenIfNoneActive(second, at(0), auditOf(second)), false, 'one is active');
    assert.equal(await store.putTokenIfNoneActive(second, at(DAY - 1), auditOf(second)), false, 'active until its expiry instant');
    assert.equal(await store.findTokenByHash(second.hash), null, 'nothing written');
    assert.deepEqual((await store.listAudit({ limit: 10 })).map((e) => e.subject), [first.id], 'no event for what was not written');
    assert.equal(await store.putTokenIfNoneActive(second, at(DAY), auditOf(second)), true, 'expired at its expiry instant');
    assert.equal(await store.revokeToken(second.id, at(DAY + 10)), true);
    assert.equal(await store.revokeToken(second.id, at(DAY + 20)), false);
    assert.equal(await store.revokeToken('no-such-token', at(DAY + 20)), false);
    assert.deepEqual((await store.findTokenByHash(second.hash))?.revokedAt, at(DAY + 10), 'revoked tokens are still found (callers check)');
    const third = tokenRec({ role: 'approver' });
    assert.equal(await store.putTokenIfNoneActive(third, at(DAY + 30)), true, 'a revoked token is not active');
    await rejectsWithCode(store.putTokenIfNoneActive(tokenRec({ hash: 'not-hex' }), at(DAY * 2)), 'BAD_REQUEST');
    assert.equal(await store.revokeToken(third.id, at(DAY + 40)), true);
    await rejectsWithCode(store.putTokenIfNoneActive(tokenRec({ hash: first.hash }), at(DAY * 2)), 'CONFLICT');
    assert.equal((await store.listTokens()).length, 3);
  }));

  test('tokens: nodes racing for the first token on one store create exactly one', using(make, async (store, fixture) => {
    const peer = await fixture.openPeer();
    const racers = Array.from({ length: 8 }, (_, i) => tokenRec({ role: 'admin', label: `node ${i}` }));
    const won = await Promise.all(racers.map((t, i) => (i % 2 === 0 ? store : peer).putTokenIfNoneActive(t, at(0), auditOf(t))));
    assert.equal(won.filter(Boolean).length, 1, `winners: ${JSON.stringify(won)}`);
    assert.equal((await peer.listTokens()).length, 1);
    assert.equal((await store.listAudit({ limit: 10 })).length, 1);
  }));

  test('tokens: put replaces by id; a secret shared with another token is a CONFLICT', using(make, async (store) => {
    const t = tokenRec();
    await store.putToken(t);
    await store.putToken({ ...t, label: 'renamed' });
    assert.equal((await store.findTokenByHash(t.hash))?.label, 'renamed');
    await rejectsWithCode(store.putToken(tokenRec({ hash: t.hash })), 'CONFLICT');
    await rejectsWithCode(store.putToken(tokenRec({ role: 'root' as never })), 'BAD_REQUEST');
    await rejectsWithCode(store.putToken(tokenRec({ hash: 'not-hex' })), 'BAD_REQUEST');
    assert.equal((await store.listTokens()).length, 1);
  }));

  test('tokens: a scope reads back as written; one that limits nothing reads back as none; malformed ones are refused', using(make, async (store) => {
    const scoped = tokenRec({ role: 'publisher', createdAt: at(1), scope: { repos: ['internal', 'all'], packages: ['@acme/*', 'acme-billing'] } });
    const reposOnly = tokenRec({ createdAt: at(2), scope: { repos: ['npm'], packages: null } });
    const open = tokenRec({ createdAt: at(3), scope: { repos: null, packages: null } });
    for (const t of [scoped, reposOnly, open]) await store.putToken(t);
    assert.deepEqual(await store.findTokenByHash(scoped.hash), scoped);
    assert.deepEqual(await store.findTokenByHash(reposOnly.hash), reposOnly);
    assert.deepEqual((await store.findTokenByHash(open.hash))?.scope, null);
    assert.deepEqual((await store.listTokens()).map((t) => t.scope), [scoped.scope, reposOnly.scope, null]);
    for (const scope of [{ repos: [], packages: null }, { repos: [''], packages: null }, { repos: null, packages: Array.from({ length: 65 }, (_, i) => `p${i}`) }, { repos: ['x'], packages: null, roles: ['admin'] }]) {
      await rejectsWithCode(store.putToken(tokenRec({ scope: scope as never })), 'BAD_REQUEST');
    }
    assert.equal((await store.listTokens()).length, 3);
  }));
  test('tokens: expired exchanged tokens are purged, oldest expiry first, a limited number at a time; no other token is', using(make, async (store) => {
    const issuer = 'https://token.actions.example';
    const exchanged = Array.from({ length: 5 }, (_, i) => tokenRec({ createdAt: at(i), expiresAt: at(1000 + i * 100), exchangedFrom: issuer, label: `oidc:${i}` }));
    const revoked = tokenRec({ createdAt: at(10), expiresAt: at(1050), revokedAt: at(20), exchangedFrom: issuer });
    const adminExpired = tokenRec({ createdAt: at(11), expiresAt: at(500), label: 'expired by hand' });
    const forever = tokenRec({ createdAt: at(12), label: 'forever' });
    for (const t of [...exchanged, revoked, adminExpired, forever]) await store.putToken(t);
    assert.deepEqual(await store.findTokenByHash(exchanged[0]?.hash ?? ''), exchanged[0], 'exchangedFrom reads back');

    assert.equal(await store.purgeExchangedTokens(at(999), 10), 0, 'none expired yet');
    assert.equal(await store.purgeExchangedTokens(at(1100), 1), 1, 'the limit holds');
    assert.equal(await store.findTokenByHash(exchanged[0]?.hash ?? ''), null, 'the oldest expiry went first');
    assert.equal(await store.purgeExchangedTokens(at(1100), 10), 2, 'expiry inclusive: the next one and the revoked one');
    assert.deepEqual((await store.listTokens()).map((t) => t.label), ['oidc:2', 'oidc:3', 'oidc:4', 'expired by hand', 'forever']);
    assert.equal(await store.purgeExchangedTokens(at(100_000), 1000), 3);
    assert.deepEqual((await store.listTokens()).map((t) => t.label), ['expired by hand', 'forever'], 'tokens an administrator made stay, expired or not');
    await rejectsWithCode(store.purgeExchangedTokens(at(0), 0), 'BAD_REQUEST');
    await rejectsWithCode(store.putToken(tokenRec({ exchangedFrom: issuer, expiresAt: null })), 'BAD_REQUEST');
  }));
}
