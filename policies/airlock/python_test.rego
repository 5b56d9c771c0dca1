package airlock_test

import rego.v1

wheel(t) := object.union(base_input, {
	"phase": "artifact",
	"artifact": {"ecosystem": "pypi", "repo": "pypi", "name": "acme-tools", "version": "1.0", "purl": "pkg:pypi/acme-tools@1.0"},
	"facts": object.union(base_input.facts, {"integrity_algorithms": ["sha256"], "tarball": object.union(
		{"kind": "wheel", "size": 1000, "file_count": 3, "unpacked_size": 3000, "install_scripts": {}, "has_install_script": false, "unsafe_paths": [], "inspection_error": null, "startup_hooks": [], "metadata_mismatch": null},
		t,
	)}),
})

test_clean_wheel_is_allowed if {
	count(data.airlock.deny) == 0 with input as wheel({})
	count(data.airlock.quarantine) == 0 with input as wheel({})
}

test_startup_hook_is_quarantined_by_default if {
	"python.startup_hooks" in ids(data.airlock.quarantine) with input as wheel({"startup_hooks": ["evil.pth"]})
}

test_startup_hook_message_names_the_file_and_pins_with_double_equals if {
	some f in data.airlock.quarantine with input as wheel({"startup_hooks": ["evil.pth"]})
	f.id == "python.startup_hooks"
	f.msg == "acme-tools==1.0 ships .pth files that run code at every Python start (evil.pth)"
}

test_a_popular_established_package_with_a_startup_hook_is_only_warned_of if {
	inp := object.union(wheel({"startup_hooks": ["distutils-precedence.pth"]}), {"facts": {"name": {"popular": true}, "age": {"package_age_days": 4000}}})
	not "python.startup_hooks" in ids(data.airlock.quarantine) with input as inp
	"python.startup_hooks" in ids(data.airlock.warn) with input as inp
}

test_a_popular_but_new_package_with_a_startup_hook_is_held if {
	inp := object.union(wheel({"startup_hooks": ["x.pth"]}), {"facts": {"name": {"popular": true}, "age": {"package_age_days": 2}}})
	"python.startup_hooks" in ids(data.airlock.quarantine) with input as inp
}

test_startup_hook_setting_deny if {
	"python.startup_hooks" in ids(data.airlock.deny) with input as wheel({"startup_hooks": ["evil.pth"]})
		with data.airlock.settings as with_settings({"python_startup_hooks": "deny"})
}

test_startup_hook_allowed_package if {
	not "python.startup_hooks" in ids(data.airlock.quarantine) with input as wheel({"startup_hooks": ["evil.pth"]})
		with data.airlock.settings as with_settings({"install_scripts_allowed": ["acme-tools"]})
}

test_metadata_of_another_project_is_denied if {
	"python.identity" in ids(data.airlock.deny) with input as wheel({"metadata_mismatch": "its metadata names the project requests"})
}

test_npm_label_keeps_the_at_sign if {
	data.airlock.package_label == "left-pad@1.3.0" with input as base_input
}
