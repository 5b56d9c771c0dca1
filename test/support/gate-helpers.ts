/** Small builders for driving the gate directly in control-plane tests. */
import { rmSync } from 'node:fs';
import { mkdtemp, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { makePurl } from '../../src/core/index.ts';
import type { Facts, VersionCandidate } from '../../src/gate/types.ts';
import type { RequestContext } from '../../src/storage/ports/index.ts';

export function npmCandidate(name: string, version: string, facts: Facts = {}, repo = 'npm'): VersionCandidate {
  return { subject: { repo, ecosystem: 'npm', name, version, purl: makePurl('npm', name, version) }, facts };
}

export const anonymousRequest: RequestContext = { tokenId: null, role: null, userAgent: 'npm/11 node/v24', agent: null, ip: '127.0.0.1', requestId: 'test' };

/** The policy directories this test process made, removed when it exits (Airlock may watch them until then). */
const policyDirs: string[] = [];
process.on('exit', () => {
  for (const dir of policyDirs) rmSync(dir, { recursive: true, force: true });
});

/** Writes policy files into a fresh temporary directory, removed when the test process exits, and returns it. */
export async function writePolicyDir(files: Readonly<Record<string, string>>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'airlock-policy-'));
  policyDirs.push(dir);
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, rel)), { recursive: true });
    await writeFile(join(dir, rel), text);
  }
  return dir;
}

/** A policy that quarantines `held-*` packages, denies `evil-*` and warns on `old-*`. */
export const REVIEW_POLICY = `package airlock

import rego.v1

quarantine contains {"id": "held", "msg": sprintf("%s is held for review", [input.artifact.name])} if startswith(input.artifact.name, "held-")

deny contains sprintf("%s is evil", [input.artifact.name]) if startswith(input.artifact.name, "evil-")

warn contains "old" if startswith(input.artifact.name, "old-")
`;

export function authHeader(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}
