package airlock_test

import rego.v1

test_sha1_only_warns if {
	"integrity.weak" in ids(data.airlock.warn) with input as with_facts({"integrity_algorithms": ["sha1"]})
}

test_sha512_is_fine if {
	not "integrity.weak" in ids(data.airlock.warn) with input as base_input
}

test_weak_integrity_deny_mode if {
	"integrity.weak" in ids(data.airlock.deny) with input as with_facts({"integrity_algorithms": ["sha1"]}) with data.airlock.settings as with_settings({"weak_integrity": "deny"})
}

signed(check) := object.union(with_facts({"registry_signature": check}), {"phase": "artifact"})

bad_signature := {"status": "invalid", "keyid": "SHA256:k1", "error": "the signature by SHA256:k1 does not verify over left-pad@1.3.0:sha512-AAAA", "keyids": ["SHA256:k1"]}

test_an_invalid_registry_signature_is_denied_with_its_reason if {
	some f in data.airlock.deny with input as signed(bad_signature)
	f.id == "integrity.signature_invalid"
	f.msg == "left-pad@1.3.0: its registry signature does not check out (the signature by SHA256:k1 does not verify over left-pad@1.3.0:sha512-AAAA): the metadata was altered after the registry signed it"
}

test_the_invalid_signature_setting_chooses_the_action if {
	"integrity.signature_invalid" in ids(data.airlock.quarantine) with input as signed(bad_signature) with data.airlock.settings as with_settings({"registry_signature_invalid": "quarantine"})
	"integrity.signature_invalid" in ids(data.airlock.warn) with input as signed(bad_signature) with data.airlock.settings as with_settings({"registry_signature_invalid": "warn"})
	not "integrity.signature_invalid" in ids(data.airlock.deny) with input as signed(bad_signature) with data.airlock.settings as with_settings({"registry_signature_invalid": "allow"})
	not "integrity.signature_invalid" in ids(data.airlock.warn) with input as signed(bad_signature) with data.airlock.settings as with_settings({"registry_signature_invalid": "allow"})
}

test_verified_or_unchecked_signatures_raise_nothing if {
	verified := {"status": "verified", "keyid": "SHA256:k1", "error": null, "keyids": ["SHA256:k1"]}
	count({f | some f in data.airlock.deny; startswith(f.id, "integrity.signature")}) == 0 with input as signed(verified)
	count({f | some f in data.airlock.warn; startswith(f.id, "integrity.signature")}) == 0 with input as signed(verified) with data.airlock.settings as with_settings({"registry_signature_missing": "warn"})
	count({f | some f in data.airlock.warn; startswith(f.id, "integrity.signature")}) == 0 with input as base_input with data.airlock.settings as with_settings({"registry_signature_missing": "warn"})
}

test_unsigned_versions_pass_by_default_and_the_setting_can_hold_them if {
	absent := {"status": "absent", "keyid": null, "error": null, "keyids": []}
	untrusted := {"status": "untrusted", "keyid": null, "error": null, "keyids": ["SHA256:other", "SHA256:more"]}
	count({f | some f in data.airlock.quarantine; f.id == "integrity.signature_missing"}) == 0 with input as signed(absent)
	count({f | some f in data.airlock.warn; f.id == "integrity.signature_missing"}) == 0 with input as signed(untrusted)
	some f in data.airlock.quarantine with input as signed(absent) with data.airlock.settings as with_settings({"registry_signature_missing": "quarantine"})
	f.msg == "left-pad@1.3.0 has no registry signature"
	some g in data.airlock.deny with input as signed(untrusted) with data.airlock.settings as with_settings({"registry_signature_missing": "deny"})
	g.msg == "left-pad@1.3.0 is not signed by a registry key Airlock trusts (signed by SHA256:other, SHA256:more)"
}

attested(check) := object.union(with_facts({"attestations": check}), {"phase": "artifact"})

bad_attestation := {"status": "invalid", "error": "the https://slsa.dev/provenance/v1 attestation is not for this tarball: it attests a tarball with sha512 aa, not the one served (sha512 bb)", "count": 2, "verified": [], "provenance": null}

test_an_invalid_attestation_is_denied_with_its_reason if {
	some f in data.airlock.deny with input as attested(bad_attestation)
	f.id == "integrity.attestation_invalid"
	f.msg == "left-pad@1.3.0: its attestations do not check out (the https://slsa.dev/provenance/v1 attestation is not for this tarball: it attests a tarball with sha512 aa, not the one served (sha512 bb))"
}

test_the_invalid_attestation_setting_chooses_the_action if {
	"integrity.attestation_invalid" in ids(data.airlock.quarantine) with input as attested(bad_attestation) with data.airlock.settings as with_settings({"attestation_invalid": "quarantine"})
	"integrity.attestation_invalid" in ids(data.airlock.warn) with input as attested(bad_attestation) with data.airlock.settings as with_settings({"attestation_invalid": "warn"})
	not "integrity.attestation_invalid" in ids(data.airlock.deny) with input as attested(bad_attestation) with data.airlock.settings as with_settings({"attestation_invalid": "allow"})
	not "integrity.attestation_invalid" in ids(data.airlock.warn) with input as attested(bad_attestation) with data.airlock.settings as with_settings({"attestation_invalid": "allow"})
}

test_unverifiable_attestations_warn_by_default_and_the_setting_can_hold_them if {
	unverifiable := {"status": "unverifiable", "error": "the upstream did not serve its attestations (not found)", "count": 0, "verified": [], "provenance": null}
	some f in data.airlock.warn with input as attested(unverifiable)
	f.id == "integrity.attestation_unverifiable"
	f.msg == "left-pad@1.3.0: its attestations could not be checked (the upstream did not serve its attestations (not found))"
	count({g | some g in data.airlock.quarantine; g.id == "integrity.attestation_unverifiable"}) == 0 with input as attested(unverifiable)
	"integrity.attestation_unverifiable" in ids(data.airlock.quarantine) with input as attested(unverifiable) with data.airlock.settings as with_settings({"attestation_unverifiable": "quarantine"})
	not "integrity.attestation_unverifiable" in ids(data.airlock.warn) with input as attested(unverifiable) with data.airlock.settings as with_settings({"attestation_unverifiable": "allow"})
}

test_verified_or_absent_attestations_raise_nothing if {
	verified := {"status": "verified", "error": null, "count": 1, "verified": ["https://github.com/npm/attestation/tree/main/specs/publish/v0.1"], "provenance": null}
	absent := {"status": "absent", "error": null, "count": 0, "verified": [], "provenance": null}
	count({f | some f in data.airlock.warn; startswith(f.id, "integrity.attestation")}) == 0 with input as attested(verified)
	count({f | some f in data.airlock.deny; startswith(f.id, "integrity.attestation")}) == 0 with input as attested(verified)
	count({f | some f in data.airlock.warn; startswith(f.id, "integrity.attestation")}) == 0 with input as attested(absent) with data.airlock.settings as with_settings({"attestation_unverifiable": "deny"})
	count({f | some f in data.airlock.deny; startswith(f.id, "integrity.attestation")}) == 0 with input as base_input
}
