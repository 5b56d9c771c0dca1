package airlock_test

import rego.v1

image_digest := "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

# A container image months old, as the artifact phase sees it.
oci_artifact := {
	"version": 1,
	"phase": "artifact",
	"now": "2026-03-10T12:00:00Z",
	"artifact": {"ecosystem": "oci", "repo": "containers", "repo_kind": "proxy", "name": "acme/app", "version": image_digest, "purl": sprintf("pkg:oci/acme/app@%s", [image_digest])},
	"facts": {
		"published_at": "2025-11-02T09:30:00Z",
		"image": {"name": "acme/app", "digest": image_digest, "reference": "1.0", "media_type": "application/vnd.oci.image.manifest.v1+json", "kind": "image", "artifact_type": null, "size": 1000, "platforms": [{"os": "linux", "architecture": "amd64", "variant": null}], "manifests": 0, "layers": {"count": 1, "size": 900, "media_types": ["application/vnd.oci.image.layer.v1.tar+gzip"]}, "subject": null, "annotations": {}, "config": null},
		"image_signature": {"status": "absent", "signers": [], "error": null},
	},
	"request": null,
	"review": {"state": "none", "quarantine_id": null, "expires_at": null, "expired": false, "other_content": false},
	"exceptions": [],
}

signed_by(status, signers, error) := object.union(oci_artifact, {"facts": object.union(oci_artifact.facts, {"image_signature": {"status": status, "signers": signers, "error": error}})})

keyless := {"mode": "keyless", "identity": "https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main", "issuer": "https://token.actions.githubusercontent.com", "key_hint": null, "source": "referrer"}

keyed := {"mode": "key", "identity": null, "issuer": null, "key_hint": "ab12", "source": "tag"}

signers_rule := {"image_signers": [
	{"images": ["acme/*"], "identity": keyless.identity, "issuer": keyless.issuer},
	{"images": ["acme/*"], "key_hint": "ab12"},
]}

test_an_unsigned_image_is_allowed_by_default if {
	count(data.airlock.deny) == 0 with input as oci_artifact
	count(data.airlock.quarantine) == 0 with input as oci_artifact
}

test_the_label_is_the_name_and_a_short_digest if {
	msgs := {f.msg | some f in data.airlock.deny} with input as signed_by("invalid", [], "bad")
	some m in msgs
	startswith(m, "acme/app@sha256:0123456789ab: ")
}

test_an_invalid_signature_is_denied if {
	"image.signature_invalid" in ids(data.airlock.deny) with input as signed_by("invalid", [], "the payload names another image")
}

test_an_unverifiable_signature_warns_only if {
	in_ := signed_by("unverifiable", [], "no trusted key")
	"image.signature_unverifiable" in ids(data.airlock.warn) with input as in_
	count(data.airlock.deny) == 0 with input as in_
}

test_required_signers_refuse_an_unsigned_image if {
	"image.signature_required" in ids(data.airlock.deny) with input as oci_artifact with data.airlock.settings as with_settings(signers_rule)
}

test_required_signers_accept_the_keyless_identity if {
	count(data.airlock.deny) == 0 with input as signed_by("verified", [keyless], null) with data.airlock.settings as with_settings(signers_rule)
}

test_required_signers_accept_the_key if {
	count(data.airlock.deny) == 0 with input as signed_by("verified", [keyed], null) with data.airlock.settings as with_settings(signers_rule)
}

test_required_signers_refuse_another_identity if {
	other := object.union(keyless, {"identity": "mallory@example.com"})
	"image.signature_required" in ids(data.airlock.deny) with input as signed_by("verified", [other], null) with data.airlock.settings as with_settings(signers_rule)
}

test_required_signers_refuse_the_right_identity_from_another_issuer if {
	other := object.union(keyless, {"issuer": "https://accounts.example.com"})
	"image.signature_required" in ids(data.airlock.deny) with input as signed_by("verified", [other], null) with data.airlock.settings as with_settings(signers_rule)
}

test_required_signers_apply_only_to_matching_images if {
	other := object.union(oci_artifact, {"artifact": object.union(oci_artifact.artifact, {"name": "library/alpine"})})
	count(data.airlock.deny) == 0 with input as other with data.airlock.settings as with_settings(signers_rule)
}

test_a_signature_object_needs_no_signature if {
	sig := object.union(oci_artifact, {"facts": object.union(oci_artifact.facts, {"image": object.union(oci_artifact.facts.image, {"kind": "signature"})})})
	count(data.airlock.deny) == 0 with input as sig with data.airlock.settings as with_settings(signers_rule)
}

test_signatures_are_not_required_in_the_metadata_phase if {
	meta := object.union(oci_artifact, {"phase": "metadata", "facts": {"published_at": "2025-11-02T09:30:00Z", "image": oci_artifact.facts.image}})
	count(data.airlock.deny) == 0 with input as meta with data.airlock.settings as with_settings(signers_rule)
}

test_a_young_image_is_in_cooldown if {
	young := object.union(oci_artifact, {"facts": object.union(oci_artifact.facts, {"published_at": "2026-03-09T12:00:00Z"})})
	"cooldown" in ids(data.airlock.quarantine) with input as young
}

moved(tag) := object.union(oci_artifact, {"facts": object.union(oci_artifact.facts, {"image": object.union(oci_artifact.facts.image, {
	"reference": tag,
	"tag_history": {"first_seen": "2026-03-09T10:00:00Z", "earlier": [{"digest": "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "first_seen": "2026-01-02T10:00:00Z"}], "earlier_count": 1},
})})})

test_a_moved_release_tag_is_a_warning_by_default if {
	"image.tag_moved" in ids(data.airlock.warn) with input as moved("1.4.2")
	count(data.airlock.quarantine) == 0 with input as moved("1.4.2")
	msgs := {f.msg | some f in data.airlock.warn; f.id == "image.tag_moved"} with input as moved("v1.4.2")
	some m in msgs
	contains(m, "the release tag v1.4.2 pointed at sha256:aaaaaaaaaaaa when Airlock first saw it (2026-01-02T10:00:00Z)")
}

test_a_moved_release_tag_can_be_held_or_refused if {
	"image.tag_moved" in ids(data.airlock.quarantine) with input as moved("2.0.0-rc.1") with data.airlock.settings as with_settings({"image_tag_moved": "quarantine"})
	"image.tag_moved" in ids(data.airlock.deny) with input as moved("1.4.2") with data.airlock.settings as with_settings({"image_tag_moved": "deny"})
}

test_floating_tags_and_trusted_images_may_move if {
	not "image.tag_moved" in ids(data.airlock.warn) with input as moved("latest")
	not "image.tag_moved" in ids(data.airlock.warn) with input as moved("3.20")
	not "image.tag_moved" in ids(data.airlock.warn) with input as moved("1.4.2") with data.airlock.settings as with_settings({"image_tag_moved_allowed": ["acme/*"]})
}

test_an_image_asked_for_by_digest_has_no_tag_to_move if {
	by_digest := object.union(oci_artifact, {"facts": object.union(oci_artifact.facts, {"image": object.union(oci_artifact.facts.image, {"reference": null, "tag_history": null})})})
	count(data.airlock.deny) == 0 with input as by_digest with data.airlock.settings as with_settings({"image_tag_moved": "deny"})
	count(data.airlock.warn) == 0 with input as by_digest
}

test_a_tag_seen_once_has_not_moved if {
	first := object.union(oci_artifact, {"facts": object.union(oci_artifact.facts, {"image": object.union(oci_artifact.facts.image, {"reference": "1.4.2", "tag_history": {"first_seen": "2026-03-09T10:00:00Z", "earlier": [], "earlier_count": 0}})})})
	count(data.airlock.warn) == 0 with input as first
}
