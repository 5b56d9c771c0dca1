/**
 * A realistic artifact-phase policy input (about 40 fields, arrays of vulnerabilities and
 * files), generated deterministically so runs are comparable.
 */
export function benchInput(i: number): Record<string, unknown> {
  const vulns = Array.from({ length: 12 }, (_, k) => ({
    id: `CVE-2024-${1000 + ((i * 7 + k * 13) % 9000)}`,
    severity: ['low', 'medium', 'high', 'critical'][(i + k) % 4],
    cvss: Number((((i + k * 3) % 100) / 10).toFixed(1)),
    fixed_in: `1.${k}.${i % 10}`,
    aliases: [`GHSA-${k}-${i % 97}`],
    triaged: k % 5 !== 0,
  }));
  const files = Array.from({ length: 30 }, (_, k) => ({
    path: k === 7 ? 'package/prebuilds/linux-x64/binding.node' : k === 11 ? 'scripts/postinstall.sh' : `package/lib/module-${k}.js`,
    size: 1000 + k * 37,
    executable: k === 11,
    sha256: `${(i * 31 + k).toString(16).padStart(8, '0')}`.repeat(8),
  }));
  return {
    phase: 'artifact',
    artifact: {
      ecosystem: 'npm',
      name: `left-pad-${i % 50}`,
      version: `1.${i % 7}.${i % 3}`,
      purl: `pkg:npm/left-pad-${i % 50}@1.${i % 7}.${i % 3}`,
      publisher: ['npm', 'someone', 'Google', 'acme'][i % 4],
      published_at: '2024-05-01T12:00:00Z',
      age_days: i % 10,
      size: 120_000 + i,
      license: ['MIT', 'Apache-2.0', 'BUSL-1.1', 'ISC'][i % 4],
      maintainers: i % 3 === 0 ? ['alice'] : ['alice', 'bob'],
      weekly_downloads: 1000 + i,
      repository: 'https://example.invalid/left-pad',
      deprecated: i % 11 === 0,
      homepage: 'https://example.invalid',
      description: 'String padding',
      keywords: ['pad', 'string'],
      digest: 'sha256:0000000000000000000000000000000000000000000000000000000000000000',
    },
    facts: {
      vulnerabilities: vulns,
      files,
      malicious: { flagged: i % 97 === 0, source: 'osv' },
      typosquat: { distance: i % 5, similar_to: 'left-pad', target_downloads: 5_000_000 },
      install_scripts: { present: i % 2 === 0, command: 'node install.js' },
      provenance: { verified: i % 3 === 0, builder: 'github-actions' },
      signatures: { npm: true, sigstore: i % 2 === 0 },
      scan: { findings: 0, scanner: 'airlock', duration_ms: 12 },
    },
    request: {
      client: 'npm/10.8.0',
      user: 'ci-bot',
      ip: '10.0.0.7',
      repository: 'npm',
      exceptions: [{ vulnerability: `CVE-2024-${1000 + ((i * 7) % 9000)}`, expires_days: 30 }],
    },
  };
}
