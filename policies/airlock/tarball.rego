# What the artifact itself shows (artifact phase, `input.facts.tarball`): a tarball that writes
# outside its package directory or claims to be another package is refused; one that could not
# be inspected completely, or whose package.json could not be read, is held for review (fail closed).
package airlock

import rego.v1

deny contains {"id": "tarball.unsafe_paths", "msg": msg} if {
	paths := input.facts.tarball.unsafe_paths
	count(paths) > 0
	msg := sprintf("%s contains unsafe paths (%s)", [package_label, concat(", ", array.slice(paths, 0, 3))])
}

deny contains {"id": "tarball.identity", "msg": msg} if {
	claimed := input.facts.tarball.manifest_name
	is_string(claimed)
	claimed != input.artifact.name
	msg := sprintf("%s: the tarball's package.json names another package (%s)", [package_label, claimed])
}

deny contains {"id": "tarball.identity", "msg": msg} if {
	claimed := input.facts.tarball.manifest_version
	is_string(claimed)
	claimed != input.artifact.version
	msg := sprintf("%s: the tarball's package.json names another version (%s)", [package_label, claimed])
}

quarantine contains {"id": "tarball.uninspectable", "msg": msg} if {
	problem := input.facts.tarball.inspection_error
	is_string(problem)
	msg := sprintf("%s could not be inspected completely: %s", [package_label, problem])
}

quarantine contains {"id": "tarball.manifest_unreadable", "msg": msg} if {
	problem := input.facts.tarball.manifest_error
	is_string(problem)
	msg := sprintf("%s: its package.json could not be read (%s), so its install scripts are unknown", [package_label, problem])
}

# A shrinkwrap (npm-shrinkwrap.json) that pins dependencies to sources outside the registry: npm
# fetches or links them from there, past Airlock, when it installs this package. One it could not
# read in full counts too: its sources are unknown. Setting `shrinkwrap_external` ("deny",
# "quarantine" (default), "warn", "allow").
shrinkwrap_findings contains {"id": "tarball.shrinkwrap_external", "msg": msg} if {
	sw := input.facts.tarball.shrinkwrap
	sw.external_count > 0
	msg := sprintf("%s ships an npm-shrinkwrap.json that makes npm install %d of its dependencies from outside the registry, past Airlock (%s)", [package_label, sw.external_count, concat("; ", array.slice(sw.external, 0, 3))])
}

shrinkwrap_findings contains {"id": "tarball.shrinkwrap_external", "msg": msg} if {
	problem := input.facts.tarball.shrinkwrap.error
	is_string(problem)
	msg := sprintf("%s ships an npm-shrinkwrap.json that could not be read in full (%s), so where npm would install its dependencies from is unknown", [package_label, problem])
}

deny contains f if {
	cfg.shrinkwrap_external == "deny"
	some f in shrinkwrap_findings
}

quarantine contains f if {
	cfg.shrinkwrap_external == "quarantine"
	some f in shrinkwrap_findings
}

warn contains f if {
	cfg.shrinkwrap_external == "warn"
	some f in shrinkwrap_findings
}

# A tarball whose bytes are not the ones Airlock first stored for the version: the upstream
# replaced a published version's tarball, which the npm registry never allows (a compromised or
# overwritable internal registry, or a mirror serving tampered files). Whoever installed the
# version before got other code. Setting `replaced_tarball` ("deny", "quarantine" (default),
# "warn", "allow"); a reviewer's release covers the bytes it was opened for.
replaced_tarball_findings contains {"id": "tarball.replaced", "msg": msg} if {
	first := input.facts.tarball.replaces_sha512
	is_string(first)
	msg := sprintf("%s: the upstream replaced its tarball after Airlock stored it (sha512 %s… first, now %s…); a published version's tarball never changes on the npm registry", [package_label, substring(first, 0, 16), substring(input.facts.tarball.sha512, 0, 16)])
}

deny contains f if {
	cfg.replaced_tarball == "deny"
	some f in replaced_tarball_findings
}

quarantine contains f if {
	cfg.replaced_tarball == "quarantine"
	some f in replaced_tarball_findings
}

warn contains f if {
	cfg.replaced_tarball == "warn"
	some f in replaced_tarball_findings
}

# A tarball whose package.json declares other dependencies, install hooks or commands than the
# registry's manifest for the version ("manifest confusion", `tarball.manifest_differences`): npm
# runs the package.json's hooks, and installs its dependencies instead of the manifest's whenever
# it reads the installed package (beside an existing node_modules with no lockfile), so every
# reader of the metadata, the metadata phase included, saw other dependencies than those
# installed; pnpm and yarn link its commands into node_modules/.bin on a first install, npm once
# it reads the installed package. npm writes both from one package.json at publish. Setting
# `manifest_confusion` ("deny", "quarantine" (default), "warn", "allow").
manifest_confusion_findings contains {"id": "tarball.manifest_confusion", "msg": msg} if {
	n := input.facts.tarball.manifest_difference_count
	n > 0
	shown := [manifest_difference_text(d) | some d in array.slice(input.facts.tarball.manifest_differences, 0, 3)]
	more := manifest_differences_more(n, count(shown))
	msg := sprintf("%s: its package.json declares other dependencies, install scripts or commands than the registry's manifest for it (%s%s); npm runs the install scripts of the package.json, and installs its dependencies and links its commands when it reads an installed package without a lockfile (pnpm and yarn link them at once)", [package_label, concat("; ", shown), more])
}

manifest_difference_text(d) := sprintf("%s %s: %s in the package.json, %s in the manifest", [d.field, d.name, manifest_side(d.tarball), manifest_side(d.registry)])

manifest_side(x) := "none" if x == null

manifest_side(x) := x if is_string(x)

manifest_differences_more(n, shown) := "" if n <= shown

manifest_differences_more(n, shown) := sprintf("; %d more", [n - shown]) if n > shown

deny contains f if {
	cfg.manifest_confusion == "deny"
	some f in manifest_confusion_findings
}

quarantine contains f if {
	cfg.manifest_confusion == "quarantine"
	some f in manifest_confusion_findings
}

warn contains f if {
	cfg.manifest_confusion == "warn"
	some f in manifest_confusion_findings
}
