# Commands a package installs (npm: `bin`, linked into node_modules/.bin, `input.facts.tarball.
# bin_names`). npm puts node_modules/.bin first on the PATH of every install script and `npm run`
# script, so a package installing a command named like a common tool (`node`, `sh`, `git` …) runs
# in place of the real one whenever another package's script calls it: code that runs at install
# time with no install script of its own. The package that is that tool may (`node` installing
# `node`, `npm` installing `npx`). Settings: `command_shadowing` ("deny", "quarantine" (default),
# "warn", "allow"), `shadowed_commands` (lower case; compared without case, as on a
# case-insensitive disk) and `shadowed_command_owners` (command → packages that provide it).
package airlock

import rego.v1

# The unscoped package of that name (`@someone/node` is not `node`, though npm names its single
# `bin` path `node` too).
command_owner(command) if lower(command) == lower(input.artifact.name)

command_owner(command) if input.artifact.name in object.get(cfg.shadowed_command_owners, lower(command), [])

# The tarball's own package.json (artifact phase) and the registry's manifest (both phases): the
# metadata phase hides a version that would shadow a tool before a client picks it.
installed_commands contains command if some command in object.get(input.facts, ["tarball", "bin_names"], [])

installed_commands contains command if some command in object.get(input.facts, "bin_names", [])

shadowing_commands contains command if {
	some command in installed_commands
	lower(command) in cfg.shadowed_commands
	not command_owner(command)
}

command_shadowing_finding := {"id": "command_shadowing", "msg": msg} if {
	count(shadowing_commands) > 0
	msg := sprintf("%s installs commands named like common tools (%s), which npm would run in place of the real ones in other packages' install scripts and in npm run scripts", [package_label, concat(", ", sort(shadowing_commands))])
}

deny contains command_shadowing_finding if cfg.command_shadowing == "deny"

quarantine contains command_shadowing_finding if cfg.command_shadowing == "quarantine"

warn contains command_shadowing_finding if cfg.command_shadowing == "warn"
