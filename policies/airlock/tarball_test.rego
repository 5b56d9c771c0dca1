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

test_a_shrinkwrap_pinning_sources_outside_the_registry_is_quarantined if {
	sw := {"entries": 2, "external": ["node_modules/inner from http://203.0.113.9/inner.tgz"], "external_count": 1, "error": null}
	some f in data.airlock.quarantine with input as tarball({"shrinkwrap": sw})
	f.id == "tarball.shrinkwrap_external"
	contains(f.msg, "install 1 of its dependencies from outside the registry, past Airlock (node_modules/inner from http://203.0.113.9/inner.tgz)")
}

test_a_shrinkwrap_of_registry_sources_or_none_passes if {
	count(data.airlock.quarantine) == 0 with input as tarball({"shrinkwrap": {"entries": 40, "external": [], "external_count": 0, "error": null}})
	count(data.airlock.quarantine) == 0 with input as tarball({"shrinkwrap": null})
}

test_an_unreadable_shrinkwrap_is_quarantined_and_the_setting_can_deny if {
	sw := {"entries": 0, "external": [], "external_count": 0, "error": "npm-shrinkwrap.json is not valid JSON"}
	"tarball.shrinkwrap_external" in ids(data.airlock.quarantine) with input as tarball({"shrinkwrap": sw})
	both := object.union(sw, {"external": ["node_modules/x from git+ssh://h/x.git"], "external_count": 1})
	count([f | some f in data.airlock.deny; f.id == "tarball.shrinkwrap_external"]) == 2 with input as tarball({"shrinkwrap": both}) with data.airlock.settings as with_settings({"shrinkwrap_external": "deny"})
}

test_a_replaced_tarball_is_quarantined_naming_both_digests if {
	t := {"sha512": concat("", ["cd", "cd", "cd", "cd", "cd", "cd", "cd", "cd", "cd", "cd"]), "replaces_sha512": concat("", ["ab", "ab", "ab", "ab", "ab", "ab", "ab", "ab", "ab", "ab"])}
	some f in data.airlock.quarantine with input as tarball(t)
	f.id == "tarball.replaced"
	endswith(f.msg, ": the upstream replaced its tarball after Airlock stored it (sha512 abababababababab… first, now cdcdcdcdcdcdcdcd…); a published version's tarball never changes on the npm registry")
	not "tarball.replaced" in ids(data.airlock.quarantine) with input as tarball({"sha512": "cd", "replaces_sha512": null})
	not "tarball.replaced" in ids(data.airlock.quarantine) with input as tarball({})
}

test_the_replaced_tarball_setting_chooses_the_action if {
	t := {"sha512": "cdcdcdcdcdcdcdcdcd", "replaces_sha512": "abababababababababab"}
	"tarball.replaced" in ids(data.airlock.deny) with input as tarball(t) with data.airlock.settings as with_settings({"replaced_tarball": "deny"})
	"tarball.replaced" in ids(data.airlock.warn) with input as tarball(t) with data.airlock.settings as with_settings({"replaced_tarball": "warn"})
	not "tarball.replaced" in ids(data.airlock.quarantine) with input as tarball(t) with data.airlock.settings as with_settings({"replaced_tarball": "allow"})
	not "tarball.replaced" in ids(data.airlock.warn) with input as tarball(t) with data.airlock.settings as with_settings({"replaced_tarball": "allow"})
}

test_a_dependency_only_the_package_json_declares_is_quarantined_naming_it if {
	t := {"manifest_differences": [{"field": "dependencies", "name": "hidden-dep", "registry": null, "tarball": "^1.0.0"}], "manifest_difference_count": 1}
	some f in data.airlock.quarantine with input as tarball(t)
	f.id == "tarball.manifest_confusion"
	contains(f.msg, "its package.json declares other dependencies, install scripts or commands than the registry's manifest for it (dependencies hidden-dep: ^1.0.0 in the package.json, none in the manifest); npm runs")
}

test_manifest_differences_beyond_three_are_counted if {
	d := {"field": "scripts", "name": "postinstall", "registry": "node a.js", "tarball": "node b.js"}
	t := {"manifest_differences": [d, d, d, d], "manifest_difference_count": 5}
	some f in data.airlock.quarantine with input as tarball(t)
	f.id == "tarball.manifest_confusion"
	contains(f.msg, "(scripts postinstall: node b.js in the package.json, node a.js in the manifest; scripts postinstall: node b.js in the package.json, node a.js in the manifest; scripts postinstall: node b.js in the package.json, node a.js in the manifest; 2 more)")
}

test_a_tarball_that_agrees_with_its_manifest_or_could_not_be_compared_passes if {
	not "tarball.manifest_confusion" in ids(data.airlock.quarantine) with input as tarball({"manifest_differences": [], "manifest_difference_count": 0})
	not "tarball.manifest_confusion" in ids(data.airlock.quarantine) with input as tarball({"manifest_differences": null, "manifest_difference_count": null})
	not "tarball.manifest_confusion" in ids(data.airlock.quarantine) with input as tarball({})
}

test_the_manifest_confusion_setting_denies_warns_or_allows if {
	t := {"manifest_differences": [{"field": "peerDependencies", "name": "react", "registry": "^18", "tarball": "^19"}], "manifest_difference_count": 1}
	"tarball.manifest_confusion" in ids(data.airlock.deny) with input as tarball(t) with data.airlock.settings as with_settings({"manifest_confusion": "deny"})
	"tarball.manifest_confusion" in ids(data.airlock.warn) with input as tarball(t) with data.airlock.settings as with_settings({"manifest_confusion": "warn"})
	not "tarball.manifest_confusion" in ids(data.airlock.quarantine) with input as tarball(t) with data.airlock.settings as with_settings({"manifest_confusion": "allow"})
	not "tarball.manifest_confusion" in ids(data.airlock.warn) with input as tarball(t) with data.airlock.settings as with_settings({"manifest_confusion": "allow"})
}
