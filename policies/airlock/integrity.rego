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
