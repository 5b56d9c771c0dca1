/**
 * The check tools' arguments, read against the limits their input schemas declare (the schemas
 * in tool-schemas.ts say the same to the client). A bad argument is an `ArgumentError` naming
 * the argument and what it takes, so a model can correct the call.
 */
import { ECOSYSTEMS, isEcosystem } from '../../core/index.ts';
import type { CheckTarget } from '../../gate/check-service.ts';

export class ArgumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArgumentError';
  }
}

export const LIMITS = Object.freeze({ name: 256, version: 256, repo: 64, quarantineId: 128, batch: 50 });

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

/** A version range or specifier (`^1.2.0`, `>=2,<3`, `1.x`), which the check does not resolve. */
const RANGE_RE = /[\^~<>=*|,\s]|(^|\.)[xX](\.|$)/;

/** One package to check: `{ecosystem, name, version?, repo?}`. */
export function packageTarget(v: unknown, where: string): CheckTarget {
  if (!isObject(v)) throw new ArgumentError(`${where} must be an object {ecosystem, name, version?, repo?}`);
  refuseUnknown(v, ['ecosystem', 'name', 'version', 'repo'], where);
  const ecosystem = text(v, 'ecosystem', 32, where, true) as string;
  if (!isEcosystem(ecosystem)) throw new ArgumentError(`${where}: "ecosystem" must be one of ${ECOSYSTEMS.join(', ')}, not ${JSON.stringify(ecosystem.slice(0, 32))}`);
  const name = text(v, 'name', LIMITS.name, where, true) as string;
  const version = text(v, 'version', LIMITS.version, where, false);
  if (version !== null && (ecosystem === 'npm' || ecosystem === 'pypi') && RANGE_RE.test(version)) {
    throw new ArgumentError(
      `${where}: "version" ${JSON.stringify(version.slice(0, 64))} is a range; give an exact version (1.2.3), or leave version out to learn which version an install without one gets ("installs")`,
    );
  }
  return { ecosystem, name, version, repo: text(v, 'repo', LIMITS.repo, where, false) };
}

/** `{packages: [...]}`: 1 to `LIMITS.batch` packages. */
export function packageTargets(args: Args): CheckTarget[] {
  refuseUnknown(args, ['packages'], 'check_packages');
  const list = args['packages'];
  if (!Array.isArray(list) || list.length === 0) throw new ArgumentError('check_packages: "packages" must be a non-empty array of {ecosystem, name, version?, repo?}');
  if (list.length > LIMITS.batch) throw new ArgumentError(`check_packages: at most ${LIMITS.batch} packages per call, not ${list.length}; split the list`);
  return list.map((p, i) => packageTarget(p, `check_packages: packages[${i}]`));
}

/** `{ecosystem, name, repo?}` (suggest_allowed_version: no version, it finds one). */
export function packageName(args: Args): CheckTarget {
  refuseUnknown(args, ['ecosystem', 'name', 'repo'], 'suggest_allowed_version');
  return packageTarget(args, 'suggest_allowed_version');
}

export function quarantineId(args: Args): string {
  refuseUnknown(args, ['id'], 'explain_quarantine');
  return text(args, 'id', LIMITS.quarantineId, 'explain_quarantine', true) as string;
}
