# Deprecated versions: `deprecated` in the settings is "allow", "warn" (default) or "quarantine".
package airlock

import rego.v1

deprecated_finding := {"id": "deprecated", "msg": sprintf("%s is deprecated: %s", [package_label, input.facts.deprecated])} if {
	is_string(input.facts.deprecated)
	input.facts.deprecated != ""
}

warn contains deprecated_finding if cfg.deprecated == "warn"

quarantine contains deprecated_finding if cfg.deprecated == "quarantine"
