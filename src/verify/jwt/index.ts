export { parseCompactJwt } from './compact.ts';
export { parseJwks, type JwtKeySet } from './jwks.ts';
export { checkJwtClaims, checkJwtSignature, selectJwtKey, verifyJwt } from './verify.ts';
export * from './types.ts';
