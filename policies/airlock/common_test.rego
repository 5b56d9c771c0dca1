package airlock_test

import rego.v1

test_ordinary_version_is_allowed_without_findings if {
	count(data.airlock.deny) == 0 with input as base_input
	count(data.airlock.quarantine) == 0 with input as base_input
	count(data.airlock.warn) == 0 with input as base_input
}

test_unknown_input_version_is_denied if {
	"airlock.input_version" in ids(data.airlock.deny) with input as object.union(base_input, {"version": 2})
}
