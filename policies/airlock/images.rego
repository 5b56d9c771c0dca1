# Container images and other OCI artifacts (`input.artifact.ecosystem == "oci"`; facts
# `input.facts.image` and, in the artifact phase, `input.facts.image_signature`,
# docs/facts/oci.md). An image is a manifest digest; the cooldown and the blocklist apply to it as
# to any package version (its `published_at` is the config's `created`, when that is plausible).
#
# Signatures (cosign, either generation): one that does not check out is refused
# (`image.signature_invalid`). `image_signers` makes signatures required:
# `[{"images": ["acme/*"], "identity": "https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main", "issuer": "https://token.actions.githubusercontent.com"}]`
# (keyless: the certificate's identity and OIDC issuer) or `{"images": […], "key_hint": "<hex>"}`
# (a key from the repository's `cosignKeys`); an image a rule's glob matches is served only when
# one of its rules' signers signed it (`image.signature_required`). Signature objects themselves
# (a `.sig` tag, a Sigstore bundle referrer) are what signatures are checked from: none is required of them.
package airlock

import rego.v1

image := object.get(input.facts, "image", {})

image_signature := object.get(input.facts, "image_signature", {})

image_artifact if {
	input.artifact.ecosystem == "oci"
	input.phase == "artifact"
}

image_signer := image_signature.signers[0].identity if {
	is_string(image_signature.signers[0].identity)
} else := sprintf("the key %s", [image_signature.signers[0].key_hint]) if {
	is_string(image_signature.signers[0].key_hint)
} else := "its signer"

deny contains {"id": "image.signature_invalid", "msg": msg} if {
	image_signature.status == "invalid"
	msg := sprintf("%s: its signature does not check out: %s", [package_label, image_signature.error])
}

# The `image_signers` rules whose images match this image.
image_signer_rules := [r |
	some r in object.get(cfg, "image_signers", [])
	some pattern in object.get(r, "images", [])
	glob.match(pattern, ["/"], input.artifact.name)
]

image_signature_required if {
	image_artifact
	count(image_signer_rules) > 0
	object.get(image, "kind", null) != "signature"
}

image_signer_matches(r, s) if {
	is_string(r.identity)
	r.identity == s.identity
	object.get(r, "issuer", s.issuer) == s.issuer
}

image_signer_matches(r, s) if {
	is_string(r.key_hint)
	r.key_hint == s.key_hint
}

image_signed_by_a_required_signer if {
	image_signature.status == "verified"
	some r in image_signer_rules
	some s in image_signature.signers
	image_signer_matches(r, s)
}

image_required_signers := concat(", ", {s |
	some r in image_signer_rules
	s := object.get(r, "identity", sprintf("the key %s", [object.get(r, "key_hint", "?")]))
})

image_signature_state := "it is not signed" if {
	object.get(image_signature, "status", "absent") == "absent"
} else := sprintf("its signature is %s (%s)", [image_signature.status, image_signature.error]) if {
	image_signature.status in {"invalid", "unverifiable"}
} else := sprintf("it is signed by %s", [image_signer]) if {
	image_signature.status == "verified"
} else := sprintf("its signature status is %v", [object.get(image_signature, "status", null)])

deny contains {"id": "image.signature_required", "msg": msg} if {
	image_signature_required
	not image_signed_by_a_required_signer
	msg := sprintf("%s must be signed by %s (image_signers), but %s", [package_label, image_required_signers, image_signature_state])
}

# A signature Airlock could not check (a key it is not given, an upstream that failed while it
# looked): no verdict of its own where no signer is required, but worth a line in the audit trail.
warn contains {"id": "image.signature_unverifiable", "msg": msg} if {
	image_signature.status == "unverifiable"
	not image_signature_required
	msg := sprintf("%s: its signature could not be checked: %s", [package_label, image_signature.error])
}

# --- Release tags that move ---------------------------------------------------------------------
# A client asked for a release tag (`1.4.2`, `v2.0.0-rc.1`) and Airlock saw that tag point at
# another manifest before (`input.facts.image.tag_history`): a release re-pushed under the same
# name, which a compromised publisher does and a pinned digest would have caught. Official images
# are rebuilt under their version tags for base-image fixes, so it is a warning by default:
# `image_tag_moved` is "allow", "warn" (default), "quarantine" or "deny"; images matched by a
# glob of `image_tag_moved_allowed` (`library/*`) are trusted to re-push. Floating tags
# (`latest`, `3`, `3.20`, `main`) are meant to move and are never flagged.
image_release_tag if {
	is_string(image.reference)
	regex.match(`^v?[0-9]+\.[0-9]+\.[0-9]+([-+._][0-9A-Za-z.+-]*)?$`, image.reference)
}

image_tag_moved_trusted if {
	some pattern in object.get(cfg, "image_tag_moved_allowed", [])
	glob.match(pattern, ["/"], input.artifact.name)
}

image_tag_moved_setting := object.get(cfg, "image_tag_moved", "warn")

image_tag_moved_finding := {"id": "image.tag_moved", "msg": msg} if {
	image_release_tag
	not image_tag_moved_trusted
	before := image.tag_history.earlier[0]
	msg := sprintf("%s: the release tag %s pointed at %s when Airlock first saw it (%s); it now points at this manifest (first seen %s): a release tag that moves is re-pushed content, check it or pull by digest", [package_label, image.reference, substring(before.digest, 0, 19), before.first_seen, image.tag_history.first_seen])
}

warn contains image_tag_moved_finding if image_tag_moved_setting == "warn"

quarantine contains image_tag_moved_finding if image_tag_moved_setting == "quarantine"

deny contains image_tag_moved_finding if image_tag_moved_setting == "deny"
