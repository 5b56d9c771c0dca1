# Install-time scripts (npm preinstall/install/postinstall) run code on every machine that
# installs the package, and so do those of the packages bundled in its tarball (node_modules/…).
# `install_scripts` in the settings: "allow", "warn" (default), "quarantine" or "deny"; packages
# in `install_scripts_allowed` are trusted to run them.
package airlock

import rego.v1

has_install_scripts if input.facts.has_install_script == true

has_install_scripts if count(object.get(input.facts, ["tarball", "install_scripts"], {})) > 0

has_install_scripts if object.get(input.facts, ["tarball", "bundled_install_script_count"], 0) > 0

install_scripts_trusted if input.artifact.name in cfg.install_scripts_allowed

# `postinstall in node_modules/x` for a bundled package's script.
bundled_script_names contains sprintf("%s in %s", [name, folder]) if {
	some folder, scripts in object.get(input.facts, ["tarball", "bundled_install_scripts"], {})
	some name, _ in scripts
}

install_scripts_finding := {"id": "install_scripts", "msg": msg} if {
	has_install_scripts
	not install_scripts_trusted
	own := object.keys(object.union(object.get(input.facts, "install_scripts", {}), object.get(input.facts, ["tarball", "install_scripts"], {})))
	msg := sprintf("%s runs install scripts (%s)", [package_label, concat(", ", sort(own | bundled_script_names))])
}

warn contains install_scripts_finding if cfg.install_scripts == "warn"

quarantine contains install_scripts_finding if cfg.install_scripts == "quarantine"

deny contains install_scripts_finding if cfg.install_scripts == "deny"
