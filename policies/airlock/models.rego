# Model files (Hugging Face files and the model layers of OCI artifacts; artifact phase:
# `input.facts.model_file` and `input.facts.model_scan`, docs/facts/huggingface.md and oci.md).
# Every file of a Hub commit, and every model layer of an artifact, is scanned by content before it is served;
# the scanner's verdict decides: code that runs when the file is loaded is refused
# (`model.code_execution`); a suspicious, unscannable or malformed file is held for review
# (`model.suspicious`, `model.unscannable`, `model.invalid`), and so is a scan result this policy
# cannot read (fail closed). A clean pickle-based file (PyTorch `.bin`/`.pt`, `.pkl`, joblib) is
# still one whose loading would run whatever code a tampered copy carries: `model_pickle` ("allow",
# "warn" (default), "quarantine" or "deny") says what to do with those (`model.pickle`); repos in
# `model_pickle_allowed` (names as `artifact.name` writes them: `acme/tiny`, `datasets/acme/corpus`)
# are trusted to ship them. The rules read only these facts, which npm and PyPI do not supply.
package airlock

import rego.v1

model_file := input.facts.model_file

model_scan := input.facts.model_scan

model_file_path := object.get(input.facts, ["model_file", "path"], "a file")

model_scan_format := object.get(input.facts, ["model_scan", "format"], "unknown")

# The artifact phase of a model file: facts about one file, or a scan result.
model_artifact if is_object(input.facts.model_file)

model_artifact if is_object(input.facts.model_scan)

known_model_verdicts := {"safe", "suspicious", "malicious", "invalid", "unscannable"}

model_scan_findings := object.get(input.facts, ["model_scan", "findings"], [])

# `rule: message` of one scan finding (`rule in member: message` for one inside a container).
model_finding_text(f) := sprintf("%s in %s: %s", [object.get(f, "rule", "?"), f.member, object.get(f, "message", "")]) if {
	is_string(object.get(f, "member", null))
} else := sprintf("%s: %s", [object.get(f, "rule", "?"), object.get(f, "message", "")])

# The first listed finding of a class, as text. Findings are listed up to 32: when those of the
# class were cut, the message says so (the verdict still decides, whatever the list holds).
first_model_finding(class) := text if {
	found := [f | some f in model_scan_findings; is_object(f); f.class == class]
	count(found) > 0
	text := model_finding_text(found[0])
} else := sprintf("no %s finding among the %v listed of %v", [class, count(model_scan_findings), object.get(input.facts, ["model_scan", "findings_total"], "?")])

deny contains {"id": "model.code_execution", "msg": msg} if {
	model_scan.verdict == "malicious"
	msg := sprintf("%s: %s runs code when it is loaded (%s)", [package_label, model_file_path, first_model_finding("malicious")])
}

quarantine contains {"id": "model.suspicious", "msg": msg} if {
	model_scan.verdict == "suspicious"
	msg := sprintf("%s: %s looks suspicious to the model scanner (%s)", [package_label, model_file_path, first_model_finding("suspicious")])
}

quarantine contains {"id": "model.unscannable", "msg": msg} if {
	model_scan.verdict == "unscannable"
	msg := sprintf("%s: %s could not be scanned in full (%s)", [package_label, model_file_path, first_model_finding("unscannable")])
}

quarantine contains {"id": "model.unscannable", "msg": msg} if {
	model_artifact
	verdict := object.get(input.facts, ["model_scan", "verdict"], null)
	not verdict in known_model_verdicts
	msg := sprintf("%s: %s has no scan verdict this policy knows (%v)", [package_label, model_file_path, verdict])
}

quarantine contains {"id": "model.invalid", "msg": msg} if {
	model_scan.verdict == "invalid"
	msg := sprintf("%s: %s is not a well-formed %s file (%s)", [package_label, model_file_path, model_scan_format, first_model_finding("invalid")])
}

# --- Pickle-based files that scan clean ---------------------------------------------------------

model_pickle_setting := object.get(cfg, "model_pickle", "warn")

model_pickle_trusted if input.artifact.name in object.get(cfg, "model_pickle_allowed", [])

# The commit's .safetensors files, as far as `files.names` lists them.
safetensors_names := [n | some n in object.get(input.facts, ["files", "names"], []); endswith(lower(n), ".safetensors")]

safetensors_advice := sprintf("prefer %s", [safetensors_names[0]]) if {
	count(safetensors_names) == 1
} else := sprintf("prefer its %v .safetensors files (%s …)", [object.get(input.facts, ["files", "safetensors"], count(safetensors_names)), safetensors_names[0]]) if {
	count(safetensors_names) > 1
} else := "prefer its .safetensors files"

model_pickle_alternative := sprintf("the commit also has safetensors weights: %s", [safetensors_advice]) if {
	model_file.safetensors_alternative == true
} else := "the commit has no safetensors alternative"

model_pickle_finding := {"id": "model.pickle", "msg": msg} if {
	model_file.pickle_based == true
	model_scan.verdict == "safe"
	not model_pickle_trusted
	msg := sprintf("%s: %s is pickle-based (%s): loading it would run any code a tampered copy carries; %s", [package_label, model_file_path, model_scan_format, model_pickle_alternative])
}

warn contains model_pickle_finding if model_pickle_setting == "warn"

quarantine contains model_pickle_finding if model_pickle_setting == "quarantine"

deny contains model_pickle_finding if model_pickle_setting == "deny"

# --- Python code in a repo (trust_remote_code) ---------------------------------------------------
# transformers imports a repo's own `.py` files (modeling, configuration, tokenization) and runs
# them in the caller's process when it loads the repo with `trust_remote_code=True`; no scanner
# can tell good code from bad there, so a person should read it. `model_remote_code` ("allow",
# "warn", "quarantine" (default) or "deny") holds the code of a repo that is new or little used and
# only warns of an established one's (downloaded at least `model_established_downloads` times in
# the Hub's last 30 days, created 90 days ago or more); "deny" refuses it all. Repos in
# `model_remote_code_allowed` are trusted to ship code.
model_remote_code_setting := object.get(cfg, "model_remote_code", "quarantine")

hub_repo_established if {
	object.get(input.facts, ["hub", "downloads"], null) >= object.get(cfg, "model_established_downloads", 10000)
	created := input.facts.package_created_at
	is_string(created)
	time.parse_rfc3339_ns(created) <= now_ns - (90 * ns_per_day)
}

model_remote_code_finding := {"id": "model.remote_code", "msg": msg} if {
	model_file.extension == ".py"
	not input.artifact.name in object.get(cfg, "model_remote_code_allowed", [])
	msg := sprintf("%s: %s is Python code that transformers runs in your process when the repo is loaded with trust_remote_code=True", [package_label, model_file_path])
}

warn contains model_remote_code_finding if model_remote_code_setting == "warn"

warn contains model_remote_code_finding if {
	model_remote_code_setting == "quarantine"
	hub_repo_established
}

quarantine contains model_remote_code_finding if {
	model_remote_code_setting == "quarantine"
	not hub_repo_established
}

deny contains model_remote_code_finding if model_remote_code_setting == "deny"

# --- Model signatures (OpenSSF model signing: the commit's model.sig) -------------------------------
# A signature that does not check out is refused (`model.signature_invalid`), and so is a file whose
# bytes are not the ones the signer signed (`model.signature_mismatch`). A file the signature does
# not cover, added after signing, is what `model_unsigned_files` says ("allow", "warn",
# "quarantine" (default) or "deny"; `model.signature_unsigned`). `model_signers` makes signatures
# required: `[{"repos": ["acme/*"], "identity": "release@acme.example", "issuer": "https://…"}]`
# (keyless: the certificate's identity and OIDC issuer) or `{"repos": […], "key_hint": "<hex>"}`
# (a key); a repo a rule's glob matches is served only when signed by one of its rules' signers
# (`model.signature_required`, in both phases).
model_signature := object.get(input.facts, "model_signature", {})

model_signer := model_signature.identity if {
	is_string(model_signature.identity)
} else := sprintf("the key %s", [model_signature.key_hint]) if {
	is_string(model_signature.key_hint)
} else := "its signer"

deny contains {"id": "model.signature_invalid", "msg": msg} if {
	model_signature.status == "invalid"
	msg := sprintf("%s: its model signature (model.sig) does not check out: %s", [package_label, model_signature.error])
}

deny contains {"id": "model.signature_mismatch", "msg": msg} if {
	model_signature.file == "mismatch"
	msg := sprintf("%s: %s is not the file %s signed: its bytes differ from the signed manifest (model.sig)", [package_label, model_file_path, model_signer])
}

model_unsigned_setting := object.get(cfg, "model_unsigned_files", "quarantine")

model_unsigned_finding := {"id": "model.signature_unsigned", "msg": msg} if {
	model_signature.file == "unsigned"
	msg := sprintf("%s: %s is not covered by the model signature %s made (model.sig): a file added after signing", [package_label, model_file_path, model_signer])
}

warn contains model_unsigned_finding if model_unsigned_setting == "warn"

quarantine contains model_unsigned_finding if model_unsigned_setting == "quarantine"

deny contains model_unsigned_finding if model_unsigned_setting == "deny"

# The `model_signers` rules whose repos match this repo.
model_signer_rules := [r |
	some r in object.get(cfg, "model_signers", [])
	some pattern in object.get(r, "repos", [])
	glob.match(pattern, ["/"], input.artifact.name)
]

model_signature_required if {
	input.artifact.ecosystem == "huggingface"
	count(model_signer_rules) > 0
}

model_signer_matches(r) if {
	is_string(r.identity)
	r.identity == model_signature.identity
	object.get(r, "issuer", model_signature.issuer) == model_signature.issuer
}

model_signer_matches(r) if {
	is_string(r.key_hint)
	r.key_hint == model_signature.key_hint
}

signed_by_a_required_signer if {
	model_signature.status == "verified"
	some r in model_signer_rules
	model_signer_matches(r)
}

model_required_signers := concat(", ", {s |
	some r in model_signer_rules
	s := object.get(r, "identity", sprintf("the key %s", [object.get(r, "key_hint", "?")]))
})

model_signature_state := "it has no model signature (model.sig)" if {
	object.get(input.facts, ["files", "signed"], false) != true
	object.get(model_signature, "status", "absent") == "absent"
} else := sprintf("its model signature is %s (%s)", [model_signature.status, model_signature.error]) if {
	model_signature.status in {"invalid", "unverifiable"}
} else := sprintf("it is signed by %s", [model_signer]) if {
	model_signature.status == "verified"
} else := "its model signature is checked when a file is asked for"

# Metadata phase: a commit without a model.sig is refused at once. Artifact phase: the signature
# must check out and be one of the required signers'.
deny contains {"id": "model.signature_required", "msg": msg} if {
	model_signature_required
	not model_artifact
	object.get(input.facts, ["files", "signed"], false) != true
	msg := sprintf("%s must be signed by %s (model_signers), but %s", [package_label, model_required_signers, model_signature_state])
}

deny contains {"id": "model.signature_required", "msg": msg} if {
	model_signature_required
	model_artifact
	not signed_by_a_required_signer
	msg := sprintf("%s must be signed by %s (model_signers), but %s", [package_label, model_required_signers, model_signature_state])
}
