/**
 * The `airlock` CLI (the real bin, in its own process) against Airlock serving HTTPS with a
 * certificate from a private authority and client certificates required: refused without the
 * authority (--cacert), refused without a client certificate (--cert/--key), working with both,
 * as options or as AIRLOCK_CA_CERT / AIRLOCK_CLIENT_CERT / AIRLOCK_CLIENT_KEY; files it cannot
 * use are named with why before anything is sent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REVIEW_POLICY, anonymousRequest, npmCandidate, writePolicyDir } from '../support/gate-helpers.ts';
import { runCommand, type CommandResult } from '../support/run-command.ts';
import { BIN } from '../support/serve-process.ts';
import { startAirlock } from '../support/start-airlock.ts';
import { hasOpenssl, privateCa, servingTlsFor } from '../support/tls-cert.ts';

const needsOpenssl = { skip: hasOpenssl() ? false : 'openssl is not installed' };

/** The CLI with only the environment given (no NODE_EXTRA_CA_CERTS or AIRLOCK_* of this machine). */
function airlock(args: readonly string[], env: NodeJS.ProcessEnv): Promise<CommandResult> {
  return runCommand(process.execPath, [BIN, ...args], { env: { PATH: process.env['PATH'], ...env }, timeoutMs: 30_000 });
}

test('the CLI over HTTPS with a private authority and a required client certificate: refused without --cacert, refused without --cert/--key, working with both (options or environment)', needsOpenssl, async (t) => {
  const { dir, ca, tls } = await servingTlsFor(t);
  const clients = privateCa(dir, 'clients');
  const runner = clients.issue('ci-runner', { client: true });
  const policyDir = await writePolicyDir({ 'p.rego': REVIEW_POLICY });
  const a = await startAirlock({
    config: { server: { tls: { ...tls, clientCa: clients.cert, requireClientCert: true } }, access: { anonymousRead: false }, repositories: [], policy: { paths: [policyDir] } },
  });
  t.after(() => a.close());
  const held = await a.app.airlock.gate.judgeArtifact(npmCandidate('held-tls', '1.0.0'), anonymousRequest);
  const admin = { AIRLOCK_TOKEN: a.adminToken, AIRLOCK_SERVER: a.url };
  const list = ['quarantine', 'list', '--format', 'json'];

  // Nothing says to trust the private authority: the handshake fails on the server's certificate.
  const untrusted = await airlock(list, admin);
  assert.equal(untrusted.code, 3, untrusted.stderr);
  assert.equal(untrusted.stdout, '');
  assert.match(untrusted.stderr, new RegExp(`^airlock quarantine list: cannot reach Airlock at ${a.url}: unable to verify the first certificate.* \\(give the authority that issued its certificate: --cacert FILE or \\$AIRLOCK_CA_CERT\\)\\n$`));

  // The authority, but no client certificate: the server ends the handshake.
  const noClientCert = await airlock([...list, '--cacert', ca.cert], admin);
  assert.equal(noClientCert.code, 3, noClientCert.stderr);
  assert.match(noClientCert.stderr, new RegExp(`^airlock quarantine list: cannot reach Airlock at ${a.url}: tlsv13 alert certificate required \\(the server requires a client certificate: --cert FILE --key FILE, or \\$AIRLOCK_CLIENT_CERT and \\$AIRLOCK_CLIENT_KEY\\)\\n$`));

  // A client certificate the server's clientCa did not issue is refused too.
  const stranger = privateCa(dir, 'stranger').issue('intruder', { client: true });
  const foreign = await airlock([...list, '--cacert', ca.cert, '--cert', stranger.cert, '--key', stranger.key], admin);
  assert.equal(foreign.code, 3, foreign.stderr);
  assert.match(foreign.stderr, /^airlock quarantine list: cannot reach Airlock at https:\/\/127\.0\.0\.1:\d+: (socket hang up|.*alert unknown ca) \(if the server requires client certificates, it refused the one given or none: give one its clientCa issued, --cert FILE --key FILE\)\n$/);

  // Both: in, and the token decides as ever.
  const listed = await airlock([...list, '--cacert', ca.cert, '--cert', runner.cert, '--key', runner.key], admin);
  assert.equal(listed.code, 0, listed.stderr);
  const records = JSON.parse(listed.stdout) as { id: string; purl: string }[];
  assert.deepEqual(records.map((r) => [r.id, r.purl]), [[held.quarantineId, 'pkg:npm/held-tls@1.0.0']]);
  const noToken = await airlock([...list, '--cacert', ca.cert, '--cert', runner.cert, '--key', runner.key], { AIRLOCK_SERVER: a.url });
  assert.equal(noToken.code, 4, 'the certificate opens the connection, not the API');

  // The same from the environment, with a token created and then listed; --server given as an option.
  const tlsEnv = { AIRLOCK_TOKEN: a.adminToken, AIRLOCK_CA_CERT: ca.cert, AIRLOCK_CLIENT_CERT: runner.cert, AIRLOCK_CLIENT_KEY: runner.key };
  const created = await airlock(['token', 'create', '--role', 'reader', '--label', 'over-mtls', '--server', a.url], tlsEnv);
  assert.equal(created.code, 0, created.stderr);
  assert.match(created.stdout, /^airlock_\S+\n$/);
  assert.match(created.stderr, /^created reader token \S+ \(over-mtls\); it is shown only now:\n$/);
  const tokens = await airlock(['token', 'list', '--format', 'json', '--server', a.url], tlsEnv);
  assert.equal(tokens.code, 0, tokens.stderr);
  assert.ok((JSON.parse(tokens.stdout) as { label: string }[]).some((tk) => tk.label === 'over-mtls'));
  // A streamed answer (the inventory SBOM) over the same connection settings.
  const sbom = await airlock(['inventory', '--server', a.url], tlsEnv);
  assert.equal(sbom.code, 0, sbom.stderr);
  assert.equal((JSON.parse(sbom.stdout) as { bomFormat: string }).bomFormat, 'CycloneDX');
  // A certificate file that holds its key as well needs no --key.
  const combined = join(dir, 'runner-combined.pem');
  writeFileSync(combined, `${readFileSync(runner.cert, 'utf8')}${readFileSync(runner.key, 'utf8')}`);
  const oneFile = await airlock([...list, '--cacert', ca.cert, '--cert', combined], admin);
  assert.equal(oneFile.code, 0, oneFile.stderr);
});

test('the CLI names a TLS file it cannot use, and why, before it connects (exit 2)', needsOpenssl, async (t) => {
  const { dir, ca } = await servingTlsFor(t);
  const runner = privateCa(dir, 'clients').issue('ci-runner', { client: true });
  const other = privateCa(dir, 'other-ca').issue('other', { client: true });
  // Nothing listens here: each case must fail on its file before any connection.
  const server = { AIRLOCK_SERVER: 'https://127.0.0.1:9', AIRLOCK_TOKEN: 'airlock_unused' };
  const missing = join(dir, 'missing.pem');
  const cases: [string[], NodeJS.ProcessEnv, string][] = [
    [['--cacert', missing], {}, `--cacert: ${missing} does not exist or is not a file`],
    [[], { AIRLOCK_CA_CERT: missing }, `$AIRLOCK_CA_CERT: ${missing} does not exist or is not a file`],
    [['--cacert', runner.key], {}, `--cacert: ${runner.key} holds no PEM certificate`],
    [['--cacert', ca.cert, '--cert', runner.cert], {}, '--cert needs its key (--key FILE or $AIRLOCK_CLIENT_KEY), or a file that holds both'],
    [['--key', runner.key], {}, '--key needs a client certificate as well (--cert FILE or $AIRLOCK_CLIENT_CERT)'],
    [['--cert', runner.cert, '--key', runner.cert], {}, `--key: ${runner.cert} holds no PEM private key`],
    [['--cert', runner.cert, '--key', other.key], {}, `--cert ${runner.cert} and --key ${other.key}: the key is not the key of the certificate`],
    [[], { AIRLOCK_CLIENT_CERT: runner.cert, AIRLOCK_CLIENT_KEY: join(dir, 'gone-key.pem') }, `$AIRLOCK_CLIENT_KEY: ${join(dir, 'gone-key.pem')} does not exist or is not a file`],
  ];
  for (const [args, env, message] of cases) {
    const r = await airlock(['quarantine', 'list', ...args], { ...server, ...env });
    assert.equal(r.stderr, `airlock quarantine: ${message}\n`, args.join(' '));
    assert.equal(r.code, 2);
  }
});
