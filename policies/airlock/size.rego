# Size limits: a tarball larger than `max_artifact_bytes` is refused; a version that declares an
# unpacked size above `max_unpacked_bytes` is held for review.
package airlock

import rego.v1

deny contains {"id": "size.artifact", "msg": msg} if {
	size := input.facts.tarball.size
	size > cfg.max_artifact_bytes
	msg := sprintf("%s is %v bytes; the limit is %v bytes", [package_label, size, cfg.max_artifact_bytes])
}

quarantine contains {"id": "size.unpacked", "msg": msg} if {
	size := input.facts.declared_unpacked_size
	is_number(size)
	size > cfg.max_unpacked_bytes
	msg := sprintf("%s declares %v bytes unpacked; the limit is %v bytes", [package_label, size, cfg.max_unpacked_bytes])
}
