export { asJson, type CollectorSubject, type FactsDoc, type SignalCollector } from './types.ts';
export { nameCollector, type NameCollectorDeps } from './name.ts';
export { ageCollector, type AgeCollectorDeps } from './age.ts';
export { missingCollector } from './missing.ts';
export { maliciousCollector } from './malicious.ts';
export { installBehaviourCollector } from './install-behaviour.ts';
