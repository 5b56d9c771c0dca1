export { parseCompactJwt } from './compact.ts';
export { parseJwks, publicJwkFromPem, type JwtKeySet } from './jwks.ts';
export { algorithmForKey, checkJwtClaims, checkJwtSignature, selectJwtKey, verifyJwt } from './verify.ts';
export * from './types.ts';
