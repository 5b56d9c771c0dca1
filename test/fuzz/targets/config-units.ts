/**
 * The config-units fuzz target: sizes and durations as the schema reads them (`size`, `duration`
 * of checks.ts, each as the text and as the YAML value a file makes of it), held to what
 * docs/configuration.md says they are, computed exactly (BigInt): a value read must be the
 * documented one, within the bounds, and text the documentation does not read must be refused
 * naming the setting.
 */
import { duration, size } from '../../../src/app/config/checks.ts';
import { MAX_DURATION_MS } from '../../../src/gate/duration.ts';
import { asText, text, type FuzzTarget } from '../../support/fuzz/target.ts';
import { configError, done } from './config-checks.ts';
import { yamlValue } from './config-env-rule.ts';

const DOCUMENTED_UNITS: Readonly<Record<string, bigint>> = { '': 1n, b: 1n, k: 1024n, kib: 1024n, kb: 1000n, m: 1024n ** 2n, mib: 1024n ** 2n, mb: 1000n ** 2n, g: 1024n ** 3n, gib: 1024n ** 3n, gb: 1000n ** 3n, t: 1024n ** 4n, tib: 1024n ** 4n, tb: 1000n ** 4n };
const DURATION_UNITS: Readonly<Record<string, bigint>> = { ms: 1n, s: 1000n, m: 60_000n, h: 3_600_000n, d: 86_400_000n, w: 604_800_000n };
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** What docs/configuration.md says a size is: a number of bytes, or one with a unit (MB 10^6, MiB and M 2^20). `either` where the digits run long. */
function documentedSize(t: string): bigint | 'refuse' | 'either' {
  const m = /^(\d+)\s*([A-Za-z]*)$/.exec(t.trim());
  const unit = m === null ? undefined : DOCUMENTED_UNITS[(m[2] as string).toLowerCase()];
  if (m === null || unit === undefined) return 'refuse';
  const n = BigInt(m[1] as string) * unit;
  if ((m[1] as string).length > 15) return 'either';
  return n > MAX_SAFE ? 'refuse' : n;
}

/** What it says a duration is: parts such as 500ms, 45s, 5m, 12h, 30d, 2w, combined, at most ten years. */
function documentedDuration(t: string): bigint | 'refuse' | 'either' {
  const s = t.trim();
  if (!/^(?:\d+(?:ms|s|m|h|d|w))+$/.test(s)) return 'refuse';
  const parts = [...s.matchAll(/(\d+)(ms|s|m|h|d|w)/g)];
  const n = parts.reduce((sum, p) => sum + BigInt(p[1] as string) * (DURATION_UNITS[p[2] as string] as bigint), 0n);
  if (parts.some((p) => (p[1] as string).length > 9)) return 'either';
  return n > BigInt(MAX_DURATION_MS) ? 'refuse' : n;
}

/**
 * `read` as the schema reads a setting written `t` (the string, and the YAML value a file makes of
 * it), against what the documentation says: a whole number within `max` as it is, text by `documented`.
 */
function unitProblem(what: string, t: string, documented: (s: string) => bigint | 'refuse' | 'either', max: number, read: (v: unknown) => number): string | undefined {
  let yaml: unknown = t;
  try {
    yaml = yamlValue(t);
  } catch {
    // Refused as YAML (too deep, a collection as a key): only the text is read.
  }
  for (const v of [t, yaml]) {
    const wanted = typeof v === 'string' ? documented(v) : typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max ? BigInt(v) : 'refuse';
    let got: number | 'refuse';
    try {
      got = read(v);
    } catch (err) {
      if (!(configError(err) && (err as Error).message.startsWith(`${what}:`))) throw err;
      got = 'refuse';
    }
    const right = got === 'refuse' ? wanted === 'refuse' || wanted === 'either' : Number.isSafeInteger(got) && wanted !== 'refuse' && (wanted === 'either' || BigInt(got) === wanted);
    if (!right) return `${what} ${JSON.stringify(v).slice(0, 200)} reads as ${got}, documented ${wanted}`;
  }
  return undefined;
}

export const units: FuzzTarget = {
  seeds: () => ['512MB', '1GiB', '64k', '1048576', ' 5 MiB ', '16M', '4tb', '1kb', '500ms', '1d12h', '2w', '45s', '90m', '0', '3650d', '1s1s'].map(text),
  text: true,
  extra: () => ['9'.repeat(16), `${'9'.repeat(15)}t`, '1'.repeat(100_000), `${'1s'.repeat(100_000)}`, '999999999w', '0x10', '1e3', '-5', '5\u00a0MB', '5\nMB', '٥MB'].map(text),
  run: (input) => {
    const t = asText(input);
    return (
      unitProblem('server.cacheMemory', t, documentedSize, Number.MAX_SAFE_INTEGER, (v) => size(v, 'server.cacheMemory', 0, Number.MAX_SAFE_INTEGER)) ??
      unitProblem('policy.timeout', t, documentedDuration, MAX_DURATION_MS, (v) => duration(v, 'policy.timeout', 0, MAX_DURATION_MS))
    );
  },
  accepts: configError,
  done,
};

