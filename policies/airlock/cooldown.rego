# Cooldown: hold back versions published less than `cooldown_days` ago. Most malicious releases
# of popular packages are found and removed within days; resolvers then pick an older version
# (metadata phase) and a pinned install of a too-new version is quarantined (artifact phase).
package airlock

import rego.v1

ns_per_day := ((24 * 60) * 60) * 1000000000

cooldown_exempt if input.artifact.name in cfg.cooldown_exempt

# Your own publishes: the cooldown waits for the public to find a bad release, and nobody else sees these.
cooldown_exempt if hosted_repository

# The fast lane: a release whose purpose is to replace a known-malicious predecessor (the
# version published just before it is listed by a feed, this one is not) from the same
# publishing setup (no new publisher, no lost provenance). Waiting would keep the fix from the
# people who most need it. `cooldown_fast_lane: false` turns it off.
cooldown_fast_lane if {
	cfg.cooldown_fast_lane == true
	object.get(input.facts, ["malicious", "previous_version_listed"], false) == true
	object.get(input.facts, ["malicious", "version_listed"], false) != true
	object.get(input.facts, ["publisher_changes", "publisher_new"], false) != true
	object.get(input.facts, ["publisher_changes", "provenance_regression"], false) != true
	object.get(input.facts, ["publisher_changes", "trusted_publisher_dropped"], false) != true
}

# The same for a release that fixes a vulnerability of its predecessor at a level named in
# `cooldown_fast_lane_vulnerabilities` (critical by default) and has none at those levels itself,
# from the same publishing setup: the fix of a critical vulnerability is not held three days.
cooldown_fast_lane if {
	cfg.cooldown_fast_lane == true
	count(vulnerability_fixed) > 0
	not vulnerable_at_fast_lane_level
	object.get(input.facts, ["publisher_changes", "publisher_new"], false) != true
	object.get(input.facts, ["publisher_changes", "provenance_regression"], false) != true
	object.get(input.facts, ["publisher_changes", "trusted_publisher_dropped"], false) != true
}

fast_lane_levels := {l | some l in object.get(cfg, "cooldown_fast_lane_vulnerabilities", ["critical"])}

vulnerability_fixed contains f.id if {
	some f in object.get(input.facts, ["vulnerabilities", "fixes"], [])
	f.severity in fast_lane_levels
}

vulnerable_at_fast_lane_level if {
	some r in object.get(input.facts, ["vulnerabilities", "records"], [])
	r.severity in fast_lane_levels
}

in_cooldown if {
	cfg.cooldown_days > 0
	not cooldown_exempt
	is_string(input.facts.published_at)
	time.parse_rfc3339_ns(input.facts.published_at) > cooldown_since_ns
}

# The clock, on its own: the versions of one package are judged in one batch, which keeps
# values that read only what the versions share (these two) and evaluates the rest per version.
now_ns := time.parse_rfc3339_ns(input.now)

# Versions published after this are in cooldown (their age is below cooldown_days): each
# version's time is compared with it, with no arithmetic on its nanoseconds per version.
cooldown_since_ns := now_ns - (cfg.cooldown_days * ns_per_day)

# Per version, but the same for nearly all: the `warn` branch that uses it is reused in a batch
# instead of reading each version's time itself.
publication_time_known if is_string(input.facts.published_at)

version_age_ns := now_ns - time.parse_rfc3339_ns(input.facts.published_at)

quarantine contains {"id": "cooldown", "msg": msg} if {
	in_cooldown
	not cooldown_fast_lane
	hours := floor(version_age_ns / (ns_per_day / 24))
	msg := sprintf("%s was published %v hours ago; versions younger than %v days are held back (cooldown)", [package_label, hours, cfg.cooldown_days])
}

warn contains {"id": "cooldown.fast_lane", "msg": msg} if {
	in_cooldown
	cooldown_fast_lane
	msg := fast_lane_reason
}

fast_lane_reason := sprintf("%s skips the %v-day cooldown: it follows %s@%s, which a feed lists as malicious", [
	package_label, cfg.cooldown_days, input.artifact.name, object.get(input.facts, ["malicious", "previous_version"], "?"),
]) if {
	object.get(input.facts, ["malicious", "previous_version_listed"], false) == true
} else := sprintf("%s skips the %v-day cooldown: it fixes %s of %s@%s", [
	package_label, cfg.cooldown_days, concat(", ", sort(vulnerability_fixed)), input.artifact.name,
	object.get(input.facts, ["vulnerabilities", "previous_version"], "?"),
])

warn contains {"id": "cooldown.unknown_age", "msg": msg} if {
	cfg.cooldown_days > 0
	not publication_time_known
	msg := sprintf("%s has no publication time; the cooldown could not be applied", [package_label])
}
