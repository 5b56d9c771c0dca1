export { isSsoFailure, SsoFailure, ssoNeedsAdmin, ssoStatus, type SsoFailureReason } from './failure.ts';
export { pkceChallenge, SsoService, type CallbackQuery, type SignedIn, type SsoDeps } from './flow.ts';
export { SsoProvider, type SsoHttp } from './provider.ts';
export { matchRole, type RoleMatch } from './roles.ts';
export { ssoRoutes, SSO_RATE_LIMIT, type SsoRouteOptions } from './routes.ts';
export { SsoSeal } from './seal.ts';
export * from './types.ts';
