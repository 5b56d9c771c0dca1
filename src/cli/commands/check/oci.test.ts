import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../../command.ts';
import { ociSpec } from './oci.ts';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

test('an image reference: the repository first, then the image with its tag or digest (no tag: latest)', () => {
  assert.deepEqual(ociSpec('hub/library/alpine:3.20'), { repo: 'hub', purl: 'pkg:oci/library/alpine?tag=3.20' });
  assert.deepEqual(ociSpec('hub/alpine'), { repo: 'hub', purl: 'pkg:oci/alpine' });
  assert.deepEqual(ociSpec(`hub/library/alpine@${DIGEST}`), { repo: 'hub', purl: `pkg:oci/library/alpine@sha256%3A${'ab'.repeat(32)}` });
  // As pulled: a registry host in front is dropped.
  assert.deepEqual(ociSpec('localhost:8080/hub/library/alpine:3.20'), { repo: 'hub', purl: 'pkg:oci/library/alpine?tag=3.20' });
  assert.deepEqual(ociSpec('airlock.example.com/hub/app:v1'), { repo: 'hub', purl: 'pkg:oci/app?tag=v1' });
});

test('a reference without a repository, with an empty part, or a bad digest is a usage error', () => {
  for (const bad of ['alpine:3.20', 'hub/', '/alpine', 'hub//alpine', 'hub/alpine:', 'hub/alpine@3.20', 'hub/alpine@sha256:', `hub/${'a'.repeat(600)}`]) {
    assert.throws(() => ociSpec(bad), UsageError, bad);
  }
});
