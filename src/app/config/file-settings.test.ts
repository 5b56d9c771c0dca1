import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAirlockError } from '../../core/index.ts';
import { validateConfig } from './schema.ts';

function inDir(f: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'airlock-file-settings-'));
  try {
    f(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function refused(raw: unknown, dir: string, message: string): void {
  assert.throws(
    () => validateConfig(raw, { env: {}, baseDir: dir, cwd: dir }),
    (err: unknown) => {
      assert.ok(isAirlockError(err, 'CONFIG_INVALID'), `expected CONFIG_INVALID, got ${String(err)}`);
      assert.equal(err.message, message);
      return true;
    },
  );
}

const npm = { name: 'npm', format: 'npm', upstream: 'https://registry.example/' };

test('a file setting holding a NUL character is refused naming it, whether read at start or later (found by fuzzing: Node threw a TypeError)', () => {
  inDir((dir) => {
    writeFileSync(join(dir, 'token'), 'a-token');
    refused({ access: { adminToken: { file: 'token\0x' } } }, dir, 'access.adminToken.file: not a file path: it holds a NUL character');
    refused({ repositories: [{ name: 'hf', format: 'huggingface', upstream: 'https://hf.example/', modelSigning: { keys: ['k.pem\0'] } }] }, dir, 'repositories[0].modelSigning.keys[0]: not a file path: it holds a NUL character');
    // Read only when the server starts (policy files, TLS files): accepted before, a TypeError then.
    refused({ policy: { paths: ['policy\0/a.rego'] } }, dir, 'policy.paths[0]: not a file path: it holds a NUL character');
    refused({ server: { tls: { cert: 'cert.pem\0', key: 'key.pem' } } }, dir, 'server.tls.cert: not a file path: it holds a NUL character');
    refused({ storage: { dataDir: 'data\0' } }, dir, 'storage.dataDir: not a file path: it holds a NUL character');
  });
});

test('a file the system cannot read is CONFIG_INVALID naming the setting and why, not the system error (found by fuzzing: ENAMETOOLONG)', () => {
  inDir((dir) => {
    const long = 'a'.repeat(300);
    refused({ access: { adminToken: { file: long } } }, dir, `access.adminToken: secret file ${long} cannot be read (ENAMETOOLONG)`);
    refused({ repositories: [{ ...npm, ca: long }] }, dir, `repositories[0].ca: ${join(dir, long)} cannot be read (ENAMETOOLONG)`);
    refused({ repositories: [{ ...npm, registryKeys: [`${long}.json`] }] }, dir, `repositories[0].registryKeys[0]: ${join(dir, `${long}.json`)} cannot be read (ENAMETOOLONG)`);
  });
});
