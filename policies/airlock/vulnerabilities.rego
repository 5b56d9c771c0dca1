# Known vulnerabilities (facts from imported OSV advisories, docs/signals.md): one finding per
# severity level a version has open advisories at. What each level does is
# `settings.vulnerabilities` (data.json): "deny", "quarantine", "warn" or "allow". An advisory
# named in `allowed` (by its id or an alias: GHSA-…, CVE-…, PYSEC-…) is accepted everywhere; a
# single version is accepted by releasing its quarantine record, as for every other finding.
package airlock

import rego.v1

vuln_settings := object.get(cfg, "vulnerabilities", {})

vuln_action(level) := object.get(vuln_settings, level, "warn")

vuln_allowed := {id | some id in object.get(vuln_settings, "allowed", [])}

vuln_accepted(r) if r.id in vuln_allowed

vuln_accepted(r) if {
	some alias in r.aliases
	alias in vuln_allowed
}

# The advisories of this version that nothing accepts.
vuln_open contains r if {
	some r in fact(["vulnerabilities", "records"])
	not vuln_accepted(r)
}

vuln_aliases(r) := sprintf(" (%s)", [concat(", ", r.aliases)]) if count(r.aliases) > 0

else := ""

vuln_score(r) := sprintf(", CVSS %v", [r.score]) if is_number(r.score)

else := ""

vuln_fix(r) := sprintf(", fixed in %s", [r.fixed]) if is_string(r.fixed)

else := ", no fixed version known"

vuln_describe(r) := sprintf("%s%s%s%s", [r.id, vuln_aliases(r), vuln_score(r), vuln_fix(r)])

vulnerability_findings contains finding(sprintf("vulnerability.%s", [level]), vuln_action(level), msg) if {
	some level in {r.severity | some r in vuln_open}
	described := sort([vuln_describe(r) | some r in vuln_open; r.severity == level])
	msg := sprintf("%s has %d known %s-severity vulnerabilit%s: %s", [
		package_label, count(described), level,
		plural_y(count(described)), concat("; ", described),
	])
}

# A range of an advisory could not be compared with this version (an unusual version string).
vulnerability_findings contains finding("vulnerability.uncertain", vuln_action("uncertain"), msg) if {
	fact(["vulnerabilities", "uncertain"]) == true
	msg := sprintf("%s could not be compared with the version ranges of an advisory of %s", [package_label, input.artifact.name])
}

plural_y(1) := "y"

plural_y(n) := "ies" if n != 1

deny contains f if {
	some f in vulnerability_findings
	f.action == "deny"
}

quarantine contains f if {
	some f in vulnerability_findings
	f.action == "quarantine"
}

warn contains f if {
	some f in vulnerability_findings
	f.action == "warn"
}
