package airlock_test

import rego.v1

popular := {"name": {"popular": true, "non_ascii": false}}

unpopular := {"name": {"popular": false, "non_ascii": false}}

mal(listed, all, explicit) := {"malicious": {
	"known": true, "version_listed": listed, "all_versions": all, "explicit_versions_known": explicit, "uncertain": false,
	"records": [{"id": "MAL-2025-1", "match": "version"}],
}}

sig_input(f) := with_facts(f)

# Known-malicious feeds

test_listed_version_is_blocked if {
	"malicious.version" in ids(data.airlock.deny) with input as sig_input(object.union(popular, mal(true, false, true)))
}

test_all_versions_of_an_unknown_package_is_blocked if {
	"malicious.all_versions" in ids(data.airlock.deny) with input as sig_input(object.union(unpopular, mal(false, true, false)))
}

test_all_versions_of_a_popular_package_is_quarantined_not_blocked if {
	inp := sig_input(object.union(popular, mal(false, true, true)))
	"malicious.all_versions_compromised_package" in ids(data.airlock.quarantine) with input as inp
	count(data.airlock.deny) == 0 with input as inp
}

test_all_versions_with_known_compromised_versions_is_quarantined if {
	inp := sig_input(object.union(unpopular, mal(false, true, true)))
	"malicious.all_versions_compromised_package" in ids(data.airlock.quarantine) with input as inp
	not "malicious.all_versions" in ids(data.airlock.deny) with input as inp
}

test_other_versions_of_a_compromised_package_pass if {
	inp := sig_input(object.union(popular, mal(false, false, true)))
	count(data.airlock.deny) == 0 with input as inp
	count(data.airlock.quarantine) == 0 with input as inp
}

with_history(f, h) := object.union(f, {"malicious": object.union(f.malicious, h)})

test_versions_published_before_a_compromise_only_warn if {
	# @ctrl/tinycolor: "every version" next to 4.1.1-4.1.2; 4.1.0 came before the compromise.
	f := with_history(object.union(popular, mal(false, true, true)), {"predates_listed": true, "listed_versions": ["4.1.1", "4.1.2"]})
	inp := sig_input(f)
	"malicious.predates_compromise" in ids(data.airlock.warn) with input as inp
	count(data.airlock.quarantine) == 0 with input as inp
	count(data.airlock.deny) == 0 with input as inp
}

test_versions_after_a_compromise_of_an_every_version_record_are_held if {
	f := with_history(object.union(popular, mal(false, true, true)), {"predates_listed": false, "listed_versions": ["4.1.1", "4.1.2"]})
	"malicious.all_versions_compromised_package" in ids(data.airlock.quarantine) with input as sig_input(f)
}

test_predating_does_not_soften_a_package_malicious_from_the_start if {
	f := with_history(object.union(unpopular, mal(false, true, false)), {"predates_listed": true, "listed_versions": []})
	"malicious.all_versions" in ids(data.airlock.deny) with input as sig_input(f)
}

test_other_listed_versions_warn if {
	# chalk: only 5.6.1 is listed; 5.6.0 is fine but the project was compromised once.
	f := with_history(object.union(popular, mal(false, false, true)), {"listed_versions": ["5.6.1"]})
	inp := sig_input(f)
	some w in data.airlock.warn with input as inp
	w.id == "malicious.other_versions"
	contains(w.msg, "5.6.1")
	count(data.airlock.quarantine) == 0 with input as inp
}

test_uncomparable_range_is_quarantined if {
	f := {"malicious": {"version_listed": false, "all_versions": false, "uncertain": true, "records": []}}
	"malicious.uncertain" in ids(data.airlock.quarantine) with input as sig_input(f)
}

test_action_comes_from_data if {
	inp := sig_input(object.union(popular, mal(true, false, true)))
	s := with_settings({"signals": object.union(data.airlock.settings.signals, {"malicious_version": "quarantine"})})
	"malicious.version" in ids(data.airlock.quarantine) with input as inp with data.airlock.settings as s
	count(data.airlock.deny) == 0 with input as inp with data.airlock.settings as s
}

# Hallucination tripwire

test_requested_while_missing_is_quarantined if {
	f := {"requested_while_missing": {"requested": true, "count": 7, "first_requested": "2026-01-02T00:00:00Z"}}
	some q in data.airlock.quarantine with input as sig_input(f)
	q.id == "requested_while_missing"
	contains(q.msg, "requested 7 times")
}

test_not_requested_is_silent if {
	not "requested_while_missing" in ids(data.airlock.quarantine) with input as sig_input({"requested_while_missing": {"requested": false}})
}

# Look-alikes

look(score, age) := {
	"lookalike": {"closest": "lodash", "technique": "transposition", "score": score, "dependency_confusion": false},
	"age": {"package_age_days": age},
}

test_young_lookalike_is_quarantined if {
	"lookalike.young" in ids(data.airlock.quarantine) with input as sig_input(look(0.66, 3))
}

test_old_lookalike_only_warns if {
	inp := sig_input(look(0.66, 400))
	"lookalike" in ids(data.airlock.warn) with input as inp
	count(data.airlock.quarantine) == 0 with input as inp
}

test_weak_lookalike_is_ignored if {
	inp := sig_input(look(0.29, 3))
	count(data.airlock.quarantine) == 0 with input as inp
	not "lookalike" in ids(data.airlock.warn) with input as inp
}

test_name_signals_skip_hosted_packages if {
	f := {
		"lookalike": {"closest": "acme-billing", "technique": "internal-name-upstream", "score": 1, "dependency_confusion": true},
		"requested_while_missing": {"requested": true, "count": 7, "first_requested": "2026-01-02T00:00:00Z"},
	}
	hosted := object.union(sig_input(f), {"artifact": {"repo_kind": "hosted"}})
	not "dependency_confusion" in ids(data.airlock.deny) with input as hosted
	not "requested_while_missing" in ids(data.airlock.quarantine) with input as hosted
	typo := object.union(sig_input({"lookalike": {"closest": "lodash", "technique": "typo", "score": 0.95}, "age": {"package_age_days": 1}}), {"artifact": {"repo_kind": "hosted"}})
	count({f | some f in data.airlock.quarantine; startswith(f.id, "lookalike")}) == 0 with input as typo
	count({f | some f in data.airlock.deny; startswith(f.id, "lookalike")}) == 0 with input as typo
	count({f | some f in data.airlock.warn; startswith(f.id, "lookalike")}) == 0 with input as typo
	# The same input from a proxy is flagged.
	proxied := object.union(sig_input({"lookalike": {"closest": "lodash", "technique": "typo", "score": 0.95}, "age": {"package_age_days": 1}}), {"artifact": {"repo_kind": "proxy"}})
	"lookalike.young" in ids(data.airlock.quarantine | data.airlock.deny | data.airlock.warn) with input as proxied
}

test_dependency_confusion_is_blocked if {
	f := {"lookalike": {"closest": "acme-billing", "technique": "internal-name-upstream", "score": 1, "dependency_confusion": true}}
	inp := sig_input(f)
	"dependency_confusion" in ids(data.airlock.deny) with input as inp
	not "lookalike.young" in ids(data.airlock.quarantine) with input as inp
}

test_non_ascii_name_warns if {
	"name.non_ascii" in ids(data.airlock.warn) with input as sig_input({"name": {"popular": false, "non_ascii": true}})
}

test_no_lookalike_facts_no_findings if {
	count(data.airlock.quarantine) == 0 with input as sig_input({"lookalike": {"closest": null, "score": 0, "dependency_confusion": false}})
}

# Install-time behaviour

behaviour(severity, hooks) := {"install_behaviour": {
	"present": count(hooks) > 0,
	"max_severity": severity,
	"hooks": [{"kind": "npm-lifecycle", "name": h, "command": "x"} | some h in hooks],
	"findings": [{"rule": "install.remote-exec.pipe-to-shell", "severity": severity, "message": "downloads content and pipes it into a shell or interpreter"} | severity != "none"],
}}

test_dangerous_install_code_is_quarantined_even_for_popular_packages if {
	some q in data.airlock.quarantine with input as sig_input(object.union(popular, behaviour("critical", ["postinstall"])))
	q.id == "install_behaviour.dangerous"
	contains(q.msg, "pipes it into a shell")
}

test_install_scripts_in_unpopular_package_are_quarantined if {
	"install_behaviour.unpopular" in ids(data.airlock.quarantine) with input as sig_input(object.union(unpopular, behaviour("none", ["postinstall"])))
}

test_install_scripts_in_popular_old_package_pass if {
	count(data.airlock.quarantine) == 0 with input as sig_input(object.union(popular, behaviour("low", ["install"])))
}

test_prepare_alone_does_not_count if {
	not "install_behaviour.unpopular" in ids(data.airlock.quarantine) with input as sig_input(object.union(unpopular, behaviour("none", ["prepare"])))
}

test_prepare_run_by_an_install_script_counts if {
	b := {"install_behaviour": {"present": true, "max_severity": "none", "findings": [], "hooks": [{"kind": "npm-script", "name": "prepare", "command": "x"}]}}
	"install_behaviour.unpopular" in ids(data.airlock.quarantine) with input as sig_input(object.union(unpopular, b))
}

incomplete(parts) := {"install_behaviour": object.union(behaviour("none", ["postinstall"]).install_behaviour, object.union({"complete": false, "truncated": [], "unread": [], "skipped_hooks": 0}, parts))}

test_install_code_analysed_in_part_is_quarantined_even_for_popular_packages if {
	some q in data.airlock.quarantine with input as sig_input(object.union(popular, incomplete({"truncated": ["bundle.js"], "unread": ["./lib/x"]})))
	q.id == "install_behaviour.incomplete"
	contains(q.msg, "could not analyse in full (not read: ./lib/x; read in part: bundle.js)")
}

test_install_code_the_rules_ran_out_of_time_on_is_quarantined if {
	some q in data.airlock.quarantine with input as sig_input(object.union(popular, incomplete({"truncated": ["install.js"], "skipped_hooks": 2, "over_budget": true})))
	q.id == "install_behaviour.incomplete"
	contains(q.msg, "(2 hooks not analysed; read in part: install.js; the analysis ran out of its CPU budget)")
}

test_install_code_analysed_in_full_passes if {
	count(data.airlock.quarantine) == 0 with input as sig_input(object.union(popular, object.union(behaviour("none", ["postinstall"]), {"install_behaviour": {"complete": true}})))
}

test_incomplete_analysis_setting_can_warn_instead if {
	s := with_settings({"signals": object.union(data.airlock.settings.signals, {"install_behaviour_incomplete": "warn"})})
	count(data.airlock.quarantine) == 0 with input as sig_input(object.union(popular, incomplete({"skipped_hooks": 3}))) with data.airlock.settings as s
	some w in data.airlock.warn with input as sig_input(object.union(popular, incomplete({"skipped_hooks": 3}))) with data.airlock.settings as s
	contains(w.msg, "3 hooks not analysed")
}

test_allowed_package_skips_behaviour_rules if {
	s := with_settings({"install_scripts_allowed": ["left-pad"]})
	count(data.airlock.quarantine) == 0 with input as sig_input(object.union(unpopular, behaviour("critical", ["postinstall"]))) with data.airlock.settings as s
}

# Publisher and provenance

test_provenance_regression_is_quarantined if {
	f := {"publisher_changes": {"provenance_regression": true, "versions_since_provenance": 1, "last_provenance_version": "4.1.0", "publisher": "alice"}}
	"publisher.provenance_regression" in ids(data.airlock.quarantine) with input as sig_input(f)
}

test_long_standing_lack_of_provenance_is_not_a_regression_finding if {
	f := {"publisher_changes": {"provenance_regression": true, "versions_since_provenance": 9, "last_provenance_version": "1.0.0", "publisher": "alice"}}
	count(data.airlock.quarantine) == 0 with input as sig_input(f)
}

test_dropped_trusted_publishing_is_quarantined if {
	f := {"publisher_changes": {"trusted_publisher_dropped": true, "provenance_regression": false, "publisher": "alice"}}
	"publisher.trusted_publisher_dropped" in ids(data.airlock.quarantine) with input as sig_input(f)
}

test_provenance_regression_reports_once if {
	f := {"publisher_changes": {"trusted_publisher_dropped": true, "provenance_regression": true, "versions_since_provenance": 1, "last_provenance_version": "4.1.0", "publisher": "alice"}}
	q := ids(data.airlock.quarantine) with input as sig_input(f)
	"publisher.provenance_regression" in q
	not "publisher.trusted_publisher_dropped" in q
}

test_new_publisher_and_maintainers_warn if {
	f := {"publisher_changes": {"publisher_new": true, "publisher": "mallory", "maintainers_added": ["mallory"]}}
	w := ids(data.airlock.warn) with input as sig_input(f)
	"publisher.changed" in w
	"publisher.maintainers_added" in w
}

test_without_signal_facts_the_rules_are_silent if {
	count(data.airlock.deny) == 0 with input as base_input
	count(data.airlock.quarantine) == 0 with input as base_input
}
