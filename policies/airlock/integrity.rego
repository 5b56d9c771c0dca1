# Integrity: a version whose metadata only carries a SHA-1 digest is protected by a broken hash.
# `weak_integrity` in the settings: "allow", "warn" (default), "quarantine" or "deny".
package airlock

import rego.v1

weak_integrity_finding := {"id": "integrity.weak", "msg": sprintf("%s has only a SHA-1 digest (no sha512 integrity)", [package_label])} if {
	algorithms := input.facts.integrity_algorithms
	is_array(algorithms)
	not "sha512" in algorithms
}

warn contains weak_integrity_finding if cfg.weak_integrity == "warn"

quarantine contains weak_integrity_finding if cfg.weak_integrity == "quarantine"

deny contains weak_integrity_finding if cfg.weak_integrity == "deny"

# Registry signatures, checked in the artifact phase (`input.facts.registry_signature`) against the
# keys the repository trusts (`registryKeys`; by default the public npm registry's, pinned in
# Airlock). A signature by a trusted key that does not verify over the version's name, version and
# integrity means its metadata was altered after the registry signed it: a mirror or proxy in
# between swapped the tarball and its digest. `registry_signature_invalid`: "deny" (default),
# "quarantine", "warn" or "allow".
registry_signature_invalid_finding := {"id": "integrity.signature_invalid", "msg": msg} if {
	input.facts.registry_signature.status == "invalid"
	msg := sprintf("%s: its registry signature does not check out (%s): the metadata was altered after the registry signed it", [package_label, input.facts.registry_signature.error])
}

deny contains registry_signature_invalid_finding if cfg.registry_signature_invalid == "deny"

quarantine contains registry_signature_invalid_finding if cfg.registry_signature_invalid == "quarantine"

warn contains registry_signature_invalid_finding if cfg.registry_signature_invalid == "warn"

# A version not signed by any key the repository trusts: no signature at all, or only signatures
# by other keys. The public registry signs every version, so behind it this is a stripped or
# replaced signature; an internal registry may sign nothing. `registry_signature_missing`: "allow"
# (default), "warn", "quarantine" or "deny".
registry_signature_missing_finding := {"id": "integrity.signature_missing", "msg": msg} if {
	input.facts.registry_signature.status == "absent"
	msg := sprintf("%s has no registry signature", [package_label])
}

registry_signature_missing_finding := {"id": "integrity.signature_missing", "msg": msg} if {
	input.facts.registry_signature.status == "untrusted"
	msg := sprintf("%s is not signed by a registry key Airlock trusts (signed by %s)", [package_label, concat(", ", input.facts.registry_signature.keyids)])
}

deny contains registry_signature_missing_finding if cfg.registry_signature_missing == "deny"

quarantine contains registry_signature_missing_finding if cfg.registry_signature_missing == "quarantine"

warn contains registry_signature_missing_finding if cfg.registry_signature_missing == "warn"

# Sigstore attestations (`input.facts.attestations`, artifact phase): the bundles the registry
# serves for a version that lists `dist.attestations` — its publish attestation and, when built in
# CI, its SLSA provenance — verified against Sigstore's trusted root and the registry's keys, and
# checked to attest this very tarball. One that fails means the attestation, the metadata or the
# tarball was altered, or the attestation belongs to other bytes. `attestation_invalid`: "deny"
# (default), "quarantine", "warn" or "allow".
attestation_invalid_finding := {"id": "integrity.attestation_invalid", "msg": msg} if {
	input.facts.attestations.status == "invalid"
	msg := sprintf("%s: its attestations do not check out (%s)", [package_label, input.facts.attestations.error])
}

deny contains attestation_invalid_finding if cfg.attestation_invalid == "deny"

quarantine contains attestation_invalid_finding if cfg.attestation_invalid == "quarantine"

warn contains attestation_invalid_finding if cfg.attestation_invalid == "warn"

# Attestations listed but not checked: the upstream did not serve them, or a bundle is of a kind
# Airlock does not verify (a Rekor v2 entry, a timestamp-authority-only bundle).
# `attestation_unverifiable`: "allow", "warn" (default), "quarantine" or "deny".
attestation_unverifiable_finding := {"id": "integrity.attestation_unverifiable", "msg": msg} if {
	input.facts.attestations.status == "unverifiable"
	msg := sprintf("%s: its attestations could not be checked (%s)", [package_label, input.facts.attestations.error])
}

deny contains attestation_unverifiable_finding if cfg.attestation_unverifiable == "deny"

quarantine contains attestation_unverifiable_finding if cfg.attestation_unverifiable == "quarantine"

warn contains attestation_unverifiable_finding if cfg.attestation_unverifiable == "warn"
