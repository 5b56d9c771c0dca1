# Shared fixtures for the built-in policy's tests.
package airlock_test

import rego.v1

base_input := {
	"version": 1,
	"phase": "metadata",
	"now": "2026-03-10T12:00:00Z",
	"artifact": {"ecosystem": "npm", "repo": "npm", "name": "left-pad", "version": "1.3.0", "purl": "pkg:npm/left-pad@1.3.0"},
	"facts": {
		"published_at": "2026-01-01T00:00:00Z",
		"deprecated": null,
		"install_scripts": {},
		"has_install_script": false,
		"integrity_algorithms": ["sha1", "sha512"],
		"declared_unpacked_size": 1000,
	},
	"request": null,
	"review": {"state": "none", "quarantine_id": null, "expires_at": null, "expired": false, "other_content": false},
	"exceptions": [],
}

with_facts(f) := object.union(base_input, {"facts": object.union(base_input.facts, f)})

with_settings(s) := object.union(data.airlock.settings, s)

ids(findings) := {f.id | some f in findings}
