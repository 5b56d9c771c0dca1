# Cooldown: hold back versions published less than `cooldown_days` ago. Most malicious releases
# of popular packages are found and removed within days; resolvers then pick an older version
# (metadata phase) and a pinned install of a too-new version is quarantined (artifact phase).
package airlock

import rego.v1

ns_per_day := ((24 * 60) * 60) * 1000000000

cooldown_exempt if input.artifact.name in cfg.cooldown_exempt

version_age_ns := time.parse_rfc3339_ns(input.now) - time.parse_rfc3339_ns(input.facts.published_at)

quarantine contains {"id": "cooldown", "msg": msg} if {
	cfg.cooldown_days > 0
	not cooldown_exempt
	is_string(input.facts.published_at)
	version_age_ns < cfg.cooldown_days * ns_per_day
	hours := floor(version_age_ns / (ns_per_day / 24))
	msg := sprintf("%s was published %v hours ago; versions younger than %v days are held back (cooldown)", [package_label, hours, cfg.cooldown_days])
}

warn contains {"id": "cooldown.unknown_age", "msg": msg} if {
	cfg.cooldown_days > 0
	not is_string(input.facts.published_at)
	msg := sprintf("%s has no publication time; the cooldown could not be applied", [package_label])
}
