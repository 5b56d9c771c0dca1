/**
 * The config-env fuzz target: environment overrides (`NAME=VALUE` lines, mutated names and
 * values) applied by `applyEnvOverrides` on top of valid files, held to the documented rule in
 * `config-env-rule.ts`: a variable the rule refuses must be refused, one it reads must land where
 * it says, and what loads is validated as a file would be.
 */
import { applyEnvOverrides, parseConfigText, validateConfig } from '../../../src/app/config/index.ts';
import { nested } from '../../support/fuzz/mutate.ts';
import { asText, text, type FuzzTarget } from '../../support/fuzz/target.ts';
import { confined } from './config-world.ts';
import { configError, configFile, context, done, numberProblem, world } from './config-checks.ts';
import { documentedOverrides, firstDifference } from './config-env-rule.ts';

/** Files the overrides apply on top of: none (the default npm repository), the README's, and one of every kind and format. */
const BASES: readonly (string | undefined)[] = [
  undefined,
  'repositories:\n  - name: npm\n    format: npm\n    upstream: http://127.0.0.1:4873/\n',
  `policy: {bundle: {url: "https://bundles.example/b.tar.gz"}}
repositories:
  - {name: npm, format: npm, upstream: "https://registry.example/"}
  - {name: npm-internal, format: npm, kind: hosted}
  - {name: all, format: npm, kind: group, members: [npm-internal, npm], publishTo: npm-internal}
  - {name: pypi, format: pypi, upstream: "https://pypi.org/simple/", filesUpstream: "https://files.pythonhosted.org/"}
  - {name: pypi-files, format: pypi, upstream: "https://mirror.example/simple/"}
  - {name: dockerhub, format: oci, upstream: "https://registry-1.docker.io/"}
  - {name: hf, format: huggingface, upstream: "https://huggingface.co/"}
`,
];

const ENV_SEEDS: readonly string[] = [
  'base: 0\nAIRLOCK_SERVER_PORT=9090\nAIRLOCK_SERVER_PUBLIC_URL=https://airlock.example.com/\nAIRLOCK_STORAGE_DATA_DIR=var/lib/airlock\nAIRLOCK_STORAGE_SWEEP_EVERY=0\n',
  'base: 0\nAIRLOCK_REPOSITORIES_NPM_UPSTREAM=http://127.0.0.1:4873/\nAIRLOCK_REPOSITORIES_NPM_TIMEOUTS_CONNECT=2s\nAIRLOCK_REPOSITORIES_NPM_PROXY=none\n',
  'base: 1\nAIRLOCK_POLICY_PATHS=[policy/a, policy/b]\nAIRLOCK_POLICY_ON_ERROR=quarantine\nAIRLOCK_POLICY_TIMEOUT=500\nAIRLOCK_ACCESS_ANONYMOUS_READ=false\n',
  'base: 1\nAIRLOCK_POLICY_BUNDLE_URL=https://bundles.example.com/airlock/bundle.tar.gz\nAIRLOCK_POLICY_BUNDLE_CREDENTIALS={bearer: {env: BUNDLE_TOKEN}}\nAIRLOCK_POLICY_BUNDLE_POLLING={minDelay: 5s, maxDelay: 10s}\n',
  'base: 1\nAIRLOCK_SIGNALS_INTERNAL_NAMES={npm: [acme-billing]}\nAIRLOCK_SIGNALS_FEED_POLL=250ms\nAIRLOCK_SERVER_TLS={cert: etc/airlock/tls/fullchain.pem, key: {file: run/secrets/tls-key}}\n',
  'base: 1\nAIRLOCK_STORAGE_METADATA={driver: postgres, url: {env: AIRLOCK_PG_URL}}\nAIRLOCK_ACCESS_ADMIN_TOKEN={file: token}\nAIRLOCK_REPOSITORIES_NPM_MAX_ARTIFACT_SIZE=2GiB\n',
  'base: 2\nAIRLOCK_REPOSITORIES_NPM_INTERNAL_MAX_ARTIFACT_SIZE=16MiB\nAIRLOCK_REPOSITORIES_NPM_TIMEOUTS_BODY=1m\nAIRLOCK_REPOSITORIES_ALL_PUBLISH_TO=npm-internal\n',
  'base: 2\nAIRLOCK_REPOSITORIES_PYPI_FILES_PROXY=none\nAIRLOCK_REPOSITORIES_DOCKERHUB_DEFAULT_NAMESPACE=null\nAIRLOCK_REPOSITORIES_HF_UPSTREAM_AUTH={token: {env: HF_TOKEN}}\n',
  'base: 2\nAIRLOCK_POLICY_BUNDLE_TIMEOUT=5s\nAIRLOCK_POLICY_BUNDLE_MAX_SIZE=1MB\nAIRLOCK_REPOSITORIES_NPM_TIMEOUTS={connect: 1s}\nAIRLOCK_REPOSITORIES_NPM_TIMEOUTS_HEADERS=5s\n',
];

/** An env input: `base: N`, then NAME=VALUE lines (a later line of a name wins). */
function readEnvInput(t: string): { readonly raw: unknown; readonly env: Record<string, string> } {
  const lines = t.split('\n');
  const base = BASES[Number(/^base: (\d+)$/.exec(lines[0] ?? '')?.[1] ?? 0) % BASES.length];
  const env: Record<string, string> = { ...world().env };
  for (const line of lines.slice(1)) {
    const eq = line.indexOf('=');
    if (eq > 0) env[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return { raw: base === undefined ? undefined : parseConfigText(base, configFile()), env };
}

export const env: FuzzTarget = {
  seeds: () => ENV_SEEDS.map(text),
  text: true,
  extra: () =>
    [
      'base: 0\nAIRLOCK_REPOSITORIES_NPM_UPSTREAM=null\nAIRLOCK_SERVER_PUBLIC_URL=~\nAIRLOCK_SERVER_TLS=\n',
      `base: 0\nAIRLOCK_POLICY_DATA={a: ${nested('[', ']', 100_000)}}\n`,
      `base: 0\nAIRLOCK_POLICY_DATA=&a [x, x]\nAIRLOCK_SERVER_HOST=*a\n`,
      `base: 0\n${Array.from({ length: 5000 }, (_, i) => `AIRLOCK_REPOSITORIES_R${i}_UPSTREAM=https://r.example/`).join('\n')}\n`,
      `base: 0\nAIRLOCK_SERVER_${'X'.repeat(100_000)}=1\n`,
      'base: 0\nAIRLOCK_REPOSITORIES_=1\nAIRLOCK_REPOSITORIES_NPM_=1\nAIRLOCK_POLICY_BUNDLE_=1\n',
      'base: 1\nAIRLOCK_REPOSITORIES_NPM_NAME=other\nAIRLOCK_REPOSITORIES_NPM_TIMEOUTS_BODY=1s\nAIRLOCK_REPOSITORIES_OTHER_PROXY=none\n',
      'base: 1\nAIRLOCK_REPOSITORIES_NPM_TIMEOUTS=5s\nAIRLOCK_REPOSITORIES_NPM_TIMEOUTS_CONNECT=2s\n',
      'base: 2\nAIRLOCK_POLICY_BUNDLE=5s\nAIRLOCK_POLICY_BUNDLE_URL=https://b.example/\n',
      'base: 2\nAIRLOCK_REPOSITORIES_NPM_INTERNAL_UNPUBLISH=never\nAIRLOCK_REPOSITORIES_PYPI_FILES_UPSTREAM=https://files.example/\n',
    ].map(text),
  run: (input) => {
    const { raw, env: vars } = readEnvInput(asText(input));
    const documented = documentedOverrides(raw, vars);
    let merged: unknown;
    try {
      merged = applyEnvOverrides(raw, vars);
    } catch (err) {
      if (!configError(err) || 'refused' in documented || !confined(documented.raw, world().dir)) throw err;
      // Refused as validating what the rule reads refuses it, or a valid reading refused.
      const valid = (() => {
        try {
          validateConfig(documented.raw, context(vars));
          return true;
        } catch {
          return false;
        }
      })();
      if (!valid) throw err;
      return `refused (${(err as Error).message.slice(0, 300)}) though the documented reading is valid`;
    }
    if (!confined(merged, world().dir) || ('raw' in documented && !confined(documented.raw, world().dir))) return undefined;
    const draft = validateConfig(merged, context(vars));
    if ('refused' in documented) return `accepted though ${documented.refused}`;
    const differs = firstDifference(merged, documented.raw);
    if (differs !== undefined) return `the overrides landed elsewhere than documented: ${differs}`;
    return numberProblem(draft, '');
  },
  accepts: configError,
  done,
};

