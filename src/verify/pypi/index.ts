export { checkPypiProvenance, NO_PROVENANCE, PYPI_PUBLISH_V1, SLSA_PROVENANCE_V1, type PypiProvenanceCheck, type PypiProvenanceDocument, type PypiPublisherFacts, type PypiSigningIdentity } from './provenance.ts';
export { canonicalDistFilename } from './dist-filename.ts';
