package airlock_test

import rego.v1

tarball(t) := object.union(base_input, {"phase": "artifact", "facts": object.union(base_input.facts, {"tarball": object.union(
	{"size": 1000, "file_count": 3, "unpacked_size": 3000, "install_scripts": {}, "has_install_script": false, "unsafe_paths": [], "manifest_name": "left-pad", "manifest_version": "1.3.0", "manifest_error": null, "inspection_error": null},
	t,
)})})

test_clean_tarball_is_allowed if {
	count(data.airlock.deny) == 0 with input as tarball({})
	count(data.airlock.quarantine) == 0 with input as tarball({})
}

test_path_traversal_is_denied if {
	"tarball.unsafe_paths" in ids(data.airlock.deny) with input as tarball({"unsafe_paths": ["package/../../etc/passwd"]})
}

test_tarball_of_another_package_is_denied if {
	"tarball.identity" in ids(data.airlock.deny) with input as tarball({"manifest_name": "evil-pad"})
}

test_tarball_of_another_version_is_denied if {
	"tarball.identity" in ids(data.airlock.deny) with input as tarball({"manifest_version": "9.9.9"})
}

test_uninspectable_tarball_is_quarantined if {
	"tarball.uninspectable" in ids(data.airlock.quarantine) with input as tarball({"inspection_error": "gzip: invalid header"})
}

test_unreadable_manifest_is_quarantined if {
	"tarball.manifest_unreadable" in ids(data.airlock.quarantine) with input as tarball({"manifest_error": "package.json is not valid JSON", "manifest_name": null, "manifest_version": null})
}
