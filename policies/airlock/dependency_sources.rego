# Dependencies npm installs from outside the registry (npm: `input.facts.dependency_sources`, from
# the registry's manifest, which npm resolves dependencies from): a URL, a git repository, a path.
# npm fetches them straight from there, past Airlock, so the gate never judges that code: a package
# that passes can bring in any code this way (the "remote dynamic dependencies" of the 2025
# PhantomRaven packages). Setting `dependency_sources` ("deny", "quarantine" (default), "warn",
# "allow").
package airlock

import rego.v1

dependency_sources_finding := {"id": "dependency_sources", "msg": msg} if {
	n := object.get(input.facts, "dependency_source_count", 0)
	n > 0
	listed := object.get(input.facts, "dependency_sources", [])
	msg := sprintf("%s depends on %d packages from outside the registry, which npm would install past Airlock (%s)", [package_label, n, concat("; ", array.slice(listed, 0, 3))])
}

# The tarball's own package.json, and those of the packages it bundles (artifact phase:
# `input.facts.tarball`), when they name other outside sources than the registry's manifest: npm
# installs from those files' dependencies, not the registry's, whenever it reads the installed
# package (an install beside node_modules with no lockfile), so a package can keep them out of the
# manifest the metadata phase reads.
tarball_dependency_sources_finding := {"id": "dependency_sources", "msg": msg} if {
	n := object.get(input.facts, ["tarball", "dependency_source_count"], 0)
	n > 0
	listed := object.get(input.facts, ["tarball", "dependency_sources"], [])
	listed != object.get(input.facts, "dependency_sources", [])
	msg := sprintf("the package.json files in %s's tarball (its own, and those of the packages it bundles) name %d dependencies from outside the registry, which npm installs past Airlock whenever it reads them (%s)", [package_label, n, concat("; ", array.slice(listed, 0, 3))])
}

dependency_sources_findings contains dependency_sources_finding

dependency_sources_findings contains tarball_dependency_sources_finding

deny contains f if {
	cfg.dependency_sources == "deny"
	some f in dependency_sources_findings
}

quarantine contains f if {
	cfg.dependency_sources == "quarantine"
	some f in dependency_sources_findings
}

warn contains f if {
	cfg.dependency_sources == "warn"
	some f in dependency_sources_findings
}
