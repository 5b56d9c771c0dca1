package airlock_test

import rego.v1

hf_commit := "0123456789abcdef0123456789abcdef01234567"

# A Hub model repo at a commit months old, as the metadata phase sees it: the Hub's facts about
# the repo and the commit's file list (both phases).
hf_metadata := {
	"version": 1,
	"phase": "metadata",
	"now": "2026-03-10T12:00:00Z",
	"artifact": {"ecosystem": "huggingface", "repo": "hf", "repo_kind": "proxy", "name": "acme/tiny", "version": hf_commit, "purl": sprintf("pkg:huggingface/acme/tiny@%s", [hf_commit])},
	"facts": {
		"published_at": "2025-11-02T09:30:00Z",
		"package_created_at": "2024-05-01T10:00:00Z",
		"hub": {
			"type": "model", "id": "acme/tiny", "gated": false, "private": false, "disabled": false,
			"downloads": 15210, "likes": 42, "library_name": "transformers", "pipeline_tag": "text-generation",
			"tags": ["transformers", "safetensors", "pytorch", "llama", "text-generation", "license:apache-2.0"],
		},
		"files": {
			"count": 8,
			"names": [".gitattributes", "README.md", "config.json", "generation_config.json", "model.safetensors", "pytorch_model.bin", "tokenizer.json", "tokenizer_config.json"],
			"pickle_based": ["pytorch_model.bin"],
			"safetensors": 1,
		},
	},
	"request": null,
	"review": {"state": "none", "quarantine_id": null, "expires_at": null, "expired": false, "other_content": false},
	"exceptions": [],
}

# A 4.4 GB LFS file that scans clean (over `max_artifact_bytes`, which is about npm and PyPI files).
safetensors_file := {
	"path": "model.safetensors", "size": 4400000000,
	"sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
	"git_oid": "a9993e364706816aba3e25717850c26c9cd0d89d", "lfs": true, "verified_by": "sha256",
	"extension": ".safetensors", "expected_formats": ["safetensors"], "pickle_based": false, "safetensors_alternative": true,
}

safe_scan := {"verdict": "safe", "format": "safetensors", "findings": [], "findings_total": 0}

pickle_file := object.union(safetensors_file, {
	"path": "pytorch_model.bin", "size": 4400100000, "extension": ".bin",
	"expected_formats": ["pytorch-zip", "pytorch-legacy", "pytorch-tar", "pickle"], "pickle_based": true,
})

# Findings of class info are not listed.
pickle_scan := {"verdict": "safe", "format": "pytorch-zip", "findings_total": 0, "findings": []}

malicious_scan := {"verdict": "malicious", "format": "pytorch-zip", "findings_total": 2, "findings": [
	{"rule": "pickle.callable.unlisted", "class": "suspicious", "severity": "high", "message": "imports acme.layers.make_block and calls it: not on the allowlist of callables legitimate model files use", "member": "archive/data.pkl"},
	{"rule": "pickle.callable.malicious", "class": "malicious", "severity": "critical", "message": "imports os.system and calls it: os is an attack primitive", "member": "archive/data.pkl"},
]}

hf_artifact(file, scan) := object.union(hf_metadata, {
	"phase": "artifact",
	"request": {"role": "reader", "token_id": null, "user_agent": "huggingface_hub/0.36.0; python/3.12.3", "agent": null, "ip": "10.0.4.17"},
	"facts": object.union(hf_metadata.facts, {"model_file": file, "model_scan": scan}),
})

clean_safetensors := hf_artifact(safetensors_file, safe_scan)

clean_pickle := hf_artifact(pickle_file, pickle_scan)

no_findings(inp) if {
	count(data.airlock.deny) == 0 with input as inp
	count(data.airlock.quarantine) == 0 with input as inp
	count(data.airlock.warn) == 0 with input as inp
}

finding_msg(findings, id) := f.msg if {
	some f in findings
	f.id == id
}

# --- The whole built-in policy over Hugging Face inputs ------------------------------------------

test_hf_metadata_phase_is_allowed_without_findings if no_findings(hf_metadata)

test_hf_dataset_metadata_phase_is_allowed_without_findings if {
	dataset := object.union(hf_metadata, {
		"artifact": {"name": "datasets/acme/corpus", "purl": sprintf("pkg:huggingface/datasets/acme/corpus@%s", [hf_commit])},
		"facts": {
			"hub": {"type": "dataset", "id": "acme/corpus", "library_name": null, "pipeline_tag": null, "downloads": null, "likes": null, "tags": ["size_categories:1K<n<10K"]},
			"files": {"count": 3, "names": [".gitattributes", "README.md", "data/train-00000-of-00001.parquet"], "pickle_based": [], "safetensors": 0},
		},
	})
	no_findings(dataset)
}

test_hf_clean_safetensors_file_is_allowed_without_findings if no_findings(clean_safetensors)

test_hf_multi_gigabyte_file_is_not_hit_by_the_size_limit if {
	not "size.artifact" in ids(data.airlock.deny) with input as clean_safetensors
	not "size.unpacked" in ids(data.airlock.quarantine) with input as clean_safetensors
}

test_hf_file_without_a_commit_date_only_warns_of_the_cooldown if {
	inp := object.union(clean_safetensors, {"facts": {"published_at": null}})
	ids(data.airlock.warn) == {"cooldown.unknown_age"} with input as inp
	count(data.airlock.quarantine) == 0 with input as inp
}

test_hf_a_new_commit_is_in_cooldown_labelled_by_its_short_commit if {
	inp := object.union(clean_safetensors, {"facts": {"published_at": "2026-03-10T07:00:00Z"}})
	finding_msg(data.airlock.quarantine, "cooldown") == "acme/tiny@0123456789ab was published 5 hours ago; versions younger than 3 days are held back (cooldown)" with input as inp
}

test_hf_a_new_commit_is_in_cooldown_in_the_metadata_phase_too if {
	"cooldown" in ids(data.airlock.quarantine) with input as object.union(hf_metadata, {"facts": {"published_at": "2026-03-09T12:00:00Z"}})
}

test_hf_malicious_file_is_denied_by_the_whole_policy if {
	inp := hf_artifact(pickle_file, malicious_scan)
	ids(data.airlock.deny) == {"model.code_execution"} with input as inp
}

test_hf_blocklist_applies_to_repos if {
	"blocklist" in ids(data.airlock.deny) with input as clean_safetensors
		with data.airlock.settings as with_settings({"blocked": [{"ecosystem": "huggingface", "name": "acme/tiny", "reason": "licence"}]})
	not "blocklist" in ids(data.airlock.deny) with input as clean_safetensors
		with data.airlock.settings as with_settings({"blocked": [{"ecosystem": "npm", "name": "acme/tiny", "reason": "licence"}]})
}

# --- Labels ----------------------------------------------------------------------------------------

test_hf_label_is_the_repo_at_its_short_commit if {
	data.airlock.package_label == "acme/tiny@0123456789ab" with input as hf_metadata
}

test_hf_dataset_label_keeps_the_datasets_prefix if {
	data.airlock.package_label == "datasets/acme/corpus@0123456789ab" with input as object.union(hf_metadata, {"artifact": {"name": "datasets/acme/corpus"}})
}

test_npm_and_pypi_labels_are_unchanged if {
	data.airlock.package_label == "left-pad@1.3.0" with input as base_input
	data.airlock.package_label == "acme-tools==1.0" with input as wheel({})
}

# --- The scan verdict --------------------------------------------------------------------------------

test_malicious_message_names_the_file_and_the_first_malicious_finding if {
	msg := finding_msg(data.airlock.deny, "model.code_execution") with input as hf_artifact(pickle_file, malicious_scan)
	msg == "acme/tiny@0123456789ab: pytorch_model.bin runs code when it is loaded (pickle.callable.malicious in archive/data.pkl: imports os.system and calls it: os is an attack primitive)"
}

test_malicious_top_level_finding_has_no_member if {
	scan := {"verdict": "malicious", "format": "pickle", "findings_total": 1, "findings": [
		{"rule": "pickle.callable.malicious", "class": "malicious", "severity": "critical", "message": "imports posix.system and calls it", "member": null},
	]}
	msg := finding_msg(data.airlock.deny, "model.code_execution") with input as hf_artifact(object.union(pickle_file, {"path": "model.pkl"}), scan)
	msg == "acme/tiny@0123456789ab: model.pkl runs code when it is loaded (pickle.callable.malicious: imports posix.system and calls it)"
}

test_malicious_verdict_is_denied_even_when_its_findings_were_cut if {
	scan := object.union(malicious_scan, {"findings": [malicious_scan.findings[0]], "findings_total": 40})
	msg := finding_msg(data.airlock.deny, "model.code_execution") with input as hf_artifact(pickle_file, scan)
	msg == "acme/tiny@0123456789ab: pytorch_model.bin runs code when it is loaded (no malicious finding among the 1 listed of 40)"
}

test_malicious_verdict_without_findings_key_is_still_denied if {
	scan := object.remove(malicious_scan, ["findings"])
	"model.code_execution" in ids(data.airlock.deny) with input as hf_artifact(pickle_file, scan)
}

test_a_malicious_pickle_is_not_also_reported_as_pickle_based if {
	inp := hf_artifact(pickle_file, malicious_scan)
	not "model.pickle" in ids(data.airlock.warn) with input as inp
}

test_suspicious_file_is_quarantined_naming_the_first_suspicious_finding if {
	scan := {"verdict": "suspicious", "format": "onnx", "findings_total": 2, "findings": [
		{"rule": "onnx.operator.custom-domain", "class": "suspicious", "severity": "medium", "message": "operators from custom domain \"ai.onnx.contrib\" (PyOp) need a custom-operator library to run", "member": null},
		{"rule": "onnx.operator.custom-domain", "class": "suspicious", "severity": "medium", "message": "operators from custom domain \"com.example.ops\" (MyGelu) need a custom-operator library to run", "member": null},
	]}
	file := object.union(safetensors_file, {"path": "onnx/model.onnx", "extension": ".onnx", "expected_formats": ["onnx"]})
	inp := hf_artifact(file, scan)
	finding_msg(data.airlock.quarantine, "model.suspicious") == "acme/tiny@0123456789ab: onnx/model.onnx looks suspicious to the model scanner (onnx.operator.custom-domain: operators from custom domain \"ai.onnx.contrib\" (PyOp) need a custom-operator library to run)" with input as inp
	count(data.airlock.deny) == 0 with input as inp
}

test_a_file_that_is_not_what_its_name_says_is_quarantined if {
	scan := {"verdict": "suspicious", "format": "pickle", "findings_total": 1, "findings": [
		{"rule": "scan.format.unexpected", "class": "suspicious", "severity": "medium", "message": "content is pickle, expected safetensors", "member": null},
	]}
	finding_msg(data.airlock.quarantine, "model.suspicious") == "acme/tiny@0123456789ab: model.safetensors looks suspicious to the model scanner (scan.format.unexpected: content is pickle, expected safetensors)" with input as hf_artifact(safetensors_file, scan)
}

test_unscannable_file_is_quarantined_saying_why if {
	scan := {"verdict": "unscannable", "format": "hdf5", "findings_total": 1, "findings": [
		{"rule": "hdf5.dataset.objects-unreadable", "class": "unscannable", "severity": "medium", "message": "/frame/block0_values: variable-length byte data (filtered) may hold pickled objects and was not read", "member": null},
	]}
	file := object.union(safetensors_file, {"path": "table.h5", "extension": ".h5", "expected_formats": ["hdf5", "keras"]})
	finding_msg(data.airlock.quarantine, "model.unscannable") == "acme/tiny@0123456789ab: table.h5 could not be scanned in full (hdf5.dataset.objects-unreadable: /frame/block0_values: variable-length byte data (filtered) may hold pickled objects and was not read)" with input as hf_artifact(file, scan)
}

test_invalid_file_is_quarantined_naming_its_format if {
	scan := {"verdict": "invalid", "format": "safetensors", "findings_total": 1, "findings": [
		{"rule": "safetensors.header.overlap", "class": "invalid", "severity": "medium", "message": "tensor \"b\" [4, 12) overlaps \"a\" ending at 8", "member": null},
	]}
	finding_msg(data.airlock.quarantine, "model.invalid") == "acme/tiny@0123456789ab: model.safetensors is not a well-formed safetensors file (safetensors.header.overlap: tensor \"b\" [4, 12) overlaps \"a\" ending at 8)" with input as hf_artifact(safetensors_file, scan)
}

test_an_invalid_file_is_held_without_its_format if {
	scan := {"verdict": "invalid", "findings": [], "findings_total": 0}
	finding_msg(data.airlock.quarantine, "model.invalid") == "acme/tiny@0123456789ab: model.safetensors is not a well-formed unknown file (no invalid finding among the 0 listed of 0)" with input as hf_artifact(safetensors_file, scan)
}

test_a_scan_result_without_a_file_is_still_judged if {
	inp := object.union(hf_metadata, {"phase": "artifact", "facts": {"model_scan": {"verdict": null}}})
	"model.unscannable" in ids(data.airlock.quarantine) with input as inp
}

test_an_unknown_verdict_is_held if {
	inp := hf_artifact(safetensors_file, object.union(safe_scan, {"verdict": "dubious"}))
	finding_msg(data.airlock.quarantine, "model.unscannable") == "acme/tiny@0123456789ab: model.safetensors has no scan verdict this policy knows (dubious)" with input as inp
}

test_a_file_without_a_scan_result_is_held if {
	inp := object.union(hf_metadata, {"phase": "artifact", "facts": {"model_file": safetensors_file}})
	"model.unscannable" in ids(data.airlock.quarantine) with input as inp
}

# --- model_pickle ------------------------------------------------------------------------------------

test_clean_pickle_is_warned_of_by_default_pointing_at_the_safetensors_file if {
	finding_msg(data.airlock.warn, "model.pickle") == "acme/tiny@0123456789ab: pytorch_model.bin is pickle-based (pytorch-zip): loading it would run any code a tampered copy carries; the commit also has safetensors weights: prefer model.safetensors" with input as clean_pickle
	count(data.airlock.quarantine) == 0 with input as clean_pickle
	count(data.airlock.deny) == 0 with input as clean_pickle
}

test_clean_pickle_without_a_safetensors_alternative_says_so if {
	inp := hf_artifact(object.union(pickle_file, {"safetensors_alternative": false}), pickle_scan)
	finding_msg(data.airlock.warn, "model.pickle") == "acme/tiny@0123456789ab: pytorch_model.bin is pickle-based (pytorch-zip): loading it would run any code a tampered copy carries; the commit has no safetensors alternative" with input as inp
}

test_clean_pickle_with_sharded_safetensors_names_the_first_shard if {
	inp := object.union(clean_pickle, {"facts": {"files": {
		"count": 5, "safetensors": 2,
		"names": ["config.json", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors", "model.safetensors.index.json", "pytorch_model.bin"],
	}}})
	msg := finding_msg(data.airlock.warn, "model.pickle") with input as inp
	endswith(msg, "the commit also has safetensors weights: prefer its 2 .safetensors files (model-00001-of-00002.safetensors …)")
}

test_clean_pickle_whose_safetensors_names_were_cut_still_advises_them if {
	inp := object.union(clean_pickle, {"facts": {"files": {"names": ["config.json"]}}})
	msg := finding_msg(data.airlock.warn, "model.pickle") with input as inp
	endswith(msg, "prefer its .safetensors files")
}

test_model_pickle_quarantine_and_deny if {
	"model.pickle" in ids(data.airlock.quarantine) with input as clean_pickle with data.airlock.settings as with_settings({"model_pickle": "quarantine"})
	"model.pickle" in ids(data.airlock.deny) with input as clean_pickle with data.airlock.settings as with_settings({"model_pickle": "deny"})
}

test_model_pickle_allow_is_silent if {
	no_findings(clean_pickle) with data.airlock.settings as with_settings({"model_pickle": "allow"})
}

test_model_pickle_allowed_repo if {
	not "model.pickle" in ids(data.airlock.deny) with input as clean_pickle with data.airlock.settings as with_settings({"model_pickle": "deny", "model_pickle_allowed": ["acme/tiny"]})
	"model.pickle" in ids(data.airlock.deny) with input as clean_pickle with data.airlock.settings as with_settings({"model_pickle": "deny", "model_pickle_allowed": ["acme/other", "datasets/acme/tiny"]})
}

test_model_pickle_allowed_does_not_excuse_a_malicious_file if {
	"model.code_execution" in ids(data.airlock.deny) with input as hf_artifact(pickle_file, malicious_scan)
		with data.airlock.settings as with_settings({"model_pickle_allowed": ["acme/tiny"]})
}

test_model_pickle_defaults_apply_without_the_settings if {
	settings := object.remove(data.airlock.settings, ["model_pickle", "model_pickle_allowed"])
	"model.pickle" in ids(data.airlock.warn) with input as clean_pickle with data.airlock.settings as settings
}

test_a_clean_safetensors_file_is_not_pickle_based if {
	not "model.pickle" in ids(data.airlock.deny) with input as clean_safetensors with data.airlock.settings as with_settings({"model_pickle": "deny"})
}

# --- Remote code ----------------------------------------------------------------------------------

code_file := object.union(safetensors_file, {
	"path": "modeling_tiny.py", "size": 5120, "sha256": null, "lfs": false, "verified_by": "git-sha1",
	"extension": ".py", "expected_formats": [], "pickle_based": false,
})

code_scan := {"verdict": "safe", "format": "unknown", "findings": [], "findings_total": 0}

# hf_metadata's repo: 15,210 downloads, created 2024-05-01 (years before `now`).
established_code := hf_artifact(code_file, code_scan)

little_used_code := object.union(established_code, {"facts": {"hub": {"downloads": 12}}})

new_code := object.union(established_code, {"facts": {"package_created_at": "2026-02-20T00:00:00Z"}})

test_remote_code_of_an_established_repo_is_warned_of if {
	msg := finding_msg(data.airlock.warn, "model.remote_code") with input as established_code
	msg == "acme/tiny@0123456789ab: modeling_tiny.py is Python code that transformers runs in your process when the repo is loaded with trust_remote_code=True"
	not "model.remote_code" in ids(data.airlock.quarantine) with input as established_code
}

test_remote_code_of_a_little_used_or_new_repo_is_held if {
	"model.remote_code" in ids(data.airlock.quarantine) with input as little_used_code
	"model.remote_code" in ids(data.airlock.quarantine) with input as new_code
	no_downloads := object.union(established_code, {"facts": {"hub": {"downloads": null}}})
	"model.remote_code" in ids(data.airlock.quarantine) with input as no_downloads
}

test_remote_code_settings if {
	"model.remote_code" in ids(data.airlock.deny) with input as established_code with data.airlock.settings as with_settings({"model_remote_code": "deny"})
	"model.remote_code" in ids(data.airlock.warn) with input as little_used_code with data.airlock.settings as with_settings({"model_remote_code": "warn"})
	no_findings(little_used_code) with data.airlock.settings as with_settings({"model_remote_code": "allow"})
	no_findings(little_used_code) with data.airlock.settings as with_settings({"model_remote_code_allowed": ["acme/tiny"]})
	"model.remote_code" in ids(data.airlock.warn) with input as little_used_code with data.airlock.settings as with_settings({"model_established_downloads": 10})
}

test_other_files_are_not_remote_code if {
	not "model.remote_code" in ids(data.airlock.quarantine) with input as clean_safetensors with data.airlock.settings as with_settings({"model_remote_code": "deny"})
	not "model.remote_code" in ids(data.airlock.deny) with input as clean_safetensors with data.airlock.settings as with_settings({"model_remote_code": "deny"})
}

# --- Model signatures -----------------------------------------------------------------------------

signed_by_acme := {"status": "verified", "mode": "sigstore", "identity": "release@acme.example", "issuer": "https://accounts.acme.example", "key_hint": null, "error": null, "file": "signed"}

with_signature(inp, sig) := object.union(inp, {"facts": {"model_signature": sig}})

signed_metadata := object.union(hf_metadata, {"facts": {"files": {"signed": true}}})

acme_signers := with_settings({"model_signers": [{"repos": ["acme/*"], "identity": "release@acme.example", "issuer": "https://accounts.acme.example"}]})

test_a_signed_file_is_allowed_without_findings if no_findings(with_signature(clean_safetensors, signed_by_acme))

test_an_invalid_signature_is_denied_saying_why if {
	msg := finding_msg(data.airlock.deny, "model.signature_invalid") with input as with_signature(clean_safetensors, {"status": "invalid", "mode": "key", "error": "the signature does not verify with the key it names"})
	msg == "acme/tiny@0123456789ab: its model signature (model.sig) does not check out: the signature does not verify with the key it names"
}

test_a_file_that_is_not_what_was_signed_is_denied if {
	msg := finding_msg(data.airlock.deny, "model.signature_mismatch") with input as with_signature(clean_safetensors, object.union(signed_by_acme, {"file": "mismatch"}))
	msg == "acme/tiny@0123456789ab: model.safetensors is not the file release@acme.example signed: its bytes differ from the signed manifest (model.sig)"
}

test_a_file_added_after_signing_is_held_by_default if {
	unsigned := with_signature(clean_safetensors, object.union(signed_by_acme, {"file": "unsigned"}))
	"model.signature_unsigned" in ids(data.airlock.quarantine) with input as unsigned
	"model.signature_unsigned" in ids(data.airlock.warn) with input as unsigned with data.airlock.settings as with_settings({"model_unsigned_files": "warn"})
	no_findings(unsigned) with data.airlock.settings as with_settings({"model_unsigned_files": "allow"})
}

test_an_unverifiable_signature_alone_is_no_finding if {
	no_findings(with_signature(clean_safetensors, {"status": "unverifiable", "mode": "key", "error": "no configured key has the hint abc"}))
}

test_required_signers_refuse_an_unsigned_commit_in_both_phases if {
	msg := finding_msg(data.airlock.deny, "model.signature_required") with input as hf_metadata with data.airlock.settings as acme_signers
	msg == "acme/tiny@0123456789ab must be signed by release@acme.example (model_signers), but it has no model signature (model.sig)"
	not "model.signature_required" in ids(data.airlock.deny) with input as signed_metadata with data.airlock.settings as acme_signers
	"model.signature_required" in ids(data.airlock.deny) with input as with_signature(clean_safetensors, {"status": "absent", "mode": null, "error": null, "file": null}) with data.airlock.settings as acme_signers
}

test_required_signers_accept_theirs_and_refuse_others if {
	not "model.signature_required" in ids(data.airlock.deny) with input as with_signature(clean_safetensors, signed_by_acme) with data.airlock.settings as acme_signers
	other := with_signature(clean_safetensors, object.union(signed_by_acme, {"identity": "mallory@evil.example"}))
	msg := finding_msg(data.airlock.deny, "model.signature_required") with input as other with data.airlock.settings as acme_signers
	msg == "acme/tiny@0123456789ab must be signed by release@acme.example (model_signers), but it is signed by mallory@evil.example"
	wrong_issuer := with_signature(clean_safetensors, object.union(signed_by_acme, {"issuer": "https://evil.example"}))
	"model.signature_required" in ids(data.airlock.deny) with input as wrong_issuer with data.airlock.settings as acme_signers
	by_key := with_signature(clean_safetensors, {"status": "verified", "mode": "key", "identity": null, "issuer": null, "key_hint": "ab12", "error": null, "file": "signed"})
	not "model.signature_required" in ids(data.airlock.deny) with input as by_key with data.airlock.settings as with_settings({"model_signers": [{"repos": ["acme/tiny"], "key_hint": "ab12"}]})
}

test_required_signers_apply_to_the_repos_they_name_only if {
	other_repo := object.union(hf_metadata, {"artifact": {"name": "other/model"}})
	not "model.signature_required" in ids(data.airlock.deny) with input as other_repo with data.airlock.settings as acme_signers
	not "model.signature_required" in ids(data.airlock.deny) with input as base_input with data.airlock.settings as with_settings({"model_signers": [{"repos": ["*"], "identity": "x"}]})
}

# --- Other ecosystems -------------------------------------------------------------------------------

model_rule_ids := {"model.code_execution", "model.suspicious", "model.unscannable", "model.invalid", "model.pickle", "model.remote_code"}

test_model_rules_are_silent_for_npm_and_pypi if {
	strict := with_settings({"model_pickle": "deny", "model_remote_code": "deny"})
	count({id | some f in data.airlock.deny; id := f.id; id in model_rule_ids}) == 0 with input as base_input with data.airlock.settings as strict
	count({id | some f in data.airlock.quarantine; id := f.id; id in model_rule_ids}) == 0 with input as base_input with data.airlock.settings as strict
	count({id | some f in data.airlock.deny; id := f.id; id in model_rule_ids}) == 0 with input as wheel({}) with data.airlock.settings as strict
	count({id | some f in data.airlock.quarantine; id := f.id; id in model_rule_ids}) == 0 with input as wheel({}) with data.airlock.settings as strict
	count({id | some f in data.airlock.warn; id := f.id; id in model_rule_ids}) == 0 with input as wheel({})
	count({id | some f in data.airlock.warn; id := f.id; id in model_rule_ids}) == 0 with input as object.union(base_input, {"phase": "artifact", "facts": {"tarball": {"size": 100}}})
}
