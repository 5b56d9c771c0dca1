package airlock_test

import rego.v1

young := with_facts({"published_at": "2026-03-09T12:00:00Z"})

test_young_version_is_quarantined if {
	"cooldown" in ids(data.airlock.quarantine) with input as young
}

test_cooldown_message_names_package_and_age if {
	some f in data.airlock.quarantine with input as young
	f.id == "cooldown"
	contains(f.msg, "left-pad@1.3.0 was published 24 hours ago")
}

test_version_older_than_cooldown_is_allowed if {
	not "cooldown" in ids(data.airlock.quarantine) with input as with_facts({"published_at": "2026-03-07T11:59:59Z"})
}

# The boundary, to the nanosecond: exactly cooldown_days old is out of cooldown, a nanosecond younger is in.
test_cooldown_boundary_is_exact if {
	not "cooldown" in ids(data.airlock.quarantine) with input as with_facts({"published_at": "2026-03-07T12:00:00Z"})
	"cooldown" in ids(data.airlock.quarantine) with input as with_facts({"published_at": "2026-03-07T12:00:00.000000001Z"})
}

test_cooldown_zero_disables_the_rule if {
	not "cooldown" in ids(data.airlock.quarantine) with input as young with data.airlock.settings as with_settings({"cooldown_days": 0})
}

test_hosted_packages_skip_cooldown if {
	hosted := object.union(young, {"artifact": {"repo": "internal", "repo_kind": "hosted"}})
	not "cooldown" in ids(data.airlock.quarantine) with input as hosted
	"cooldown" in ids(data.airlock.quarantine) with input as object.union(young, {"artifact": {"repo_kind": "proxy"}})
}

test_exempt_package_skips_cooldown if {
	not "cooldown" in ids(data.airlock.quarantine) with input as young with data.airlock.settings as with_settings({"cooldown_exempt": ["left-pad"]})
}

test_future_publication_time_is_held_back if {
	"cooldown" in ids(data.airlock.quarantine) with input as with_facts({"published_at": "2027-01-01T00:00:00Z"})
}

test_unknown_publication_time_warns if {
	"cooldown.unknown_age" in ids(data.airlock.warn) with input as with_facts({"published_at": null})
	count(data.airlock.quarantine) == 0 with input as with_facts({"published_at": null})
}

# The fast lane: a fix release following a known-malicious one skips the cooldown.

fix_release(extra) := with_facts(object.union(
	{"published_at": "2026-03-09T12:00:00Z", "malicious": {"version_listed": false, "previous_version_listed": true, "previous_version": "1.2.9"}},
	extra,
))

test_fix_of_a_malicious_predecessor_skips_the_cooldown if {
	inp := fix_release({})
	not "cooldown" in ids(data.airlock.quarantine) with input as inp
	some w in data.airlock.warn with input as inp
	w.id == "cooldown.fast_lane"
	contains(w.msg, "left-pad@1.2.9")
}

test_fast_lane_needs_the_same_publishing_setup if {
	"cooldown" in ids(data.airlock.quarantine) with input as fix_release({"publisher_changes": {"publisher_new": true}})
	"cooldown" in ids(data.airlock.quarantine) with input as fix_release({"publisher_changes": {"provenance_regression": true}})
	"cooldown" in ids(data.airlock.quarantine) with input as fix_release({"publisher_changes": {"trusted_publisher_dropped": true}})
}

test_fast_lane_can_be_turned_off if {
	"cooldown" in ids(data.airlock.quarantine) with input as fix_release({}) with data.airlock.settings as with_settings({"cooldown_fast_lane": false})
}

test_no_fast_lane_without_a_listed_predecessor if {
	"cooldown" in ids(data.airlock.quarantine) with input as fix_release({"malicious": {"previous_version_listed": false}})
}

# The fast lane for the fix of a critical vulnerability of the predecessor.

vuln_fix_release(extra) := with_facts(object.union(
	{"published_at": "2026-03-09T12:00:00Z", "vulnerabilities": {"records": [], "previous_version": "1.2.9", "fixes": [{"id": "GHSA-xvch-5gv4-984h", "severity": "critical"}]}},
	extra,
))

test_fix_of_a_critical_vulnerability_skips_the_cooldown if {
	inp := vuln_fix_release({})
	not "cooldown" in ids(data.airlock.quarantine) with input as inp
	some w in data.airlock.warn with input as inp
	w.id == "cooldown.fast_lane"
	w.msg == "left-pad@1.3.0 skips the 3-day cooldown: it fixes GHSA-xvch-5gv4-984h of left-pad@1.2.9"
}

test_no_fast_lane_for_a_lesser_fix_or_a_fix_still_vulnerable if {
	"cooldown" in ids(data.airlock.quarantine) with input as vuln_fix_release({"vulnerabilities": {"fixes": [{"id": "GHSA-x", "severity": "high"}]}})
	still := vuln_fix_release({"vulnerabilities": {"records": [{"id": "GHSA-other", "severity": "critical"}]}})
	"cooldown" in ids(data.airlock.quarantine) with input as still
	"cooldown" in ids(data.airlock.quarantine) with input as vuln_fix_release({"publisher_changes": {"publisher_new": true}})
}

test_vulnerability_fast_lane_levels_are_settings if {
	high := vuln_fix_release({"vulnerabilities": {"fixes": [{"id": "GHSA-x", "severity": "high"}]}})
	not "cooldown" in ids(data.airlock.quarantine) with input as high with data.airlock.settings as with_settings({"cooldown_fast_lane_vulnerabilities": ["critical", "high"]})
	"cooldown" in ids(data.airlock.quarantine) with input as vuln_fix_release({}) with data.airlock.settings as with_settings({"cooldown_fast_lane": false})
}
