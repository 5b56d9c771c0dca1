# Risk signals (issue 4; facts documented in docs/signals.md). Every rule reads its facts with
# object.get, so it stays silent until the signal collectors supply them. Thresholds and actions
# live in `settings.signals` (data.json), so tuning never needs a Rego edit.
package airlock

import rego.v1

sig := cfg.signals

fact(path) := object.get(input.facts, path, null)

# An action setting ("deny", "quarantine", "warn", "allow") applied to one finding.
deny contains f if {
	some f in signal_findings
	f.action == "deny"
}

quarantine contains f if {
	some f in signal_findings
	f.action == "quarantine"
}

warn contains f if {
	some f in signal_findings
	f.action == "warn"
}

finding(id, action, msg) := {"id": id, "msg": msg, "action": action}

name_is_popular if fact(["name", "popular"]) == true

# --- Known-malicious feeds -------------------------------------------------------------------

malicious_ids := concat(", ", sort([r.id | some r in fact(["malicious", "records"])]))

# This exact version is listed (or inside a bounded range).
signal_findings contains finding("malicious.version", sig.malicious_version, msg) if {
	fact(["malicious", "version_listed"]) == true
	msg := sprintf("%s is listed as malicious (%s)", [package_label, malicious_ids])
}

# Every version is malicious and nothing suggests a compromise of particular releases of an
# otherwise legitimate package: a package that was malicious from the start.
signal_findings contains finding("malicious.all_versions", sig.malicious_all_versions, msg) if {
	fact(["malicious", "all_versions"]) == true
	fact(["malicious", "version_listed"]) != true
	not name_is_popular
	fact(["malicious", "explicit_versions_known"]) != true
	msg := sprintf("every version of %s is listed as malicious (%s)", [input.artifact.name, malicious_ids])
}

# An "every version" record for a popular package, or one whose compromised versions are known
# (chalk, debug, @ctrl/tinycolor in 2025): hold for review instead of blocking every version.
compromised_legitimate_package if name_is_popular

compromised_legitimate_package if fact(["malicious", "explicit_versions_known"]) == true

# Published before the first listed release: from before the compromise. The "every version"
# range of such records is an artefact of how they are written, not a finding about this one.
predates_compromise if fact(["malicious", "predates_listed"]) == true

signal_findings contains finding("malicious.all_versions_compromised_package", sig.malicious_all_versions_popular, msg) if {
	fact(["malicious", "all_versions"]) == true
	fact(["malicious", "version_listed"]) != true
	compromised_legitimate_package
	not predates_compromise
	msg := sprintf("a feed lists every version of %s as malicious (%s); this version is not named and was not published before the listed ones — held for review", [input.artifact.name, malicious_ids])
}

signal_findings contains finding("malicious.predates_compromise", sig.malicious_predates_compromise, msg) if {
	fact(["malicious", "all_versions"]) == true
	fact(["malicious", "version_listed"]) != true
	compromised_legitimate_package
	predates_compromise
	msg := sprintf("a feed lists every version of %s as malicious (%s), but names %s; %s was published before them", [
		input.artifact.name, malicious_ids, concat(", ", fact(["malicious", "listed_versions"])), package_label,
	])
}

# Only particular releases are listed (chalk 5.6.1, debug 4.4.2): other versions are fine, but
# say so — the project was compromised once.
signal_findings contains finding("malicious.other_versions", sig.malicious_other_versions, msg) if {
	fact(["malicious", "known"]) == true
	fact(["malicious", "version_listed"]) != true
	fact(["malicious", "all_versions"]) != true
	fact(["malicious", "uncertain"]) != true
	listed := fact(["malicious", "listed_versions"])
	is_array(listed)
	count(listed) > 0
	msg := sprintf("other versions of %s are listed as malicious (%s: %s)", [input.artifact.name, malicious_ids, concat(", ", listed)])
}

signal_findings contains finding("malicious.uncertain", sig.malicious_uncertain, msg) if {
	fact(["malicious", "uncertain"]) == true
	fact(["malicious", "version_listed"]) != true
	msg := sprintf("%s could not be compared with a malicious version range (%s)", [package_label, malicious_ids])
}

# --- Hallucination tripwire -------------------------------------------------------------------

signal_findings contains finding("requested_while_missing", sig.requested_while_missing, msg) if {
	fact(["requested_while_missing", "requested"]) == true
	not hosted_repository
	msg := sprintf(
		"%s was requested %v times while it did not exist (first on %s) and was published later: possibly a hallucinated name registered by someone else",
		[input.artifact.name, fact(["requested_while_missing", "count"]), fact(["requested_while_missing", "first_requested"])],
	)
}

# --- Look-alikes and dependency confusion ------------------------------------------------------

lookalike_label := sprintf("%s looks like %s (%s, score %v)", [input.artifact.name, fact(["lookalike", "closest"]), fact(["lookalike", "technique"]), fact(["lookalike", "score"])])

young_package if {
	age := fact(["age", "package_age_days"])
	is_number(age)
	age < sig.lookalike_young_days
}

signal_findings contains finding("dependency_confusion", sig.dependency_confusion, msg) if {
	fact(["lookalike", "dependency_confusion"]) == true
	not hosted_repository
	msg := sprintf("%s is an internal package name, but this one comes from the public upstream (dependency confusion)", [input.artifact.name])
}

lookalike_strong if {
	fact(["lookalike", "dependency_confusion"]) != true
	not hosted_repository
	is_string(fact(["lookalike", "closest"]))
	score := fact(["lookalike", "score"])
	is_number(score)
	score >= sig.lookalike_min_score
}

signal_findings contains finding("lookalike.young", sig.lookalike_young, msg) if {
	lookalike_strong
	young_package
	msg := sprintf("%s; the package is %v days old", [lookalike_label, fact(["age", "package_age_days"])])
}

signal_findings contains finding("lookalike", sig.lookalike, lookalike_label) if {
	lookalike_strong
	not young_package
}

signal_findings contains finding("name.non_ascii", sig.non_ascii_name, msg) if {
	fact(["name", "non_ascii"]) == true
	msg := sprintf("the name %s has characters outside ASCII", [input.artifact.name])
}

# --- Install-time behaviour ---------------------------------------------------------------------

behaviour_trusted if input.artifact.name in cfg.install_scripts_allowed

signal_findings contains finding("install_behaviour.dangerous", sig.install_behaviour_dangerous, msg) if {
	fact(["install_behaviour", "max_severity"]) in sig.install_behaviour_dangerous_severities
	not behaviour_trusted
	rules := {f.rule | some f in fact(["install_behaviour", "findings"]); f.severity in sig.install_behaviour_dangerous_severities}
	msg := sprintf("%s runs install-time code that %s (%s)", [
		package_label,
		concat("; ", sort({f.message | some f in fact(["install_behaviour", "findings"]); f.severity in sig.install_behaviour_dangerous_severities})),
		concat(", ", sort(rules)),
	])
}

unpopular_or_new if not name_is_popular

unpopular_or_new if young_package

# The `prepare` lifecycle script does not run when a package is installed from a registry tarball
# (it does when an install script runs it by name: then it is an `npm-script` hook).
install_hooks_that_run := {h.name | some h in fact(["install_behaviour", "hooks"]); not registry_skips(h)}

registry_skips(h) if {
	h.name == "prepare"
	h.kind == "npm-lifecycle"
}

signal_findings contains finding("install_behaviour.unpopular", sig.install_behaviour_unpopular, msg) if {
	count(install_hooks_that_run) > 0
	unpopular_or_new
	not behaviour_trusted
	hooks := concat(", ", sort(install_hooks_that_run))
	msg := sprintf("%s runs install scripts (%s) and is new or not widely used", [package_label, hooks])
}

# Install-time code the analysis could not read in full: a file past its size bound, loads past
# the bounds of the artifact's read, hooks past their count. Popular packages too: a payload
# padded past the bound would otherwise pass unseen.
signal_findings contains finding("install_behaviour.incomplete", sig.install_behaviour_incomplete, msg) if {
	fact(["install_behaviour", "complete"]) == false
	count(install_hooks_that_run) > 0
	not behaviour_trusted
	msg := sprintf("%s runs install-time code Airlock could not analyse in full (%s)", [package_label, concat("; ", unanalysed_parts)])
}

unanalysed_parts contains sprintf("read in part: %s", [concat(", ", sort(fact(["install_behaviour", "truncated"])))]) if {
	count(fact(["install_behaviour", "truncated"])) > 0
}

unanalysed_parts contains sprintf("not read: %s", [concat(", ", sort(fact(["install_behaviour", "unread"])))]) if {
	count(fact(["install_behaviour", "unread"])) > 0
}

unanalysed_parts contains sprintf("%d hooks not analysed", [fact(["install_behaviour", "skipped_hooks"])]) if {
	fact(["install_behaviour", "skipped_hooks"]) > 0
}

unanalysed_parts contains "the analysis ran out of its CPU budget" if {
	fact(["install_behaviour", "over_budget"]) == true
}

# --- Publisher and provenance ---------------------------------------------------------------------

signal_findings contains finding("publisher.provenance_regression", sig.provenance_regression, msg) if {
	fact(["publisher_changes", "provenance_regression"]) == true
	since := fact(["publisher_changes", "versions_since_provenance"])
	is_number(since)
	since <= sig.provenance_regression_max_versions
	msg := sprintf("%s has no provenance although %s had it (published by %s): the shape of a release made with a stolen token", [
		package_label, fact(["publisher_changes", "last_provenance_version"]), fact(["publisher_changes", "publisher"]),
	])
}

signal_findings contains finding("publisher.trusted_publisher_dropped", sig.provenance_regression, msg) if {
	fact(["publisher_changes", "trusted_publisher_dropped"]) == true
	fact(["publisher_changes", "provenance_regression"]) != true
	msg := sprintf("%s was not published through the trusted publisher earlier versions used", [package_label])
}

signal_findings contains finding("publisher.changed", sig.publisher_changed, msg) if {
	fact(["publisher_changes", "publisher_new"]) == true
	msg := sprintf("%s was published by %s, who never published an earlier version", [package_label, fact(["publisher_changes", "publisher"])])
}

signal_findings contains finding("publisher.maintainers_added", sig.publisher_changed, msg) if {
	added := fact(["publisher_changes", "maintainers_added"])
	is_array(added)
	count(added) > 0
	msg := sprintf("%s added maintainers: %s", [package_label, concat(", ", sort(added))])
}
