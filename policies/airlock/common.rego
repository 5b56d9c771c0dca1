# Shared helpers of the built-in policy. Settings live in data (policies/airlock/data.json, or
# `policy.data` in the configuration), so tuning never needs a Rego edit.
package airlock

import rego.v1

cfg := data.airlock.settings

# The input schema versions this policy understands.
supported_input_versions := {1}

# How the ecosystem's own tools write a version of a package: pip's `name==1.0`, npm's `name@1.0`;
# a Hub repo at a commit as its short form, `acme/tiny@0123456789ab` (the first 12 hex digits); an
# image at its manifest digest, `library/alpine@sha256:0123456789ab`.
package_label := sprintf("%s==%s", [input.artifact.name, input.artifact.version]) if {
	input.artifact.ecosystem == "pypi"
} else := sprintf("%s@%s", [input.artifact.name, substring(input.artifact.version, 0, 12)]) if {
	input.artifact.ecosystem == "huggingface"
} else := sprintf("%s@%s", [input.artifact.name, substring(input.artifact.version, 0, 19)]) if {
	input.artifact.ecosystem == "oci"
} else := sprintf("%s@%s", [input.artifact.name, input.artifact.version])

# Published to this Airlock (a hosted repository), not taken from a public registry: the rules
# about public registries' names and release timing (cooldown, look-alikes, dependency confusion,
# names requested before they existed) are not about it. Everything else still is.
hosted_repository if input.artifact.repo_kind == "hosted"

# An input from a newer Airlock than this policy was written for: refuse rather than guess.
deny contains {"id": "airlock.input_version", "msg": msg} if {
	not input.version in supported_input_versions
	msg := sprintf("policy input version %v is not supported by this policy (supports %v)", [input.version, supported_input_versions])
}
