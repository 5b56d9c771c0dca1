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

deny contains dependency_sources_finding if cfg.dependency_sources == "deny"

quarantine contains dependency_sources_finding if cfg.dependency_sources == "quarantine"

warn contains dependency_sources_finding if cfg.dependency_sources == "warn"
