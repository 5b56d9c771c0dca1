package airlock_test

import rego.v1

artifact(size) := object.union(base_input, {"phase": "artifact", "facts": object.union(base_input.facts, {"tarball": {"size": size}})})

test_oversized_tarball_is_denied if {
	"size.artifact" in ids(data.airlock.deny) with input as artifact(268435457)
}

test_tarball_at_the_limit_is_allowed if {
	count(data.airlock.deny) == 0 with input as artifact(268435456)
}

test_limit_comes_from_settings if {
	"size.artifact" in ids(data.airlock.deny) with input as artifact(2000) with data.airlock.settings as with_settings({"max_artifact_bytes": 1000})
}

test_huge_declared_unpacked_size_is_quarantined if {
	"size.unpacked" in ids(data.airlock.quarantine) with input as with_facts({"declared_unpacked_size": 2000000000})
}
