/**
 * The check tools' arguments, read against the limits their input schemas declare (the schemas
 * in tool-schemas.ts say the same to the client). A bad argument is an `ArgumentError` naming
 * the argument and what it takes, so a model can correct the call.
 */
import { ECOSYSTEMS, isAirlockError, isEcosystem, type Ecosystem } from '../../core/index.ts';
import type { CheckTarget } from '../../gate/check-service.ts';
import { isVersionRange, parseVersionRange } from '../../gate/version-range.ts';

export class ArgumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArgumentError';
  }
}

export const LIMITS = Object.freeze({ name: 256, version: 256, range: 256, repo: 64, quarantineId: 128, batch: 50 });

type Args = Readonly<Record<string, unknown>>;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function refuseUnknown(args: Args, known: readonly string[], where: string): void {
  const extra = Object.keys(args).filter((k) => !known.includes(k));
  if (extra.length > 0) throw new ArgumentError(`${where}: unknown argument ${JSON.stringify(extra[0]?.slice(0, 64))}; the arguments are ${known.join(', ')}`);
}

function text(args: Args, key: string, max: number, where: string, required: boolean): string | null {
  const v = args[key];
  if (v === undefined || (v === null && !required)) {
    if (required) throw new ArgumentError(`${where}: "${key}" is required`);
    return null;
  }
  if (typeof v !== 'string') throw new ArgumentError(`${where}: "${key}" must be a string`);
  const t = v.trim();
  if (t === '' || t.length > max) throw new ArgumentError(`${where}: "${key}" must be 1 to ${max} characters`);
  if (/[\x00-\x1f\x7f]/.test(t)) throw new ArgumentError(`${where}: "${key}" has control characters`);
  return t;
}

/** `range`, read (the check service reads it again): INVALID_VERSION becomes an ArgumentError naming `key`. */
function readRange(ecosystem: Ecosystem, range: string, key: string, where: string): string {
  try {
    parseVersionRange(ecosystem, range);
    return range;
  } catch (err) {
    if (isAirlockError(err, 'INVALID_VERSION')) throw new ArgumentError(`${where}: "${key}" ${err.message}`);
    throw err;
  }
}

/** One package to check: `{ecosystem, name, version?, repo?}`; `version` may be a range (npm) or specifier (PyPI). */
export function packageTarget(v: unknown, where: string, rangeKey: 'version' | 'range' = 'version'): CheckTarget {
  if (!isObject(v)) throw new ArgumentError(`${where} must be an object {ecosystem, name, ${rangeKey}?, repo?}`);
  refuseUnknown(v, ['ecosystem', 'name', rangeKey, 'repo'], where);
  const ecosystem = text(v, 'ecosystem', 32, where, true) as string;
  if (!isEcosystem(ecosystem)) throw new ArgumentError(`${where}: "ecosystem" must be one of ${ECOSYSTEMS.join(', ')}, not ${JSON.stringify(ecosystem.slice(0, 32))}`);
  const name = text(v, 'name', LIMITS.name, where, true) as string;
  const repo = text(v, 'repo', LIMITS.repo, where, false);
  const given = text(v, rangeKey, rangeKey === 'range' ? LIMITS.range : LIMITS.version, where, false);
  // suggest_allowed_version's `range` is always one (`1.2.3` is npm's `=1.2.3`, PyPI's `==1.2.3`).
  if (given !== null && (rangeKey === 'range' || isVersionRange(ecosystem, given))) return { ecosystem, name, version: null, range: readRange(ecosystem, given, rangeKey, where), repo };
  return { ecosystem, name, version: given, repo };
}

/** `{packages: [...]}`: 1 to `LIMITS.batch` packages. */
export function packageTargets(args: Args): CheckTarget[] {
  refuseUnknown(args, ['packages'], 'check_packages');
  const list = args['packages'];
  if (!Array.isArray(list) || list.length === 0) throw new ArgumentError('check_packages: "packages" must be a non-empty array of {ecosystem, name, version?, repo?}');
  if (list.length > LIMITS.batch) throw new ArgumentError(`check_packages: at most ${LIMITS.batch} packages per call, not ${list.length}; split the list`);
  return list.map((p, i) => packageTarget(p, `check_packages: packages[${i}]`));
}

/** `{ecosystem, name, range?, repo?}` (suggest_allowed_version: no version, it finds one, within `range` when given). */
export function packageName(args: Args): CheckTarget {
  return packageTarget(args, 'suggest_allowed_version', 'range');
}

export function quarantineId(args: Args): string {
  refuseUnknown(args, ['id'], 'explain_quarantine');
  return text(args, 'id', LIMITS.quarantineId, 'explain_quarantine', true) as string;
}
