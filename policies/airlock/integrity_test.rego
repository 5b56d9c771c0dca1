package airlock_test

import rego.v1

test_sha1_only_warns if {
	"integrity.weak" in ids(data.airlock.warn) with input as with_facts({"integrity_algorithms": ["sha1"]})
}

test_sha512_is_fine if {
	not "integrity.weak" in ids(data.airlock.warn) with input as base_input
}

test_weak_integrity_deny_mode if {
	"integrity.weak" in ids(data.airlock.deny) with input as with_facts({"integrity_algorithms": ["sha1"]}) with data.airlock.settings as with_settings({"weak_integrity": "deny"})
}
