import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { parseInTotoStatement, SigstoreError } from './index.ts';
import { readJson, SIGSTORE_JS } from './test-support.ts';

const TYPE = 'application/vnd.in-toto+json';
const enc = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));
const statement = (over: Record<string, unknown> = {}): Buffer =>
  enc({ _type: 'https://in-toto.io/Statement/v1', subject: [{ name: 'a.tgz', digest: { sha256: 'ab'.repeat(32) } }], predicateType: 'https://slsa.dev/provenance/v1', predicate: { x: 1 }, ...over });

function rejects(payload: Buffer, pattern: RegExp, type = TYPE): void {
  assert.throws(() => parseInTotoStatement(type, payload), (e: unknown) => e instanceof SigstoreError && pattern.test(e.message));
}

test('the sigstore-js statement (v0.1, npm publish predicate) parses', () => {
  const b = readJson(join(SIGSTORE_JS, 'bundleV03-dsse.sigstore')) as { dsseEnvelope: { payload: string } };
  const st = parseInTotoStatement(TYPE, Buffer.from(b.dsseEnvelope.payload, 'base64'));
  assert.equal(st.type, 'https://in-toto.io/Statement/v0.1');
  assert.equal(st.predicateType, 'https://github.com/npm/attestation/tree/main/specs/publish/v0.1');
  assert.equal(st.subjects[0]?.name, 'pkg:npm/sigstore@1.0.0');
  assert.deepEqual(st.predicate, { name: 'sigstore', version: '1.0.0', registry: (st.predicate as { registry: string }).registry });
});

test('a v1 statement parses; predicate kept as JSON, absent is null', () => {
  const st = parseInTotoStatement(TYPE, statement());
  assert.deepEqual(st, { type: 'https://in-toto.io/Statement/v1', subjects: [{ name: 'a.tgz', digest: { sha256: 'ab'.repeat(32) } }], predicateType: 'https://slsa.dev/provenance/v1', predicate: { x: 1 } });
  assert.equal(parseInTotoStatement(TYPE, statement({ predicate: undefined })).predicate, null);
  // Every algorithm a subject names is kept, one called __proto__ too (what a mismatch lists).
  const odd = parseInTotoStatement(TYPE, Buffer.from(`{"_type": "https://in-toto.io/Statement/v1", "subject": [{"digest": {"__proto__": "${'cd'.repeat(32)}", "sha256": "${'ab'.repeat(32)}"}}], "predicateType": "p"}`));
  assert.deepEqual(Object.entries(odd.subjects[0]?.digest ?? {}), [['__proto__', 'cd'.repeat(32)], ['sha256', 'ab'.repeat(32)]]);
});

test('bad statements are rejected with the field named', () => {
  rejects(statement(), /payload type "application\/json" is not/, 'application/json');
  rejects(Buffer.alloc(1024 * 1024 + 1, 0x20), /at most 1048576/);
  rejects(Buffer.from('{'), /not UTF-8 JSON/);
  rejects(Buffer.from([0xff, 0xfe]), /not UTF-8 JSON/);
  rejects(enc([]), /statement is not an object/);
  rejects(statement({ _type: 'https://in-toto.io/Statement/v2' }), /_type .* is not an in-toto Statement/);
  rejects(statement({ subject: [] }), /subject is empty/);
  rejects(statement({ subject: Array.from({ length: 65 }, () => ({ name: 'x', digest: {} })) }), /subject has 65 entries/);
  rejects(statement({ subject: [{ name: 'x'.repeat(1025), digest: {} }] }), /subject\[0\]\.name is 1025 characters/);
  rejects(statement({ subject: [{ name: 'x', digest: { sha256: 'not hex' } }] }), /subject\[0\]\.digest\.sha256 is not a hex digest/);
  rejects(statement({ subject: [{ name: 'x', digest: { sha256: 12 } }] }), /not a hex digest/);
  rejects(statement({ subject: [{ name: 'x' }] }), /subject\[0\]\.digest is not an object/);
  rejects(statement({ predicateType: 7 }), /predicateType is not a string/);
});
