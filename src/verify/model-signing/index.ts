export { verifyModelSignature } from './verify.ts';
export { isIgnoredModelPath, modelFileCoverage } from './coverage.ts';
export { checkModelSigningTrust, modelSigningKeyHint } from './trust.ts';
export { MODEL_SIGNING_IGNORE_PATHS, MODEL_DIGESTS_V01, MODEL_SIGNATURE_V1 } from './statement.ts';
export {
  MODEL_SIGNING_LIMITS,
  type ModelFileCoverage,
  type ModelManifest,
  type ModelSignatureCheck,
  type ModelSigner,
  type ModelSigningLimits,
  type ModelSigningMode,
  type ModelSigningTrust,
} from './types.ts';
