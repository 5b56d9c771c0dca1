/**
 * The object ids a Hugging Face repository is made of, computed the way git and git-lfs compute
 * them, so the fixture Hub's `oid`s are the ids `git hash-object` would print: a regular file's
 * `oid` is the git blob sha1 of its bytes; an LFS file's `oid` is the blob sha1 of its pointer
 * file and its `lfs.oid` the sha256 of the content; a directory's `oid` is its git tree sha1 and a
 * revision's `sha` a real git commit id over that tree.
 */
import { createHash } from 'node:crypto';

export const sha1Hex = (b: Uint8Array | string): string => createHash('sha1').update(b).digest('hex');
export const sha256Hex = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex');

/** `sha1("blob <len>\0" + bytes)`: what `git hash-object` prints for the file. */
export function gitBlobOid(bytes: Uint8Array): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

/** The git-lfs pointer file committed in place of an LFS file's content. */
export function lfsPointer(sha256: string, size: number): string {
  return `version https://git-lfs.github.com/spec/v1\noid sha256:${sha256}\nsize ${size}\n`;
}

/**
 * A stand-in for the Xet hash the Hub lists for Xet-backed files (64 hex). The real one is a
 * merkle hash over content-defined chunks; only its shape matters to a gateway, which must strip it.
 */
export function xetHashOf(bytes: Uint8Array): string {
  return createHash('sha256').update('xet').update(bytes).digest('hex');
}

/**
 * Extensions the Hub's default `.gitattributes` sends to LFS (and that are model or array
 * formats): a file with one of these, or of 10 MB or more, is LFS unless the test says otherwise.
 */
const LFS_EXTENSIONS = new Set(['.safetensors', '.bin', '.pt', '.pth', '.ckpt', '.pkl', '.pickle', '.joblib', '.h5', '.keras', '.onnx', '.gguf', '.npy', '.npz', '.msgpack', '.pb']);
export const LFS_SIZE_THRESHOLD = 10 * 1024 * 1024;

export function isLfsByDefault(path: string, size: number): boolean {
  const base = path.slice(path.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return size >= LFS_SIZE_THRESHOLD || (dot > 0 && LFS_EXTENSIONS.has(base.slice(dot).toLowerCase()));
}

/** A `.gitattributes` like the one the Hub commits when a repository is created (abridged). */
export const HUB_GITATTRIBUTES = [
  '*.7z', '*.arrow', '*.bin', '*.bz2', '*.ckpt', '*.ftz', '*.gguf', '*.gz', '*.h5', '*.joblib', '*.keras', '*.lfs.*', '*.mlmodel',
  '*.model', '*.msgpack', '*.npy', '*.npz', '*.onnx', '*.ot', '*.parquet', '*.pb', '*.pickle', '*.pkl', '*.pt', '*.pth', '*.rar',
  '*.safetensors', 'saved_model/**/*', '*.tar.*', '*.tar', '*.tflite', '*.tgz', '*.wasm', '*.xz', '*.zip', '*.zst', '*tfevents*',
].map((p) => `${p} filter=lfs diff=lfs merge=lfs -text\n`).join('');

/** One entry of a git tree: a blob (file) or a subtree (directory), named by its last path segment. */
export interface TreeEntry {
  readonly name: string;
  readonly kind: 'blob' | 'tree';
  readonly oid: string;
}

/** git's tree order: byte order of names, a subtree compared as if its name ended in `/`. */
export function gitTreeOrder(a: TreeEntry, b: TreeEntry): number {
  return Buffer.compare(Buffer.from(a.kind === 'tree' ? `${a.name}/` : a.name), Buffer.from(b.kind === 'tree' ? `${b.name}/` : b.name));
}

/** The git tree object id of these entries (what `git write-tree` would print). */
export function gitTreeOid(entries: readonly TreeEntry[]): string {
  const parts = [...entries].sort(gitTreeOrder).map((e) => Buffer.concat([Buffer.from(`${e.kind === 'tree' ? '40000' : '100644'} ${e.name}\0`), Buffer.from(e.oid, 'hex')]));
  const body = Buffer.concat(parts);
  return createHash('sha1').update(`tree ${body.length}\0`).update(body).digest('hex');
}

/** A git commit object id over a tree (fixed author; the date to the second). */
export function gitCommitOid(tree: string, parent: string | null, date: Date, message: string): string {
  const when = `${Math.floor(date.getTime() / 1000)} +0000`;
  const who = 'Fixture Hub <hub@fixture.invalid>';
  const body = `tree ${tree}\n${parent === null ? '' : `parent ${parent}\n`}author ${who} ${when}\ncommitter ${who} ${when}\n\n${message}\n`;
  return sha1Hex(`commit ${Buffer.byteLength(body)}\0${body}`);
}
