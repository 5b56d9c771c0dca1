package airlock_test

import rego.v1

blocked_settings := with_settings({"blocked": [
	{"ecosystem": "npm", "name": "left-pad", "reason": "unpublished drama"},
	{"ecosystem": "npm", "name": "event-stream", "versions": ["3.3.6"], "reason": "malicious flatmap-stream dependency"},
]})

event_stream(v) := object.union(base_input, {"artifact": {"ecosystem": "npm", "repo": "npm", "name": "event-stream", "version": v, "purl": sprintf("pkg:npm/event-stream@%s", [v])}})

test_every_version_of_a_blocked_name_is_denied if {
	some f in data.airlock.deny with input as base_input with data.airlock.settings as blocked_settings
	f.id == "blocklist"
	contains(f.msg, "unpublished drama")
}

test_blocked_version_is_denied if {
	"blocklist" in ids(data.airlock.deny) with input as event_stream("3.3.6") with data.airlock.settings as blocked_settings
}

test_other_versions_are_not_blocked if {
	not "blocklist" in ids(data.airlock.deny) with input as event_stream("3.3.5") with data.airlock.settings as blocked_settings
}

test_other_ecosystems_are_not_blocked if {
	pypi := object.union(base_input, {"artifact": {"ecosystem": "pypi", "repo": "pypi", "name": "left-pad", "version": "1.3.0", "purl": "pkg:pypi/left-pad@1.3.0"}})
	count(data.airlock.deny) == 0 with input as pypi with data.airlock.settings as blocked_settings
}
