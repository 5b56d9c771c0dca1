/**
 * Single sign-on to the review UI, end to end:
 * - `begin`: a fresh state, nonce and PKCE verifier, sealed into a short-lived cookie (any gateway
 *   sharing the key opens it: nothing is kept in one process's memory), and the identity
 *   provider's authorization URL with the state, nonce and S256 challenge;
 * - `complete`: the provider's answer checked against that cookie (its error said as it is; the
 *   state must be this browser's, of a sign-in not older than ten minutes), the code redeemed
 *   with the verifier, the ID token verified with the nonce, the claims the rules name read from
 *   it or the userinfo endpoint (role-claims.ts), a role found by the rules — then a
 *   one-time code sealed for the UI (a minute; the UI gets it in the URL fragment, which no
 *   server, log or Referer sees), bound to this browser by a value its cookie now holds;
 * - `redeem`: the UI's code for an ordinary Airlock token, minted as the CI exchange mints one
 *   (`token.create` audited with issuer, subject and rule), with a secret derived from the code,
 *   so a second redemption, on any gateway, collides with the first in the store and is refused;
 * - `signOut`: the token revoked, when it is a sign-in's.
 */
import { createHash, randomBytes } from 'node:crypto';
import { isAirlockError, type PlainObject } from '../../../core/index.ts';
import { mintExchangedToken, type ExchangedToken } from '../oidc/index.ts';
import type { TokenService } from '../token-service.ts';
import { SsoFailure } from './failure.ts';
import { sameText, SsoProvider, type SsoHttp } from './provider.ts';
import { roleClaims } from './role-claims.ts';
import { matchRole } from './roles.ts';
import { SsoSeal } from './seal.ts';
import { HANDOFF_TTL_MS, LOGIN_TTL_MS, type SsoSettings } from './types.ts';

export interface SsoDeps {
  readonly http: SsoHttp;
  readonly tokens: TokenService;
  readonly clock: () => Date;
}

/** What the provider sent back to the callback (its query). */
export interface CallbackQuery {
  readonly code?: string;
  readonly state?: string;
  readonly error?: string;
  readonly error_description?: string;
}

/** Who signed in, for the log; the one-time code and what binds it to this browser (its cookie). */
export interface SignedIn {
  readonly handoff: string;
  readonly binding: string;
  readonly subject: string;
  readonly email: string | null;
  readonly role: string;
  readonly rule: string;
}

const random = (): string => randomBytes(32).toString('base64url');
const MAX_PARAM_CHARS = 4096;

export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

function str(o: PlainObject, k: string): string | null {
  const v = o[k];
  return typeof v === 'string' && v !== '' ? v : null;
}

const START_AGAIN = ['Start again from the review UI.'];

export class SsoService {
  readonly #deps: SsoDeps;
  readonly #settings: SsoSettings;
  readonly #provider: SsoProvider;
  readonly #seal: SsoSeal;

  constructor(deps: SsoDeps, settings: SsoSettings) {
    this.#deps = deps;
    this.#settings = settings;
    this.#provider = new SsoProvider({ http: deps.http, now: () => deps.clock().getTime() }, settings);
    const key = settings.sessionKey ?? settings.clientSecret;
    if (key === null) throw new Error('single sign-on needs a session key or a client secret to seal its state with');
    this.#seal = new SsoSeal(key.reveal());
  }

  get issuer(): string {
    return this.#settings.issuer;
  }

  /** The URL to send the browser to, and the sealed sign-in state to keep in its cookie. */
  async begin(): Promise<{ readonly location: URL; readonly state: string }> {
    const p = { state: random(), nonce: random(), verifier: random() };
    const location = await this.#provider.authorizationUrl({ state: p.state, nonce: p.nonce, challenge: pkceChallenge(p.verifier) });
    return { location, state: this.#seal.seal('login', p, this.#deps.clock().getTime() + LOGIN_TTL_MS) };
  }

  /** The provider's answer, with the browser's sealed state (its cookie): the one-time code for the UI, or an SsoFailure. */
  async complete(query: CallbackQuery, cookie: string | null): Promise<SignedIn> {
    if (query.error !== undefined) {
      const error = query.error.slice(0, 100);
      const description = query.error_description?.slice(0, 300);
      throw new SsoFailure('idp-error', `the identity provider did not sign you in: ${error}${description === undefined ? '' : ` (${description})`}`, error === 'access_denied' ? ['If you should have access to Airlock, ask the administrator of your identity provider.', ...START_AGAIN] : START_AGAIN);
    }
    const login = this.#login(cookie, query.state);
    const code = query.code;
    if (code === undefined || code === '' || code.length > MAX_PARAM_CHARS) throw new SsoFailure('state', 'the identity provider sent no authorization code back', START_AGAIN);
    const { idToken, accessToken } = await this.#provider.redeem(code, login.verifier);
    const verified = await this.#provider.verify(idToken, login.nonce);
    const subject = verified.subject;
    const s = this.#settings;
    const claims = await roleClaims(this.#provider, { groupsFrom: s.groupsFrom, rules: s.roles, idClaims: verified.claims, subject, accessToken });
    const email = str(claims, 'email');
    const match = matchRole(this.#settings.roles, claims);
    if (match.kind === 'none') {
      const has = Object.entries(match.has).map(([claim, values]) => `${claim}: ${values.length === 0 ? '(none)' : values.join(', ')}`);
      throw new SsoFailure('no-role', `your account (${email ?? subject}) has no role in Airlock; ask an Airlock administrator to give one of your groups a role (access.sso.roles)`, [`subject: ${subject.slice(0, 200)}`, ...(email === null ? [] : [`email: ${email.slice(0, 200)}`]), ...has]);
    }
    // The code is redeemed only with this browser's cookie: nobody can make another browser sign in as them.
    const binding = random();
    const grant = { id: random(), bind: pkceChallenge(binding), sub: subject, email, name: str(claims, 'preferred_username') ?? str(claims, 'name'), role: match.rule.role, rule: match.rule.name };
    const handoff = this.#seal.seal('handoff', grant, this.#deps.clock().getTime() + HANDOFF_TTL_MS);
    return { handoff, binding, subject, email, role: match.rule.role, rule: match.rule.name };
  }

  #login(cookie: string | null, state: string | undefined): { readonly nonce: string; readonly verifier: string } {
    if (cookie === null) throw new SsoFailure('state', 'this browser has no sign-in under way (it was started in another browser, or its cookie was refused or has gone)', START_AGAIN);
    const opened = this.#seal.open('login', cookie, this.#deps.clock().getTime());
    if (opened.kind === 'expired') throw new SsoFailure('state', 'the sign-in took longer than ten minutes', START_AGAIN);
    if (opened.kind === 'invalid') throw new SsoFailure('state', 'the sign-in state in this browser is not one this Airlock made', START_AGAIN);
    const p = opened.payload;
    const [s, nonce, verifier] = [str(p, 'state'), str(p, 'nonce'), str(p, 'verifier')];
    if (s === null || nonce === null || verifier === null) throw new SsoFailure('state', 'the sign-in state in this browser is incomplete', START_AGAIN);
    if (state === undefined || !sameText(state, s)) throw new SsoFailure('state', "the identity provider's answer is not for the sign-in this browser started (its state differs)", START_AGAIN);
    return { nonce, verifier };
  }

  /**
   * A one-time code, with the binding the callback gave this browser (its cookie), for the
   * signed-in person's token; an SsoFailure (`code`) when it is not one, another browser's, expired or used.
   */
  async redeem(handoff: string, binding: string | null): Promise<ExchangedToken> {
    const now = this.#deps.clock();
    const opened = this.#seal.open('handoff', handoff, now.getTime());
    if (opened.kind === 'expired') throw new SsoFailure('code', 'the sign-in code expired (it lasts a minute): sign in again');
    if (opened.kind === 'invalid') throw new SsoFailure('code', 'this is not a sign-in code of this Airlock: sign in again');
    const g = opened.payload;
    const [id, sub, role, rule] = [str(g, 'id'), str(g, 'sub'), str(g, 'role'), str(g, 'rule')];
    if (id === null || sub === null || role === null || rule === null) throw new SsoFailure('code', 'the sign-in code is incomplete: sign in again');
    const bind = str(g, 'bind');
    if (bind === null || binding === null || !sameText(pkceChallenge(binding), bind)) throw new SsoFailure('code', 'this sign-in code was not made for this browser: sign in again');
    const who = str(g, 'email') ?? str(g, 'name') ?? sub;
    const grant = { issuer: this.#settings.issuer, subject: sub, rule, role: role as ExchangedToken['role'], label: `sso:${who}`, ttlMs: this.#settings.sessionTtlMs, scope: null, flow: 'sso' as const, secret: this.#seal.tokenSecret(id) };
    try {
      return await mintExchangedToken(this.#deps.tokens, grant, now);
    } catch (err) {
      // The same code makes the same secret: the store has it already.
      if (isAirlockError(err, 'CONFLICT')) throw new SsoFailure('code', 'this sign-in code was used already: sign in again');
      throw err;
    }
  }

  /** Revokes the token `secret` when it is a sign-in's (of this issuer); false when it is not (nothing done). */
  async signOut(secret: string): Promise<boolean> {
    const rec = await this.#deps.tokens.verify(secret);
    if (rec === null || rec.exchangedFrom !== this.#settings.issuer || !rec.label.startsWith('sso:')) return false;
    await this.#deps.tokens.revoke(rec.id, `token:${rec.id}`);
    return true;
  }
}
