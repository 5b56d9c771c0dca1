/**
 * What Airlock takes from the local npm client's configuration, read with `npm config get` at
 * start-up and never written down anywhere: the default npm upstream (`registry`, or npm's
 * registry without the settings that lead back to Airlock) and, for a repository whose proxy
 * setting is `npm`, the way npm itself reaches its registry (`https-proxy`, `proxy`, `noproxy`,
 * and the authorities of `cafile` or `ca`).
 */
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { parse, resolve } from 'node:path';
import { AirlockError } from '../../core/index.ts';
import { parseCaText, readCaFile, type TrustedCa } from './ca.ts';
import { proxyUrlProblem } from './proxy-url.ts';

export type RegistryDiscovery = () => Promise<string>;

/** How npm's requests reach its registry, as its configuration gives it: the proxy and the TLS trust. */
export interface NpmConnectionSettings {
  /** `https-proxy`, else `proxy`: npm sends every registry request through it. Null: npm follows the environment. */
  readonly proxy: string | null;
  /** `noproxy`: hosts (and domains) npm reaches directly, comma-separated; empty when none are set. */
  readonly noProxy: string;
  /** `cafile`'s certificates, else `ca`'s: the only authorities npm trusts then. Null: Node's built-in roots. */
  readonly ca: TrustedCa | null;
  /** False when npm's `strict-ssl` is off (npm then takes any certificate); absent when it is on. */
  readonly strictSsl?: false;
}

/** What `npm config get` prints for the connection keys, unread: the cafile is a path still. */
export interface NpmConnectionText {
  readonly proxy: string | null;
  readonly noProxy: string;
  readonly cafile: string | null;
  /** Inline PEM text; npm writes its line breaks as "\n". */
  readonly ca: string | null;
  /** npm's `strict-ssl`: false only when it is set to false. */
  readonly strictSsl: boolean;
}

export type ConnectionDiscovery = () => Promise<NpmConnectionSettings>;

const MAX_OUTPUT_BYTES = 64 * 1024;

/** `npm config get KEY…`'s standard output, or a CONFIG_INVALID error naming the command and what npm said. */
function npmConfigGet(keys: readonly string[], env: NodeJS.ProcessEnv, timeoutMs: number, remedy: string, flags: readonly string[], cwd?: string): Promise<string> {
  const command = `npm config get ${keys.join(' ')}`;
  return new Promise((resolvePromise, reject) => {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    execFile(npm, ['config', 'get', ...keys, ...flags], { env, timeout: timeoutMs, maxBuffer: MAX_OUTPUT_BYTES, windowsHide: true, ...(cwd === undefined ? {} : { cwd }) }, (err, stdout, stderr) => {
      if (err === null) {
        resolvePromise(stdout);
        return;
      }
      // npm prints its reason on lines of its own ("npm error …"); the exit status alone says nothing.
      const said = String(stderr)
        .split('\n')
        .find((l) => l.startsWith('npm error ') && !l.includes('A complete log of this run'));
      const reason = said === undefined ? err.message.split('\n')[0] : said.slice('npm error '.length).trim();
      reject(new AirlockError('CONFIG_INVALID', `'${command}' failed (${reason}); ${remedy}`, { cause: err }));
    });
  });
}

const REGISTRY_REMEDY = 'set repositories[].upstream in the configuration or AIRLOCK_REPOSITORIES_<NAME>_UPSTREAM';

export function npmConfigRegistry(env: NodeJS.ProcessEnv = process.env, timeoutMs = 15_000): RegistryDiscovery {
  return async () => registryUrl(await npmConfigGet(['registry'], env, timeoutMs, `no upstream configured: ${REGISTRY_REMEDY}`, []));
}

/** How many layers of npm's configuration `npmRegistryWithout` can leave out, one step at a time. */
export const NPM_FALLBACK_STEPS = 3;

/** Configuration file paths under /dev/null, which can never exist: npm reads them as empty. */
const NO_USER_CONFIG = ['--userconfig', '/dev/null/airlock-no-user-npmrc'];
const NO_GLOBAL_CONFIG = ['--globalconfig', '/dev/null/airlock-no-global-npmrc'];

/**
 * npm's registry with its most specific settings left out, for when they lead to this Airlock:
 * step 1 leaves out `npm_config_registry` and any project `.npmrc` (npm runs at the file-system
 * root), step 2 the user's `.npmrc` too, step 3 the global one too, which leaves npm's own default
 * (or the one its installation ships).
 */
export function npmRegistryWithout(env: NodeJS.ProcessEnv = process.env, timeoutMs = 15_000): (step: number) => Promise<string> {
  const root = parse(tmpdir()).root;
  return async (step) => {
    // The file flags alone are not enough: npm takes npm_config_globalconfig from the environment over its flag.
    const dropped = step >= 3 ? /^npm_config_(registry|userconfig|globalconfig)$/i : step === 2 ? /^npm_config_(registry|userconfig)$/i : /^npm_config_registry$/i;
    const bare: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(env)) if (!dropped.test(k)) bare[k] = v;
    const flags = step >= 3 ? [...NO_USER_CONFIG, ...NO_GLOBAL_CONFIG] : step === 2 ? NO_USER_CONFIG : [];
    return registryUrl(await npmConfigGet(['registry'], bare, timeoutMs, `no upstream configured: ${REGISTRY_REMEDY}`, flags, root));
  };
}

/** The registry URL npm printed, checked, with a trailing slash. */
function registryUrl(stdout: string): string {
  const text = stdout.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch (cause) {
    throw new AirlockError('CONFIG_INVALID', `no upstream configured and 'npm config get registry' printed no URL; ${REGISTRY_REMEDY}`, { cause });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new AirlockError('CONFIG_INVALID', `'npm config get registry' is not an http(s) URL; ${REGISTRY_REMEDY}`);
  }
  url.search = '';
  url.hash = '';
  const s = url.toString();
  return s.endsWith('/') ? s : `${s}/`;
}

// `ca` last: its value may span lines, and then runs to the end of what npm prints.
const CONNECTION_KEYS = ['https-proxy', 'proxy', 'noproxy', 'strict-ssl', 'cafile', 'ca'] as const;
const PROXY_REMEDY = 'give the repository its proxy in the configuration instead (proxy: URL, or {url, username, password})';

/**
 * Parse what `npm config get https-proxy proxy noproxy strict-ssl cafile ca` prints: one
 * `key=value` line per key, `null` (or `false` for `proxy`) where a key is not set. npm sends
 * registry requests through `https-proxy` when it is set, else through `proxy`, whatever the
 * registry's scheme.
 */
export function parseNpmConnectionConfig(stdout: string): NpmConnectionText {
  const values = new Map<string, string>();
  const lines = stdout.split('\n');
  for (const [i, line] of lines.entries()) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim();
    if (!(CONNECTION_KEYS as readonly string[]).includes(key) || values.has(key)) continue;
    if (key === 'ca') {
      values.set(key, [line.slice(eq + 1), ...lines.slice(i + 1)].join('\n').trim());
      break;
    }
    values.set(key, line.slice(eq + 1).trim());
  }
  for (const key of CONNECTION_KEYS) {
    if (!values.has(key)) throw new AirlockError('CONFIG_INVALID', `'npm config get ${CONNECTION_KEYS.join(' ')}' printed no ${key}=… line; ${PROXY_REMEDY}`);
  }
  const set = (key: string): string | null => {
    const v = values.get(key) ?? '';
    return v === '' || v === 'null' || v === 'false' || v === 'undefined' ? null : v;
  };
  const key = set('https-proxy') !== null ? 'https-proxy' : 'proxy';
  const text = set(key);
  let proxy: string | null = null;
  if (text !== null) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new AirlockError('CONFIG_INVALID', `npm's ${key} setting is not a URL (${JSON.stringify(text.slice(0, 200))}); ${PROXY_REMEDY}`);
    }
    const problem = proxyUrlProblem(url);
    if (problem === 'scheme') {
      throw new AirlockError('CONFIG_INVALID', `npm's ${key} setting is a ${url.protocol.slice(0, -1)} proxy; Airlock reaches upstreams through http:// and https:// proxies only; ${PROXY_REMEDY}`);
    }
    if (problem === 'not-origin') {
      throw new AirlockError('CONFIG_INVALID', `npm's ${key} setting has a path or query (${url.origin}${url.pathname}); a proxy is named by its scheme, host and port; ${PROXY_REMEDY}`);
    }
    // npm refuses to print a proxy that holds credentials, so what it printed has none.
    proxy = url.origin;
  }
  return { proxy, noProxy: set('noproxy') ?? '', cafile: set('cafile'), ca: set('ca'), strictSsl: values.get('strict-ssl') !== 'false' };
}

/** npm's trust: the certificates of its `cafile` (which npm reads over `ca`), else of its inline `ca`. */
function npmCa(text: NpmConnectionText, cwd: string): TrustedCa | null {
  if (text.cafile !== null) {
    const file = resolve(cwd, text.cafile);
    return { pems: readCaFile(file, "npm's cafile setting"), source: `npm's cafile ${file}` };
  }
  if (text.ca !== null) return { pems: parseCaText(text.ca, "npm's ca setting"), source: "npm's ca setting" };
  return null;
}

/**
 * How npm reaches its registry: its proxy and the authorities it trusts. npm will not print a
 * proxy URL that holds credentials ("the https-proxy option is protected"): such a setting makes
 * this fail with npm's reason and the remedy, rather than Airlock going around a proxy the
 * network may require.
 */
export function npmConfigConnection(env: NodeJS.ProcessEnv = process.env, timeoutMs = 15_000): ConnectionDiscovery {
  return async () => {
    const text = parseNpmConnectionConfig(await npmConfigGet(CONNECTION_KEYS, env, timeoutMs, PROXY_REMEDY, []));
    return { proxy: text.proxy, noProxy: text.noProxy, ca: npmCa(text, process.cwd()), ...(text.strictSsl ? {} : { strictSsl: false as const }) };
  };
}

/** What the configuration may ask of the local npm client, each asked only when needed. */
export interface NpmDiscovery {
  /** npm's registry setting. */
  readonly registry: RegistryDiscovery;
  /** npm's registry with its most specific settings left out (`npmRegistryWithout`): the fallback when the setting leads to this Airlock. */
  readonly registryWithout: (step: number) => Promise<string>;
  readonly connection: ConnectionDiscovery;
}

export function npmDiscovery(env: NodeJS.ProcessEnv = process.env): NpmDiscovery {
  return { registry: npmConfigRegistry(env), registryWithout: npmRegistryWithout(env), connection: npmConfigConnection(env) };
}
