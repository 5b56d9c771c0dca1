package airlock_test

import rego.v1

deprecated := with_facts({"deprecated": "use right-pad"})

test_deprecated_version_warns if {
	some f in data.airlock.warn with input as deprecated
	f.id == "deprecated"
	contains(f.msg, "use right-pad")
}

test_deprecated_quarantine_mode if {
	"deprecated" in ids(data.airlock.quarantine) with input as deprecated with data.airlock.settings as with_settings({"deprecated": "quarantine"})
}

test_empty_deprecation_is_ignored if {
	not "deprecated" in ids(data.airlock.warn) with input as with_facts({"deprecated": ""})
}
