package airlock_test

import rego.v1

vuln(id, level, score, fixed) := {
	"id": id, "aliases": ["CVE-2021-44906"], "summary": "s", "severity": level, "score": score,
	"vector": null, "fixed": fixed, "published": null, "modified": "2023-01-01T00:00:00Z", "feed": "osv",
}

vulns(records) := with_facts({"vulnerabilities": {
	"count": count(records), "max_severity": "critical", "max_score": null, "fix_available": false,
	"uncertain": false, "records": records,
}})

critical := vuln("GHSA-xvch-5gv4-984h", "critical", 9.8, "1.2.6")

test_a_critical_vulnerability_is_held_for_review if {
	q := data.airlock.quarantine with input as vulns([critical])
	some f in q
	f.id == "vulnerability.critical"
	f.msg == "left-pad@1.3.0 has 1 known critical-severity vulnerability: GHSA-xvch-5gv4-984h (CVE-2021-44906), CVSS 9.8, fixed in 1.2.6"
}

test_lesser_levels_warn_one_finding_per_level if {
	inp := vulns([vuln("GHSA-a", "high", 7.5, null), vuln("GHSA-b", "high", null, "2.0.0"), vuln("GHSA-c", "low", 3.1, "2.0.0")])
	w := {f.id: f.msg | some f in data.airlock.warn with input as inp}
	w["vulnerability.high"] == "left-pad@1.3.0 has 2 known high-severity vulnerabilities: GHSA-a (CVE-2021-44906), CVSS 7.5, no fixed version known; GHSA-b (CVE-2021-44906), fixed in 2.0.0"
	"vulnerability.low" in object.keys(w)
	count(data.airlock.quarantine) == 0 with input as inp
	count(data.airlock.deny) == 0 with input as inp
}

test_no_advisories_no_finding if {
	count(data.airlock.warn) == 0 with input as with_facts({"vulnerabilities": {"count": 0, "records": [], "uncertain": false}})
	count(data.airlock.warn) == 0 with input as base_input
}

test_an_accepted_advisory_is_ignored_by_id_or_alias if {
	by_id := with_settings({"vulnerabilities": object.union(data.airlock.settings.vulnerabilities, {"allowed": ["GHSA-xvch-5gv4-984h"]})})
	count(data.airlock.quarantine) == 0 with input as vulns([critical]) with data.airlock.settings as by_id
	by_alias := with_settings({"vulnerabilities": object.union(data.airlock.settings.vulnerabilities, {"allowed": ["CVE-2021-44906"]})})
	count(data.airlock.quarantine) == 0 with input as vulns([critical]) with data.airlock.settings as by_alias
}

test_levels_are_settings if {
	strict := with_settings({"vulnerabilities": object.union(data.airlock.settings.vulnerabilities, {"critical": "deny", "high": "quarantine", "low": "allow"})})
	inp := vulns([critical, vuln("GHSA-h", "high", 8.1, "1.0.1"), vuln("GHSA-l", "low", 2.0, "1.0.1")])
	"vulnerability.critical" in ids(data.airlock.deny) with input as inp with data.airlock.settings as strict
	"vulnerability.high" in ids(data.airlock.quarantine) with input as inp with data.airlock.settings as strict
	not "vulnerability.low" in ids(data.airlock.warn) with input as inp with data.airlock.settings as strict
}

test_uncertain_ranges_warn if {
	inp := with_facts({"vulnerabilities": {"count": 0, "records": [], "uncertain": true}})
	"vulnerability.uncertain" in ids(data.airlock.warn) with input as inp
}
