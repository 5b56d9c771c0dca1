# Python distributions (pypi, artifact phase, `input.facts.tarball`). A wheel that ships a .pth
# file with an `import` line runs that code at every start of the Python it is installed into,
# before anything imports the package: the install-time hook of the Python world, and a favourite
# of malicious packages. Some established packages do it for good reasons (setuptools'
# distutils-precedence.pth), so `python_startup_hooks` ("allow", "warn", "quarantine" (default) or
# "deny") holds a new or little-used package's hooks and only warns of a popular, established
# one's; "deny" refuses them all. Packages in `install_scripts_allowed` are trusted to ship them.
# A file whose own metadata names another project or version than the index lists it as is refused.
package airlock

import rego.v1

startup_hooks_setting := object.get(cfg, "python_startup_hooks", "quarantine")

startup_hooks_finding := {"id": "python.startup_hooks", "msg": msg} if {
	hooks := object.get(input.facts, ["tarball", "startup_hooks"], [])
	count(hooks) > 0
	not install_scripts_trusted
	msg := sprintf("%s ships .pth files that run code at every Python start (%s)", [package_label, concat(", ", array.slice(hooks, 0, 3))])
}

warn contains startup_hooks_finding if startup_hooks_setting == "warn"

warn contains startup_hooks_finding if {
	startup_hooks_setting == "quarantine"
	not unpopular_or_new
}

quarantine contains startup_hooks_finding if {
	startup_hooks_setting == "quarantine"
	unpopular_or_new
}

deny contains startup_hooks_finding if startup_hooks_setting == "deny"

deny contains {"id": "python.identity", "msg": msg} if {
	problem := input.facts.tarball.metadata_mismatch
	is_string(problem)
	msg := sprintf("%s: %s", [package_label, problem])
}
