/**
 * The package scripts npm runs when it installs a package from a registry: the install lifecycle
 * scripts (`preinstall`, `install`, `postinstall`), and every script those run by name —
 * `npm run build` (with `prebuild` and `postbuild`, which npm runs around it), `npm test`,
 * `yarn build`, `pnpm run build`, `run-s build:*` — followed to the end. A lifecycle script that
 * only says `npm run setup` would otherwise hide what it runs from anyone reading it alone.
 * `prepare` is not a root: npm does not run it for registry tarballs.
 * The scripts object is hostile JSON: only non-empty string scripts count, and at most
 * `MAX_SCRIPTS` are followed.
 */
import { isPlainObject, setMember } from './plain-object.ts';
import { baseName, commandProper, shellCommands } from './shell-words.ts';

export const NPM_INSTALL_LIFECYCLE = ['preinstall', 'install', 'postinstall'] as const;
const MAX_SCRIPTS = 64;
/**
 * `run-s` glob patterns matched per package (a plain name is a lookup), the script names tried
 * against each, and their lengths: at most 8 × 256 × 64 × 128 steps of the matcher.
 */
const MAX_GLOBS = 8;
const MAX_NAMES = 256;
const MAX_GLOB_CHARS = 64;
const MAX_NAME_CHARS = 128;

/** `npm <command>` that runs the script of the same name. */
const NPM_SCRIPT_COMMANDS: Readonly<Record<string, string>> = { start: 'start', test: 'test', t: 'test', tst: 'test', stop: 'stop', restart: 'restart' };
const NPM_RUN = new Set(['run', 'run-script', 'rum', 'urn']);
/** npm options that take the next word as their value. */
const NPM_VALUE_OPTIONS = new Set(['--prefix', '-C', '--workspace', '-w', '--script-shell', '--loglevel', '--userconfig']);
/** Commands of yarn, pnpm and bun that win over a script of the same name. */
const PM_BUILTINS = new Set([
  'add', 'audit', 'bin', 'cache', 'config', 'create', 'dlx', 'exec', 'global', 'help', 'i', 'import', 'info', 'init', 'install', 'link',
  'list', 'ls', 'node', 'outdated', 'pack', 'publish', 'rebuild', 'remove', 'rm', 'set', 'unlink', 'up', 'update', 'upgrade', 'version',
  'why', 'workspace', 'workspaces', 'x',
]);
const RUN_ALL = new Set(['run-s', 'run-p', 'npm-run-all', 'npm-run-all2']);

type Scripts = Readonly<Record<string, unknown>>;

function scriptOf(scripts: Scripts, name: string): string | null {
  const s = Object.hasOwn(scripts, name) ? scripts[name] : undefined;
  return typeof s === 'string' && s.trim() !== '' ? s : null;
}

/** The first word that is not an option (skipping the values of options that take one). */
function firstOperand(words: readonly string[], from: number, valueOptions: ReadonlySet<string>): number {
  for (let i = from; i < words.length; i++) {
    const w = words[i] as string;
    if (w === '--') return i + 1 < words.length ? i + 1 : -1;
    if (!w.startsWith('-')) return i;
    if (valueOptions.has(w)) i++;
  }
  return -1;
}

/**
 * `build:*` and `build:**` as npm-run-all matches them: `*` within a `:` segment, `**` across.
 * By table (pattern position × name position), not by regular expression: a hostile pattern of
 * many stars costs its length times the name's, never more.
 */
function globMatch(pattern: string, name: string): boolean {
  if (pattern.length > MAX_GLOB_CHARS || name.length > MAX_NAME_CHARS) return false;
  // ok[j]: the pattern so far matches the name's first j characters.
  let ok = new Array<boolean>(name.length + 1).fill(false);
  ok[0] = true;
  for (let i = 0; i < pattern.length; i++) {
    const next = new Array<boolean>(name.length + 1).fill(false);
    if (pattern[i] === '*') {
      const any = pattern[i + 1] === '*';
      if (any) i++;
      for (let j = 0; j <= name.length; j++) next[j] = ok[j] === true || (j > 0 && next[j - 1] === true && (any || name[j - 1] !== ':'));
    } else {
      for (let j = 1; j <= name.length; j++) next[j] = ok[j - 1] === true && name[j - 1] === pattern[i];
    }
    ok = next;
  }
  return ok[name.length] === true;
}

/** Work left for one package's glob patterns (hostile manifests can list thousands). */
interface GlobBudget {
  left: number;
}

/** Names of the scripts one simple command runs. */
function namedRuns(words: readonly string[], scripts: Scripts, globs: GlobBudget): string[] {
  const w = commandProper(words);
  const cmd = baseName(w[0] ?? '');
  if (cmd === 'npm') {
    const at = firstOperand(w, 1, NPM_VALUE_OPTIONS);
    // `npm --prefix other run x` runs another package's script: not one of these.
    if (at === -1 || w.slice(1, at).some((o) => o === '--prefix' || o === '-C' || o.startsWith('--prefix='))) return [];
    const sub = w[at] as string;
    if (NPM_RUN.has(sub)) {
      const name = firstOperand(w, at + 1, NPM_VALUE_OPTIONS);
      return name === -1 ? [] : [w[name] as string];
    }
    const same = NPM_SCRIPT_COMMANDS[sub];
    return same === undefined ? [] : [same];
  }
  if (cmd === 'yarn' || cmd === 'pnpm' || cmd === 'bun') {
    const at = firstOperand(w, 1, NPM_VALUE_OPTIONS);
    if (at === -1) return [];
    const sub = w[at] as string;
    if (sub === 'run' || sub === 'run-script') {
      const name = firstOperand(w, at + 1, NPM_VALUE_OPTIONS);
      return name === -1 ? [] : [w[name] as string];
    }
    return PM_BUILTINS.has(sub) ? [] : [sub];
  }
  if (RUN_ALL.has(cmd)) {
    const out: string[] = [];
    for (const p of w.slice(1)) {
      if (p.startsWith('-')) continue;
      if (!p.includes('*')) out.push(p);
      else if (globs.left-- > 0) {
        for (const n of Object.keys(scripts).slice(0, MAX_NAMES)) if (globMatch(p, n)) out.push(n);
      }
    }
    return out;
  }
  return [];
}

/**
 * The scripts that run when npm installs the package from a registry: the install lifecycle
 * scripts and, followed to the end, the scripts they run by name, in that order.
 */
export function npmInstallTimeScripts(scripts: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isPlainObject(scripts)) return out;
  const all: Scripts = scripts;
  const queue: string[] = [];
  const globs: GlobBudget = { left: MAX_GLOBS };
  const add = (name: string): void => {
    if (Object.hasOwn(out, name) || queue.length >= MAX_SCRIPTS) return;
    const s = scriptOf(all, name);
    if (s === null) return;
    setMember(out, name, s);
    queue.push(name);
  };
  for (const name of NPM_INSTALL_LIFECYCLE) add(name);
  for (let i = 0; i < queue.length; i++) {
    for (const words of shellCommands(out[queue[i] as string] as string)) {
      for (const name of namedRuns(words, all, globs)) {
        // npm and yarn run `pre<name>` and `post<name>` around a script run by name.
        add(`pre${name}`);
        add(name);
        add(`post${name}`);
      }
    }
  }
  return out;
}
