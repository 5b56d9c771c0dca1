import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { isAirlockError } from '../../core/index.ts';
import type { ErrorCode } from '../../core/index.ts';

/** Runs `body` with the path of a file named `name` in a fresh temporary folder, removed afterwards. */
export async function withTempFile(prefix: string, name: string, body: (path: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  try {
    await body(join(dir, name));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Collect a (small, test-sized) stream. */
export async function readAll(stream: Readable | null): Promise<Buffer> {
  assert.ok(stream !== null, 'expected a stream, got null');
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

export function hex(algorithm: 'sha256' | 'sha512' | 'sha1', data: Uint8Array | string): string {
  return createHash(algorithm).update(data).digest('hex');
}

export async function rejectsWithCode(promise: Promise<unknown>, code: ErrorCode, message?: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(isAirlockError(err), `expected an AirlockError ${code}, got ${String(err)}`);
    assert.equal(err.code, code, message);
    return true;
  });
}

export function throwsWithCode(fn: () => unknown, code: ErrorCode): void {
  assert.throws(fn, (err: unknown) => isAirlockError(err, code));
}
