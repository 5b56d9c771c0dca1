/**
 * Transparency-log proofs for one bundle entry: the signed entry timestamp (Rekor v1 only: the
 * log's promise to include the entry, which also covers its integrated time), the RFC 6962 Merkle
 * audit path from the entry's leaf to a root, and the checkpoint (a signed note) that commits the
 * log to that root and tree size (Rekor v1 and v2). Each function returns null when the check passes, else why not.
 */
import { createHash, verify, type KeyObject } from 'node:crypto';
import type { InclusionProof, TlogEntry } from './bundle.ts';
import type { TransparencyLog } from './trusted-root.ts';

/** Digest for a signature by `key`: Ed25519 hashes itself; ECDSA by curve; otherwise SHA-256. */
function digestFor(key: KeyObject): string | null {
  if (key.asymmetricKeyType === 'ed25519' || key.asymmetricKeyType === 'ed448') return null;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (curve === 'secp384r1') return 'sha384';
  if (curve === 'secp521r1') return 'sha512';
  return 'sha256';
}

/** crypto.verify that treats a malformed signature as a wrong one. */
export function verifies(key: KeyObject, data: Uint8Array, signature: Uint8Array, digest: string | null = digestFor(key)): boolean {
  try {
    return verify(digest, data, key, signature);
  } catch {
    return false;
  }
}

function sha256(...parts: Uint8Array[]): Buffer {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
}

/**
 * The SET: the log's signature over the canonical JSON of body, integrated time, log id (hex) and
 * log index, keys sorted, no spaces. Built by hand: every value is a number or base64/hex text,
 * so no escaping is needed.
 */
export function checkSignedEntryTimestamp(entry: TlogEntry, log: TransparencyLog, set: Buffer): string | null {
  const payload = `{"body":"${entry.bodyBase64}","integratedTime":${entry.integratedTime ?? 0},"logID":"${entry.logId.toString('hex')}","logIndex":${entry.logIndex}}`;
  return verifies(log.key, Buffer.from(payload, 'utf8'), set) ? null : `the signed entry timestamp of ${entry.path} does not verify with the key of ${log.baseUrl || 'the log'}`;
}

/** RFC 6962 leaf hash of a log entry. */
export function leafHash(body: Uint8Array): Buffer {
  return sha256(Buffer.from([0]), body);
}

/**
 * The root an RFC 6962 / RFC 9162 (§2.1.3.2) audit path leads to, or why the path is malformed
 * for its index and tree size.
 */
export function rootFromAuditPath(leaf: Buffer, index: bigint, treeSize: bigint, hashes: readonly Buffer[]): Buffer | string {
  if (index >= treeSize) return `the leaf index ${index} is not inside the tree of size ${treeSize}`;
  let fn = index;
  let sn = treeSize - 1n;
  let r = leaf;
  for (const p of hashes) {
    if (p.length !== 32) return 'an audit path hash is not 32 bytes';
    if (sn === 0n) return 'the audit path is longer than the tree is deep';
    if ((fn & 1n) === 1n || fn === sn) {
      r = sha256(Buffer.from([1]), p, r);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      r = sha256(Buffer.from([1]), r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) return 'the audit path is shorter than the tree is deep';
  return r;
}

export function checkInclusionProof(entry: TlogEntry, proof: InclusionProof): string | null {
  const root = rootFromAuditPath(leafHash(entry.body), proof.logIndex, proof.treeSize, proof.hashes);
  if (typeof root === 'string') return `the inclusion proof of ${entry.path} is malformed: ${root}`;
  if (!root.equals(proof.rootHash)) return `the inclusion proof of ${entry.path} does not lead to its root hash (a hash of the audit path or the entry's body is wrong)`;
  return null;
}

const MAX_NOTE_SIGNATURES = 32;

/**
 * The checkpoint, a signed note (c2sp.org/signed-note): body lines `origin`, `size`,
 * `base64(root)` and optional extension lines, a blank line, then signature lines
 * `— <name> <base64(4-byte key hint ‖ signature)>`. A log's key hint is the first four bytes of
 * its log id (Rekor v1: SHA-256 of its DER key; Rekor v2: the note key id of its Ed25519 key).
 * Witnesses' cosignatures on the note are skipped. One signature by the log must verify over the
 * body (including its final newline), and the body must name the proof's tree size and root.
 */
export function checkCheckpoint(entry: TlogEntry, proof: InclusionProof, log: TransparencyLog): string | null {
  const what = `the checkpoint of ${entry.path}`;
  const note = proof.checkpoint;
  if (note === null) return `${what} is missing (an inclusion proof needs a signed checkpoint)`;
  const split = note.indexOf('\n\n');
  if (split < 0) return `${what} is not a signed note (no blank line before the signatures)`;
  const body = note.slice(0, split + 1);
  const lines = body.split('\n');
  const [origin, size, root] = lines;
  if (origin === undefined || origin === '' || size === undefined || root === undefined) return `${what} does not have origin, size and root lines`;
  if (!/^[1-9][0-9]{0,18}$/.test(size) || BigInt(size) !== proof.treeSize) return `${what} is for tree size ${JSON.stringify(size.slice(0, 24))}, not the proof's ${proof.treeSize}`;
  if (!Buffer.from(root, 'base64').equals(proof.rootHash) || !/^[A-Za-z0-9+/]+={0,2}$/.test(root)) return `${what} names a root hash other than the proof's`;
  const sigLines = note.slice(split + 2).split('\n').filter((l) => l !== '');
  if (sigLines.length > MAX_NOTE_SIGNATURES) return `${what} has ${sigLines.length} signature lines (at most ${MAX_NOTE_SIGNATURES})`;
  const hint = log.logId.subarray(0, 4);
  let byLog = 0;
  for (const line of sigLines) {
    const m = /^\u2014 (\S+) ([A-Za-z0-9+/]+={0,2})$/.exec(line);
    if (m === null) return `${what} has a malformed signature line`;
    const raw = Buffer.from(m[2] ?? '', 'base64');
    if (raw.length <= 4 || !raw.subarray(0, 4).equals(hint)) continue;
    byLog++;
    if (verifies(log.key, Buffer.from(body, 'utf8'), raw.subarray(4))) return null;
  }
  return byLog === 0 ? `${what} has no signature by the log (key hint ${hint.toString('hex')})` : `${what}'s signature by the log does not verify`;
}
