/**
 * The world the configuration fuzz targets load configurations in: a temporary directory that
 * holds every file a seed names (secrets, CA and key files, registry keys, Sigstore and TUF
 * roots), the environment its `{env: NAME}` references read, and what the local npm client would
 * say. Seeds are the configurations the documentation and README show (their absolute paths moved
 * into the directory) and hand-written ones for the settings no example shows whole.
 *
 * Only files inside the directory may be read: `confined` tells whether every string of a parsed
 * configuration, taken as a path relative to the directory as the loader takes file settings,
 * stays inside it, and a target skips an input where one does not (a mutation writing
 * `/etc/passwd` or `../../x`), so the fuzzer never reads a file of the machine.
 */
import { generateKeyPairSync } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, isAbsolute } from 'node:path';
import type { NpmDiscovery } from '../../../src/app/config/index.ts';

const ROOT = join(import.meta.dirname, '../../..');
/** Every secret value holds it: no error message or dump of a configuration may. */
export const SECRET_MARK = 's3cr3t';

export interface ConfigWorld {
  readonly dir: string;
  /** The variables `{env: NAME}` references read (secrets), none of them an override. */
  readonly env: Readonly<Record<string, string>>;
  /** npm's registry and connection settings, as `npm config get` would print them here. */
  readonly npm: NpmDiscovery;
  readonly remove: () => void;
}

const pem = (label: string, der: Buffer): string => `-----BEGIN ${label}-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END ${label}-----\n`;

export function makeWorld(): ConfigWorld {
  const dir = mkdtempSync(join(tmpdir(), 'airlock-config-fuzz-'));
  const put = (path: string, content: string | Buffer): void => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  };
  const root = JSON.parse(readFileSync(join(ROOT, 'src/verify/sigstore/public-good-trusted-root.json'), 'utf8')) as {
    certificateAuthorities: { certChain: { certificates: { rawBytes: string }[] } }[];
  };
  const caDer = Buffer.from(root.certificateAuthorities[0]?.certChain.certificates[0]?.rawBytes ?? '', 'base64');
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const keyDer = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  for (const f of ['ca.pem', 'etc/airlock/objects-ca.pem', 'etc/airlock/tls/clients-ca.pem']) put(f, pem('CERTIFICATE', caDer));
  for (const f of ['model.pub.pem', 'keys/release.pub.pem', 'keys/ci.pub.pem', 'etc/airlock/bundle.pem']) put(f, publicPem);
  put('registry-keys.json', JSON.stringify({ keys: [{ keyid: 'SHA256:fuzz', keytype: 'ecdsa-sha2-nistp256', scheme: 'ecdsa-sha2-nistp256', key: keyDer, expires: null }] }));
  copyFileSync(join(ROOT, 'src/verify/sigstore/public-good-trusted-root.json'), join(dir, 'trusted-root.json'));
  copyFileSync(join(ROOT, 'src/verify/tuf/sigstore-tuf-root.json'), join(dir, 'tuf-root.json'));
  put('run/secrets/npm-pw', `npm-pw-${SECRET_MARK}\n`);
  put('run/secrets/siem-url', `https://siem.example/ingest?token=${SECRET_MARK}-siem\n`);
  put('run/secrets/tls-key', `tls-key-${SECRET_MARK}`);
  put('token', `token-${SECRET_MARK}`);
  const env = {
    AIRLOCK_PG_URL: `postgres://airlock:${SECRET_MARK}-pg@db.example:5432/airlock`,
    AWS_ACCESS_KEY_ID: `AKIA${SECRET_MARK}KEYID`,
    AWS_SECRET_ACCESS_KEY: `aws-${SECRET_MARK}-secret-access-key`,
    NPM_UPSTREAM_TOKEN: `npm-${SECRET_MARK}`,
    BUNDLE_TOKEN: `bundle-${SECRET_MARK}`,
    HF_TOKEN: `hf_${SECRET_MARK}`,
    DOCKERHUB_TOKEN: `dckr_${SECRET_MARK}`,
    AIRLOCK_SSO_SECRET: `sso-${SECRET_MARK}`,
    AIRLOCK_SSO_KEY: `sso-session-key-${SECRET_MARK}-0123456789abcdef`,
    AIRLOCK_WEBHOOK_SECRET: `whsec_${SECRET_MARK}webhook0123456789abcdefghijklmnopqrstu`,
    SLACK_WEBHOOK_URL: `https://hooks.slack.example/services/T0/B0/${SECRET_MARK}`,
    TLS_KEY: `-----BEGIN PRIVATE KEY-----\n${SECRET_MARK}\n-----END PRIVATE KEY-----\n`,
  };
  const npm: NpmDiscovery = {
    registry: async () => 'https://registry.example/',
    registryWithout: async () => 'https://fallback.example/',
    connection: async () => ({ proxy: 'http://proxy.example:3128', noProxy: 'localhost', ca: null }),
  };
  return { dir, env, npm, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Whether every string in `tree` resolves inside `dir` (a setting read as a file resolves against
 * the configuration's directory). URLs do, as `dir/https:/host/…`, unless they climb out with `..`.
 */
export function confined(tree: unknown, dir: string, seen = new Set<object>()): boolean {
  if (typeof tree === 'string') {
    const rel = relative(dir, resolve(dir, tree));
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  }
  if (typeof tree !== 'object' || tree === null || seen.has(tree)) return true;
  seen.add(tree);
  return Object.values(tree).every((v) => confined(v, dir, seen));
}

/** The ```yaml blocks of a Markdown file, absolute paths moved under the world's directory, a repository entry given its list. */
function yamlBlocks(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map((m) => {
    const block = (m[1] as string).replace(/(?<=[\s:[{,])\/(etc|run|var)\//g, '$1/');
    return block.startsWith('  - ') ? `repositories:\n${block}` : block;
  });
}

/** Settings no documented example shows whole, each in a configuration that loads. */
const HAND_WRITTEN = [
  `server:
  host: 0.0.0.0
  port: 8443
  publicUrl: https://airlock.example.com/
  tls: {cert: etc/airlock/tls/fullchain.pem, key: {env: TLS_KEY}, clientCa: etc/airlock/tls/clients-ca.pem, minVersion: TLSv1.3}
storage: {sweepEvery: 0, sweepGrace: 2h, artifactRetention: 90d}
policy: {paths: [policy/], timeout: 500ms, maxSteps: 5000, reevaluateEvery: 1d12h, verdictCacheSize: 10, syncInterval: 0}
access:
  adminToken: {file: token}
  mcp: {rateLimit: false}
  oidc: {rateLimit: {perMinute: 60, burst: 100, clients: 100}}
signals: {enabled: false, internalNames: {npm: ["@acme/ui", acme-billing], pypi: [acme-core]}, factsTtl: 0, feedPoll: 250ms}
`,
  `repositories:
  - name: npm
    format: npm
    upstream: https://registry.example/
    upstreamAuth: {username: bot, password: {file: run/secrets/npm-pw}}
    proxy: {url: "http://proxy.corp:3128", username: p, password: {env: NPM_UPSTREAM_TOKEN}}
    ca: ca.pem
    registryKeys: [builtin, registry-keys.json, {tuf: registry.example/keys.json}]
    sigstoreTrustedRoot: {tuf: "https://tuf.example/", initialRoot: tuf-root.json, refresh: 12h}
    timeouts: {connect: 1s, headers: 1m, body: 1h}
    maxArtifactSize: 64GiB
    maxMetadataSize: 1024
  - name: npm-follows
    format: npm
    proxy: npm
    registryKeys: []
    sigstoreTrustedRoot: trusted-root.json
  - name: npm.direct
    format: npm
    upstream: "http://127.0.0.1:4873"
    proxy: none
    registryKeys: tuf
    sigstoreTrustedRoot: tuf
  - name: npm-mirror
    format: npm
    upstream: "https://mirror.example/npm/"
    registryKeys: {tuf: registry.example/keys.json}
  - name: hf
    format: huggingface
    upstream: https://huggingface.co/
    modelSigning: {keys: [model.pub.pem], certificateAuthorities: [ca.pem]}
  - name: ghcr
    format: oci
    upstream: https://ghcr.io/
    defaultNamespace: null
    cosignKeys: [keys/release.pub.pem]
`,
  `server: {publicUrl: "https://airlock.example.com/"}
access:
  anonymousRead: false
  oidc:
    issuers:
      - issuer: https://token.actions.githubusercontent.com
        audience: https://airlock.example.com
        trust:
          - {name: release, claims: {repository: acme/app, ref: refs/heads/main}, role: publisher, repos: [internal], packages: ['@acme/*'], ttl: 30m}
          - {claims: {repository_owner_id: '1234567', ref: 'refs/heads/*'}, role: reader, repos: [npm, all]}
      - {issuer: "http://127.0.0.1:9999", audience: airlock, jwksUri: "http://127.0.0.1:9999/jwks", trust: [{claims: {sub: "repo:acme/*"}, role: reader}]}
  sso:
    issuer: https://idp.example.com/realms/acme
    clientId: airlock
    sessionKey: {env: AIRLOCK_SSO_KEY}
    scopes: [openid, groups]
    roles: [{claim: groups, value: platform-security, role: approver}, {claim: groups, value: "*", role: reader}]
    groupsFrom: userinfo
    sessionTtl: 5m
webhooks:
  - {name: security, url: "https://hooks.example.com/airlock", secret: {env: AIRLOCK_WEBHOOK_SECRET}, events: ["quarantine.*", "!decision.allow"], timeout: 100ms, proxy: none}
  - {name: siem, url: {file: run/secrets/siem-url}, events: ["*"], format: slack}
repositories:
  - {name: npm, format: npm, upstream: "https://registry.example/", upstreamAuth: {token: {env: NPM_UPSTREAM_TOKEN}}}
  - {name: internal, format: npm, kind: hosted, unpublish: publisher, maxArtifactSize: 512MiB, maxMetadataSize: 64MiB, metadataMaxAge: 0}
  - {name: all, format: npm, kind: group, members: [internal, npm], publishTo: internal}
  - {name: images, format: oci, kind: hosted, cosignKeys: [keys/ci.pub.pem]}
`,
  `storage:
  metadata: {driver: postgres, url: {env: AIRLOCK_PG_URL}, schema: airlock_2, maxConnections: 4}
  blobs: {driver: s3, endpoint: "http://127.0.0.1:9000", bucket: airlock, credentials: keys, accessKeyId: {env: AWS_ACCESS_KEY_ID}, secretAccessKey: {env: AWS_SECRET_ACCESS_KEY}, sessionToken: {file: token}, addressing: virtual, prefix: a/b/, ca: ca.pem, partSize: 5MiB}
policy:
  bundle:
    url: "http://127.0.0.1:8181/bundles/airlock.tar.gz"
    signing: {publicKey: {file: etc/airlock/bundle.pem}, algorithm: ES256, keyId: k1}
    polling: {minDelay: 10ms, maxDelay: 1d}
    ca: ca.pem
    proxy: none
    persist: false
    maxFiles: 1
repositories: []
`,
];

/**
 * The seed configurations: the README's and the documentation's examples (a few are fragments or
 * another program's YAML, which do not load), and the hand-written ones (which must).
 */
export function configTexts(): { readonly examples: readonly string[]; readonly handWritten: readonly string[] } {
  return { examples: [...yamlBlocks('README.md'), ...yamlBlocks('docs/configuration.md')], handWritten: HAND_WRITTEN };
}
