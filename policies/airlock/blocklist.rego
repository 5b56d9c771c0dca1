# Packages the organisation refuses outright: `blocked` in the settings is a list of
# {"ecosystem", "name", "versions" (optional; absent: every version), "reason"}.
package airlock

import rego.v1

blocked_entry contains entry if {
	some entry in cfg.blocked
	entry.ecosystem == input.artifact.ecosystem
	entry.name == input.artifact.name
	not entry.versions
}

blocked_entry contains entry if {
	some entry in cfg.blocked
	entry.ecosystem == input.artifact.ecosystem
	entry.name == input.artifact.name
	input.artifact.version in entry.versions
}

deny contains {"id": "blocklist", "msg": msg} if {
	some entry in blocked_entry
	msg := sprintf("%s is blocked by the organisation: %s", [package_label, object.get(entry, "reason", "no reason given")])
}
