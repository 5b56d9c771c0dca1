/** The resolved configuration (schema version 1): complete, validated, frozen. */
import type { Json } from '../../storage/ports/index.ts';
import type { RenewingCredentials } from '../../storage/s3-blob/index.ts';
import type { TrustedCa } from './ca.ts';
import type { Secret } from './secret.ts';
import type { RegistryKey, TrustedRoot } from '../../verify/index.ts';
import type { OidcIssuer } from '../../api/auth/oidc/index.ts';
import type { SsoSettings } from '../../api/auth/sso/index.ts';
import type { RateLimit } from '../../api/rate-limit.ts';
import type { McpSettings } from './mcp.ts';

export const CONFIG_VERSION = 1;

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  /** The URL clients use to reach Airlock (behind a proxy); null: taken from each request. */
  readonly publicUrl: string | null;
  /** Trust X-Forwarded-* headers (only behind a proxy you control). */
  readonly trustProxy: boolean;
  readonly logLevel: LogLevel;
  /** One info line per request (method, URL, status, time). */
  readonly accessLog: boolean;
  /** Grace period for in-flight requests on shutdown. */
  readonly shutdownTimeoutMs: number;
  /**
   * Memory for every in-process cache together (estimated bytes): repositories' metadata and hot
   * tarballs, cached verdicts, signal knowledge. Split by `cacheBudget()`.
   */
  readonly cacheMemoryBytes: number;
  /** Serve HTTPS (`server.tls`); null: plain HTTP. */
  readonly tls: TlsConfig | null;
  /** npm audits answered at once, and how many more wait their turn (`server.audits`). */
  readonly audits: { readonly concurrency: number; readonly queue: number };
}

/**
 * `server.tls`: where the certificate and key are, read (and read again on rotation) by
 * `app/tls-material.ts`. Paths are absolute.
 */
export interface TlsConfig {
  /** PEM: the server's certificate, optionally followed by the intermediates that issued it. */
  readonly cert: string;
  /** The private key (PEM): a file read again on rotation, or an environment variable's value. */
  readonly key: TlsKeySource;
  /** PEM intermediates served after the certificate's own blocks; null: none. */
  readonly ca: string | null;
  readonly minVersion: 'TLSv1.2' | 'TLSv1.3';
  /** PEM authorities client certificates must chain to (mutual TLS); null: none asked for. */
  readonly clientCa: string | null;
  /** Refuse a connection without a client certificate `clientCa` verifies, at the handshake. */
  readonly requireClientCert: boolean;
  /** Watch the files and swap in a new pair when they change (SIGHUP reloads either way). */
  readonly watch: boolean;
}

/** Where `server.tls.key` comes from: a path (or `{file: PATH}`), or `{env: NAME}`. */
export type TlsKeySource = { readonly kind: 'file'; readonly path: string } | { readonly kind: 'env'; readonly secret: Secret };

/** `storage.metadata`: where records live. */
export type MetadataStorageConfig =
  | { readonly driver: 'sqlite' }
  | {
      readonly driver: 'postgres';
      /** `postgres://user:password@host:port/database`, by reference (it holds a password). */
      readonly url: Secret;
      readonly schema: string;
      readonly maxConnections: number;
    };

/** `storage.blobs`: where tarballs and cached documents live. */
export type BlobStorageConfig =
  | { readonly driver: 'fs' }
  | {
      readonly driver: 's3';
      /** `http(s)://host[:port]`, normalised without a trailing slash. */
      readonly endpoint: string;
      readonly bucket: string;
      readonly region: string;
      /** Key prefix, empty or ending in `/`. */
      readonly prefix: string;
      readonly addressing: 'path' | 'virtual';
      readonly credentials: S3CredentialConfig;
      /** Trusted for the endpoint's TLS next to the built-in authorities; null: the built-in ones. */
      readonly ca: TrustedCa | null;
      readonly partSizeBytes: number;
    };

/** Where the S3 store's keys come from (`storage.blobs.credentials`). */
export type S3CredentialConfig =
  | { readonly kind: 'keys'; readonly accessKeyId: Secret; readonly secretAccessKey: Secret; readonly sessionToken: Secret | null }
  /** Temporary credentials from the platform, found through the AWS variables: the source, its settings checked, nothing fetched yet. */
  | { readonly kind: 'web-identity' | 'container' | 'instance'; readonly source: RenewingCredentials };

export interface StorageConfig {
  /** Absolute path. */
  readonly dataDir: string;
  readonly metadata: MetadataStorageConfig;
  readonly blobs: BlobStorageConfig;
  /** How often `airlock serve` removes blobs nothing refers to (0: never). */
  readonly sweepEveryMs: number;
  /** Blobs committed more recently than this are kept by a sweep. */
  readonly sweepGraceMs: number;
  /** A sweep evicts the bytes of artifacts nobody downloaded for this long (null: never). */
  readonly artifactRetentionMs: number | null;
}

export interface PolicyConfig {
  /** Files or directories; empty: the built-in default policy. */
  readonly paths: readonly string[];
  /** Merged over the bundle's data (e.g. `{airlock: {settings: {cooldown_days: 7}}}`). */
  readonly data: { readonly [k: string]: Json };
  readonly watch: boolean;
  /** The verdict when evaluation fails. */
  readonly onError: 'block' | 'quarantine';
  readonly timeoutMs: number;
  readonly maxSteps: number;
  /** Re-judge cached verdicts this often (time-dependent rules such as cooldowns). */
  readonly reevaluateEveryMs: number;
  readonly verdictCacheSize: number;
  /** How often to pick up review changes made by other gateways sharing the store (0: never). */
  readonly syncIntervalMs: number;
  /** The policy fetched as an OPA bundle from a bundle server, instead of `paths`; null: files. */
  readonly bundle: PolicyBundleConfig | null;
}

/** `policy.bundle`: where the policy bundle is fetched from, how often, and what it must be. */
export interface PolicyBundleConfig {
  readonly url: string;
  /** Sent as `Authorization: Bearer …` to the bundle's origin. */
  readonly bearer: Secret | null;
  /** Each poll waits a random delay between these. */
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
  /** The key bundles must be signed with; null: bundles must be unsigned. */
  readonly signing: PolicyBundleSigningConfig | null;
  /** The archive as downloaded (gzipped). */
  readonly maxSizeBytes: number;
  /** The tar once decompressed. */
  readonly maxUnpackedSizeBytes: number;
  readonly maxFiles: number;
  /** Per request (connect, headers, body each). */
  readonly timeoutMs: number;
  /** With no persisted bundle, how long start-up keeps trying the server before it gives up. */
  readonly startupTimeoutMs: number;
  /** Keep the last activated bundle in the data directory, to start on it when the server is down. */
  readonly persist: boolean;
  /** `env`: the proxy the environment names (HTTPS_PROXY, NO_PROXY); `none`: direct. */
  readonly proxy: 'env' | 'none';
  /** Certificate authorities (PEM) trusted for an https bundle server instead of Node's roots. */
  readonly ca: readonly string[] | null;
}

export interface PolicyBundleSigningConfig {
  readonly publicKeyPem: string;
  /** When set, a signature's `kid` (if it names one) must be this. */
  readonly keyId: string | null;
  /** When set, the only JWS algorithm accepted (RS256, PS256, ES256 …). */
  readonly algorithm: string | null;
  /** The `scope` the signature must carry (null: none). */
  readonly scope: string | null;
}

export interface AccessConfig {
  /** Package reads without a token (default true). When false, a reader token is required. */
  readonly anonymousRead: boolean;
  /** The admin token to ensure at start-up (automation); default: env AIRLOCK_ADMIN_TOKEN. */
  readonly adminToken: Secret | null;
  /**
   * OIDC issuers whose ID tokens (CI workload identity) are exchanged for short-lived tokens, and
   * the exchange's rate limit per client address (null: none, `rateLimit: false`).
   */
  readonly oidc: { readonly issuers: readonly OidcIssuer[]; readonly rateLimit: RateLimit | null };
  /** Single sign-on to the review UI with an OpenID Connect provider (null: not configured). */
  readonly sso: SsoSettings | null;
  /** The MCP endpoint: its tool calls' rate limit per token. */
  readonly mcp: McpSettings;
}

export type UpstreamAuth =
  | { readonly kind: 'bearer'; readonly token: Secret }
  | { readonly kind: 'basic'; readonly username: string; readonly password: Secret };

/**
 * How a repository reaches its upstream: through the proxy the environment names
 * (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`, either case, as curl and npm read them), directly,
 * through a proxy given here (its password by reference), or through the proxy the local npm
 * client is configured with (`https-proxy`, else `proxy`, else the environment; `noproxy`), as
 * read at start-up.
 */
export type ProxyConfig =
  | { readonly kind: 'env' }
  | { readonly kind: 'none' }
  | { readonly kind: 'url'; readonly url: string; readonly username: string | null; readonly password: Secret | null }
  | { readonly kind: 'npm'; readonly proxy: string | null; readonly noProxy: string };

/**
 * The proxy setting as written: `npm` is resolved at start-up, and an omitted setting becomes
 * `npm` for a repository whose upstream is npm's registry (both come from npm's configuration)
 * and `env` otherwise.
 */
export type ProxySetting = Exclude<ProxyConfig, { readonly kind: 'npm' }> | { readonly kind: 'npm' } | { readonly kind: 'default' };

export interface TimeoutsConfig {
  readonly connectMs: number;
  readonly headersMs: number;
  readonly bodyMs: number;
}

/** The package formats a repository can serve. */
export type RepositoryFormat = 'npm' | 'pypi' | 'huggingface' | 'oci';

/** What every repository has, whatever its kind. */
export interface RepositoryCommon {
  readonly name: string;
  readonly format: RepositoryFormat;
  /** How long a package's metadata is served before it is read again (upstream, or a hosted repository's store). */
  readonly metadataMaxAgeMs: number;
  /** Blocked and quarantined versions: hidden from metadata, or listed (and refused on download). */
  readonly blockedVersions: 'hide' | 'show';
  readonly maxArtifactBytes: number;
  readonly maxMetadataBytes: number;
}

/**
 * A hosted repository: packages published to Airlock itself (`npm publish` with a publisher
 * token), kept in its stores, and served through the same gate as a proxy's. It has no upstream.
 */
export interface HostedRepositoryConfig extends RepositoryCommon {
  readonly format: 'npm' | 'oci' | 'pypi';
  readonly kind: 'hosted';
  /** Who may `npm unpublish` (oci: delete manifests and tags): nobody, admins (the default), or publishers too. */
  readonly unpublish: 'never' | 'admin' | 'publisher';
  /** oci: public keys (SPKI PEM) key-based cosign signatures of pushed images are checked against. */
  readonly cosignKeys?: readonly string[];
}

/**
 * A group repository: one URL in front of other repositories of its format. Each package name is
 * served by the first member, in this order, that has it, and by that member alone (versions are
 * never merged across members).
 */
export interface GroupRepositoryConfig {
  readonly name: string;
  readonly format: 'npm' | 'pypi' | 'oci';
  readonly kind: 'group';
  /** Member repository names (proxies and hosted repositories, no groups), in lookup order. */
  readonly members: readonly string[];
  /** The hosted member that takes writes sent to the group (`npm publish`, `twine upload`, an image push); null: none. */
  readonly publishTo: string | null;
}

/** A repository that serves packages itself: the members a group can have. */
export type ServingRepositoryConfig = ProxyRepositoryConfig | HostedRepositoryConfig;

export type RepositoryConfig = ServingRepositoryConfig | GroupRepositoryConfig;

/** A proxy of one upstream registry. */
export interface ProxyRepositoryConfig extends RepositoryCommon {
  readonly kind: 'proxy';
  /** Absolute URL with a trailing slash (pypi: the simple index, e.g. `https://pypi.org/simple/`). */
  readonly upstream: string;
  /**
   * pypi: the origin the index's pages link distribution files on when it is another one than the
   * index's (PyPI's files host); null: files are only fetched from the index's own origin. Airlock
   * follows no link to any other host.
   */
  readonly filesUpstream: string | null;
  /**
   * Where the upstream URL came from: the configuration, npm's registry setting, or npm's registry
   * without its most specific settings, when those lead to this Airlock (as once clients are
   * pointed at it).
   */
  readonly upstreamSource: 'config' | 'npm-config' | 'npm-fallback';
  readonly upstreamAuth: UpstreamAuth | null;
  readonly proxy: ProxyConfig;
  /**
   * The certificate authorities trusted for the upstream's TLS (through a proxy's tunnel too), in
   * place of Node's built-in roots: the repository's `ca` file, else npm's for a repository that
   * follows npm's proxy. Null: the built-in roots (and NODE_EXTRA_CA_CERTS).
   */
  readonly ca: TrustedCa | null;
  /**
   * Set for a repository that follows npm when npm's `strict-ssl` is false. Airlock verifies the
   * upstream's certificate all the same; `airlock serve` says so at start.
   */
  readonly npmStrictSslOff?: true;
  readonly timeouts: TimeoutsConfig;
  /**
   * Keys trusted for the upstream's registry signatures (`dist.signatures`), checked on every
   * tarball: the public npm registry's (pinned in Airlock) unless the configuration names others.
   */
  readonly registryKeys: TrustedRegistryKeys;
  /** The Sigstore trusted root npm attestations, PyPI provenance and keyless model signatures are checked against. */
  readonly sigstoreRoot: TrustedSigstoreRoot;
  /** huggingface: the keys and certificate authorities model signatures (model.sig) made without Sigstore are checked against. */
  readonly modelSigning?: ModelSigningTrustConfig;
  /** oci: public keys (SPKI PEM) key-based cosign image signatures are checked against. */
  readonly cosignKeys?: readonly string[];
  /** oci: the upstream namespace of a one-component image name (`library` for Docker Hub); null: none. */
  readonly defaultNamespace?: string | null;
}

export interface ModelSigningTrustConfig {
  /** Public keys, SPKI PEM as Node exports them. */
  readonly keys: readonly string[];
  /** Certificate authorities, PEM. */
  readonly certificateAuthorities: readonly string[];
}

export interface TrustedSigstoreRoot {
  /** The root to start with. */
  readonly root: TrustedRoot;
  /** Where it came from, for the start-up line. */
  readonly source: string;
  /** Kept current through this TUF repository (its `trusted_root.json` target), when set. */
  readonly tuf: { readonly url: string; /** The TUF root.json the chain starts from (JSON text). */ readonly initialRoot: string; readonly refreshMs: number } | null;
}

export interface TrustedRegistryKeys {
  /**
   * The keys named (built in, and from files), each for `dist.signatures`, the registry's publish
   * attestations or both (`registryKeySet` sorts them); the TUF ones are added to them.
   */
  readonly listed: readonly RegistryKey[];
  /** Where they came from, for the start-up line: "the public npm registry (built in)", "the file /etc/airlock/keys.json". */
  readonly sources: readonly string[];
  /**
   * Also the keys a TUF repository publishes as a `keys.json` target, kept current with it (the
   * repository's `sigstoreTrustedRoot` TUF repository, else Sigstore's): `target` names it, null
   * for `<upstream host>/keys.json`, as Sigstore's repository names the registry's keys.
   */
  readonly tuf: { readonly target: string | null } | null;
}

export interface SignalsConfig {
  /** Run the risk-signal collectors (look-alikes, tripwire, age, feeds, install behaviour, publisher changes). */
  readonly enabled: boolean;
  /**
   * Internal (private) package names per ecosystem: look-alikes of them are flagged like those of
   * popular names, and an upstream package with exactly such a name is dependency confusion.
   */
  readonly internalNames: { readonly npm: readonly string[]; readonly pypi: readonly string[] };
  /** How long per-package facts read from the store (feed advisories, ledger, first sightings) are reused. */
  readonly factsTtlMs: number;
  /** How often to look for feed imports made by another process (`airlock feeds import`); 0: never. */
  readonly feedPollMs: number;
}

/** `webhooks[]`: a receiver of audit events (docs/configuration.md, "Webhooks"). */
export interface WebhookConfig {
  /** Names its delivery cursor in the store: renaming a webhook starts it again from the head. */
  readonly name: string;
  /** Where events are POSTed; a Secret when given by reference (its URL holds a token, as chat webhooks' do). */
  readonly url: string | Secret;
  /** Event patterns (`quarantine.*`, `package.publish`, `*`, `!decision.allow`). */
  readonly events: readonly string[];
  /** `whsec_…`: deliveries are signed (Standard Webhooks); null: unsigned. */
  readonly secret: Secret | null;
  /** The longest wait for the receiver's answer (connecting, then its headers). */
  readonly timeoutMs: number;
  /** `env`: the proxy the environment names (HTTPS_PROXY, NO_PROXY); `none`: direct. */
  readonly proxy: 'env' | 'none';
  /** `standard`: the Standard Webhooks envelope around the audit event; `slack`: a chat line, `{"text": …}`. */
  readonly format: 'standard' | 'slack';
}

export interface AirlockConfig {
  readonly version: typeof CONFIG_VERSION;
  readonly server: ServerConfig;
  readonly storage: StorageConfig;
  readonly policy: PolicyConfig;
  readonly access: AccessConfig;
  readonly signals: SignalsConfig;
  readonly repositories: readonly RepositoryConfig[];
  readonly webhooks: readonly WebhookConfig[];
}
