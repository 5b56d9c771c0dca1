# A realistic gateway policy for the Rego benchmark: a dozen rules over the artifact, its facts
# (vulnerabilities, files, provenance, popularity) and the request.
package airlock

import rego.v1

critical_severities := {"critical", "high"}

blocked_licenses := {"AGPL-3.0-only", "SSPL-1.0", "BUSL-1.1", "Commons-Clause"}

trusted_publishers := {"npm", "pypa", "google", "microsoft", "aws"}

suspicious_extensions := [".pth", ".so", ".dll", ".exe", ".dylib", ".node"]

max_artifact_bytes := 200 * 1024 * 1024

# 1. known-malicious packages are blocked outright
deny contains msg if {
	input.facts.malicious.flagged
	msg := sprintf("%s@%s is known malicious (%s)", [input.artifact.name, input.artifact.version, input.facts.malicious.source])
}

# 2. exploitable critical vulnerabilities without a fix in this version
deny contains msg if {
	some v in input.facts.vulnerabilities
	v.severity in critical_severities
	v.cvss >= 9.0
	not excepted(v.id)
	msg := sprintf("%s has %s vulnerability %s (CVSS %.1f)", [input.artifact.name, v.severity, v.id, v.cvss])
}

# 3. typosquats of popular packages
deny contains msg if {
	t := input.facts.typosquat
	t.distance <= 1
	t.target_downloads > 100 * input.artifact.weekly_downloads
	msg := sprintf("%s looks like a typosquat of %s", [input.artifact.name, t.similar_to])
}

# 4. licenses the organisation does not accept
deny contains msg if {
	input.artifact.license in blocked_licenses
	msg := sprintf("license %s is not allowed", [input.artifact.license])
}

# 5. native code or path hooks shipped in unexpected places
deny contains msg if {
	some f in input.facts.files
	suspicious_file(f)
	msg := sprintf("suspicious file %s", [f.path])
}

# 6. brand-new releases wait in quarantine unless the publisher is trusted
quarantine contains msg if {
	input.artifact.age_days < 3
	not trusted_publisher
	msg := sprintf("%s was published %d days ago", [input.artifact.version, input.artifact.age_days])
}

# 7. install scripts without provenance
quarantine contains msg if {
	input.artifact.ecosystem == "npm"
	input.facts.install_scripts.present
	not input.facts.provenance.verified
	msg := sprintf("install script \"%s\" without verified provenance", [input.facts.install_scripts.command])
}

# 8. oversized artifacts
quarantine contains "artifact larger than the size limit" if {
	input.artifact.size > max_artifact_bytes
}

# 9. many high-severity vulnerabilities, even without a critical one
warn contains msg if {
	high := [v | some v in input.facts.vulnerabilities; v.severity == "high"]
	count(high) > 3
	msg := sprintf("%d high-severity vulnerabilities", [count(high)])
}

# 10. deprecated or unmaintained
warn contains msg if {
	input.artifact.deprecated
	msg := sprintf("%s is deprecated", [input.artifact.name])
}

warn contains "single maintainer" if count(input.artifact.maintainers) == 1

# 11. every file must be accounted for by the declared manifest
warn contains msg if {
	outside := [f.path | some f in input.facts.files; not startswith(f.path, "package/")]
	count(outside) > 0
	msg := sprintf("%d files outside the package directory", [count(outside)])
}

# every vulnerability must have been triaged for the phase to pass without a warning
warn contains "untriaged vulnerabilities" if {
	input.phase == "artifact"
	not all_triaged
}

all_triaged if {
	every v in input.facts.vulnerabilities {
		v.triaged
	}
}

# 12. the decision the gateway reads
decision := {
	"allow": count(deny) + count(quarantine) == 0,
	"deny": deny,
	"quarantine": quarantine,
	"warn": warn,
}

excepted(id) if {
	some e in input.request.exceptions
	e.vulnerability == id
	e.expires_days > 0
}

trusted_publisher if lower(input.artifact.publisher) in trusted_publishers

suspicious_file(f) if {
	some ext in suspicious_extensions
	endswith(f.path, ext)
	not startswith(f.path, "package/prebuilds/")
}

suspicious_file(f) if {
	f.executable
	regex.match(`(^|/)(postinstall|preinstall)(\.sh)?$`, f.path)
}
