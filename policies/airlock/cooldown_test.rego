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

test_cooldown_zero_disables_the_rule if {
	not "cooldown" in ids(data.airlock.quarantine) with input as young with data.airlock.settings as with_settings({"cooldown_days": 0})
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
