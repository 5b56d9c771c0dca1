package airlock_test

import rego.v1

test_a_dependency_from_outside_the_registry_is_quarantined if {
	f := {"dependency_sources": ["side-dep from http://203.0.113.9/side-dep.tgz"], "dependency_source_count": 1}
	some q in data.airlock.quarantine with input as with_facts(f)
	q.id == "dependency_sources"
	contains(q.msg, "depends on 1 packages from outside the registry, which npm would install past Airlock (side-dep from http://203.0.113.9/side-dep.tgz)")
}

test_registry_dependencies_pass if {
	not "dependency_sources" in ids(data.airlock.quarantine) with input as with_facts({"dependency_sources": [], "dependency_source_count": 0})
	not "dependency_sources" in ids(data.airlock.quarantine) with input as with_facts({})
}

test_the_setting_chooses_the_action if {
	f := {"dependency_sources": ["x from github:u/x"], "dependency_source_count": 1}
	"dependency_sources" in ids(data.airlock.deny) with input as with_facts(f) with data.airlock.settings as with_settings({"dependency_sources": "deny"})
	not "dependency_sources" in ids(data.airlock.quarantine) with input as with_facts(f) with data.airlock.settings as with_settings({"dependency_sources": "warn"})
	"dependency_sources" in ids(data.airlock.warn) with input as with_facts(f) with data.airlock.settings as with_settings({"dependency_sources": "warn"})
}

test_a_tarball_package_json_with_other_outside_sources_is_quarantined if {
	f := {"dependency_sources": [], "dependency_source_count": 0, "tarball": {"dependency_sources": ["payload from payload.tgz"], "dependency_source_count": 1}}
	some q in data.airlock.quarantine with input as with_facts(f)
	q.id == "dependency_sources"
	contains(q.msg, "the package.json files in ")
	contains(q.msg, "tarball (its own, and those of the packages it bundles) name 1 dependencies from outside the registry, which npm installs past Airlock whenever it reads them (payload from payload.tgz)")
}

test_a_tarball_naming_the_same_sources_as_the_registry_adds_nothing if {
	listed := ["x from github:u/x"]
	f := {"dependency_sources": listed, "dependency_source_count": 1, "tarball": {"dependency_sources": listed, "dependency_source_count": 1}}
	msgs := {q.msg | some q in data.airlock.quarantine with input as with_facts(f); q.id == "dependency_sources"}
	count(msgs) == 1
	not "dependency_sources" in ids(data.airlock.quarantine) with input as with_facts({"tarball": {"dependency_sources": [], "dependency_source_count": 0}})
}
