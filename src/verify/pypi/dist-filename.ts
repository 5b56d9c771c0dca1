/**
 * The canonical spelling of a distribution file name, for matching a PEP 740 attestation's
 * subject to the file served. A name has several spellings of one file (`Foo.Bar-1.0.tar.gz`,
 * `foo_bar-1.0.0.tar.gz` is another file, `foo_bar-1.0.tar.gz` the same one), so both names are
 * parsed and rebuilt as pypi-attestations does ("ultranormalized"): the project name per PEP 503
 * with `_` for `-`, the version as PEP 440 prints it, a wheel's build tag as a number and a
 * suffix, and each of its compressed tag sets lower-cased and sorted. Only the formats PyPI
 * accepts and attests are read: wheels, `.tar.gz` and `.zip` sdists.
 */
import { parsePep440, type Pep440 } from '../../core/index.ts';

const MAX_FILENAME = 255;
/** PEP 427 escapes every `-` of the name, so a wheel's name part holds none (nor `__`). */
const WHEEL_NAME_RE = /^[A-Za-z0-9._]+$/;
const SDIST_NAME_RE = /^[A-Za-z0-9._-]+$/;
/** parsePep440 forgives surrounding whitespace; a file name must not carry any. */
const VERSION_CHARS_RE = /^[A-Za-z0-9.!+_-]+$/;
const BUILD_RE = /^([0-9]+)([A-Za-z0-9_.]*)$/;
const TAG_RE = /^[A-Za-z0-9_.]+$/;
const PRE_LABEL = ['a', 'b', 'rc'] as const;

/** PEP 503, with `_` for the separator, as wheel and PEP 625 sdist names spell a project. */
function fileNameOf(name: string): string {
  return name.replace(/[-_.]+/g, '_').toLowerCase();
}

/** A version as PEP 440 prints it (`1.0-1` → `1.0.post1`, `1.0RC01` → `1.0rc1`). */
function printVersion(v: Pep440): string {
  let s = v.epoch === 0n ? '' : `${v.epoch}!`;
  s += v.release.join('.');
  if (v.pre !== null) s += `${PRE_LABEL[v.pre[0]] ?? 'rc'}${v.pre[1]}`;
  if (v.post !== null) s += `.post${v.post}`;
  if (v.dev !== null) s += `.dev${v.dev}`;
  if (v.local.length > 0) s += `+${v.local.join('.')}`;
  return s;
}

function version(text: string): string | Error {
  const v = VERSION_CHARS_RE.test(text) ? parsePep440(text) : null;
  return v === null ? new Error(`its version ${JSON.stringify(text.slice(0, 80))} is not a PEP 440 version`) : printVersion(v);
}

/** A compressed tag set (`py2.py3`), its members lower-cased, deduplicated and sorted. */
function tagSet(text: string): string {
  return [...new Set(text.toLowerCase().split('.'))].sort().join('.');
}

function wheel(stem: string): string | Error {
  const parts = stem.split('-');
  if (parts.length !== 5 && parts.length !== 6) return new Error(`it is not a wheel name (name-version[-build]-python-abi-platform.whl)`);
  const [name = '', ver = ''] = parts;
  if (!WHEEL_NAME_RE.test(name) || name.includes('__')) return new Error(`its project name ${JSON.stringify(name.slice(0, 80))} is not a wheel's`);
  const v = version(ver);
  if (v instanceof Error) return v;
  const tags = parts.slice(-3);
  if (!tags.every((t) => TAG_RE.test(t) && !t.split('.').includes(''))) return new Error('its compatibility tags are malformed');
  const out = [fileNameOf(name), v];
  if (parts.length === 6) {
    const build = BUILD_RE.exec(parts[2] ?? '');
    if (build === null) return new Error('its build tag does not start with a digit');
    out.push(`${BigInt(build[1] ?? '0')}${build[2] ?? ''}`);
  }
  return `${[...out, ...tags.map(tagSet)].join('-')}.whl`;
}

function sdist(stem: string, suffix: string): string | Error {
  // As packaging reads an sdist name: the version is after the last dash.
  const dash = stem.lastIndexOf('-');
  if (dash <= 0) return new Error(`it is not an sdist name (name-version${suffix})`);
  const name = stem.slice(0, dash);
  if (!SDIST_NAME_RE.test(name)) return new Error(`its project name ${JSON.stringify(name.slice(0, 80))} is not valid`);
  const v = version(stem.slice(dash + 1));
  return v instanceof Error ? v : `${fileNameOf(name)}-${v}${suffix}`;
}

/** The canonical spelling of `filename`, or why it is not the name of a wheel or an sdist PEP 740 covers. */
export function canonicalDistFilename(filename: string): string | Error {
  if (filename.length === 0 || filename.length > MAX_FILENAME) return new Error(`it is not a file name of 1 to ${MAX_FILENAME} characters`);
  if (filename.endsWith('.whl')) return wheel(filename.slice(0, -'.whl'.length));
  for (const suffix of ['.tar.gz', '.zip']) {
    if (filename.endsWith(suffix)) return sdist(filename.slice(0, -suffix.length), suffix);
  }
  return new Error('it is neither a wheel (.whl) nor an sdist (.tar.gz, .zip)');
}
