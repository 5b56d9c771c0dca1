export { checkRegistrySignature, signedIntegrity, type SignatureCheck, type SignatureStatus } from './registry-signature.ts';
export { NO_REGISTRY_KEYS, publicRegistryKeys, registryKeysOf, registryKeySet, type RegistryKey, type RegistryKeySet, type RegistryKeyUsage } from './registry-keys.ts';
