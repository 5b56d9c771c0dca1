/**
 * What an install command runs from the package: the scripts Node loads (`node setup`,
 * `node .`, `node -r ./hook.js x.js`, the `require('./postinstall')` of `node -e "…"`), shell
 * and other interpreters' script files (`sh ./setup.sh`, `python3 x.py`, `./bin/run`), and the
 * commands of `sh -c "…"`. A binding.gyp's command expansions (`<!(…)`, `<!@(…)`) are commands
 * too: gyp runs them while it configures a node-gyp build.
 *
 * Node-loaded entries keep their module specifier (`./setup`), resolved later against the
 * archive's files as Node resolves it (`hook-files.ts`); other files are exact paths. Paths are
 * as the command spells them, relative to the folder the command runs in.
 */
import { baseName, commandProper, shellCommands } from '../../core/index.ts';
import { moduleSpecifiers } from './js-requires.ts';

export interface CommandEntry {
  /** A module specifier (`./setup`, `inner/lib`) for Node's resolution, or a file path. */
  readonly spec: string;
  /** Node resolves it (extensions, folders, packages); otherwise the exact file. */
  readonly node: boolean;
}

const NODE_RUNNERS = new Set(['node', 'nodejs', 'bun', 'tsx', 'ts-node', 'ts-node-script', 'babel-node', 'esno', 'esr', 'deno']);
const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'source', '.']);
const INTERPRETERS = new Set(['python', 'python3', 'python2', 'ruby', 'perl', 'php']);
/** Node options whose value is the next word, and what it is. */
const NODE_CODE_OPTIONS = new Set(['-e', '--eval', '-p', '--print']);
const NODE_MODULE_OPTIONS = new Set(['-r', '--require', '--import', '--loader', '--experimental-loader']);
const NODE_VALUE_OPTIONS = new Set(['--input-type', '-C', '--conditions', '--env-file', '--title', '--stack-size', '--cpu-prof-dir', '--heap-prof-dir', '--redirect-warnings', '--watch-path', '--inspect-port', '--openssl-config']);
/** Nesting of `sh -c "…"` commands followed. */
const MAX_DEPTH = 4;
/**
 * Entries kept per command line or gyp file: past it the list ends with one more, which the
 * reader's bound on what it follows then reports (`hook-files.ts`), instead of a silent cut.
 */
const MAX_ENTRIES = 16_384;

/** A path or specifier written as Node reads a main script: `setup` is `./setup`, not a package. */
function asMainScript(word: string): string {
  return word.startsWith('./') || word.startsWith('../') || word.startsWith('/') || word === '.' || word === '..' ? word : `./${word}`;
}

function optionValue(words: readonly string[], i: number): { value: string | null; next: number } {
  const w = words[i] as string;
  const eq = w.indexOf('=');
  if (w.startsWith('--') && eq !== -1) return { value: w.slice(eq + 1), next: i + 1 };
  return { value: words[i + 1] ?? null, next: i + 2 };
}

function nodeRuns(words: readonly string[], out: CommandEntry[]): void {
  let i = 1;
  if (baseName(words[0] as string) === 'deno' && words[1] === 'run') i = 2;
  if (baseName(words[0] as string) === 'bun' && words[1] === 'run') i = 2;
  while (i < words.length) {
    const w = words[i] as string;
    // Short options combine (`node -pe "…"`): the last one takes the next word.
    const combined = /^-[A-Za-z]{2,}$/.test(w) ? `-${w.slice(-1)}` : null;
    const name = combined ?? (w.startsWith('--') && w.includes('=') ? w.slice(0, w.indexOf('=')) : w);
    if (NODE_CODE_OPTIONS.has(name)) {
      const { value } = combined === null ? optionValue(words, i) : { value: words[i + 1] ?? null };
      if (value !== null) for (const spec of moduleSpecifiers(value)) out.push({ spec, node: true });
      // `node -e CODE args…`: the code is the program, the rest are its arguments.
      return;
    }
    if (NODE_MODULE_OPTIONS.has(name)) {
      const { value, next } = combined === null ? optionValue(words, i) : { value: words[i + 1] ?? null, next: i + 2 };
      if (value !== null) out.push({ spec: value, node: true });
      i = next;
      continue;
    }
    if (NODE_VALUE_OPTIONS.has(name) && !w.includes('=')) {
      i += 2;
      continue;
    }
    if (w === '--') {
      i++;
      break;
    }
    if (w.startsWith('-') && w !== '-') {
      i++;
      continue;
    }
    break;
  }
  const main = words[i];
  if (main !== undefined && main !== '-') out.push({ spec: asMainScript(main), node: true });
}

function commandRuns(words: readonly string[], depth: number, out: CommandEntry[]): void {
  const w = commandProper(words);
  const first = w[0];
  if (first === undefined) return;
  const cmd = baseName(first);
  if (NODE_RUNNERS.has(cmd)) {
    nodeRuns(w, out);
    return;
  }
  if (SHELLS.has(cmd) || INTERPRETERS.has(cmd)) {
    for (let i = 1; i < w.length; i++) {
      const a = w[i] as string;
      if (SHELLS.has(cmd) && a === '-c') {
        if (depth < MAX_DEPTH && w[i + 1] !== undefined) for (const inner of shellCommands(w[i + 1] as string)) commandRuns(inner, depth + 1, out);
        return;
      }
      if (a.startsWith('-')) continue;
      out.push({ spec: a, node: false });
      return;
    }
    return;
  }
  // A file run directly: `./setup.sh`, `bin/install`.
  if (first.includes('/') && !first.startsWith('/')) out.push({ spec: first, node: false });
}

/** The files and modules one command line runs from the package. */
export function commandEntries(command: string): CommandEntry[] {
  const out: CommandEntry[] = [];
  for (const words of shellCommands(command)) {
    commandRuns(words, 0, out);
    if (out.length > MAX_ENTRIES) break;
  }
  return out;
}

/**
 * `<!(cmd)` and `<!@(cmd)` in a gyp file: commands gyp runs, with one level of parentheses inside
 * (`<!(node -p "require('node-addon-api').include")`). The alternatives cannot overlap, so the
 * match is linear.
 */
const GYP_EXPANSION = /<!@?\(((?:[^()\n]|\([^()\n]{0,4096}\)){1,4096})\)/g;

/** An action's command list opens, `'action': ['node', 'gen.js', '<@(_inputs)']`: make runs it while node-gyp builds. */
const GYP_ACTION = /['"]action['"]\s{0,64}:\s{0,64}\[/g;
/** `'includes': ['common.gypi']` opens: gyp reads those files as part of this one. */
const GYP_INCLUDES = /['"]includes['"]\s{0,64}:\s{0,64}\[/g;
/** A list longer than this is not read. */
const MAX_GYP_LIST = 4096;
const GYP_STRING = /'([^'\n]{0,1024})'|"([^"\n]{0,1024})"/g;

/**
 * The text of each list that `opens` (a key, its colon and `[`) begins, up to the first `]` and
 * at most MAX_GYP_LIST characters, as `/…\[([^\]]{0,4096})\]/g` matches them: a key whose list is
 * longer is passed over, and the search goes on from the next character. Not that expression: each
 * key scanned up to 4,096 characters for its `]` and back, over the keys after it (a 4 MiB
 * binding.gyp of `'action':[x` took 5.2 s of CPU, and an artifact's install code is read up to
 * 16 MiB). Here the first `]` after a list's start is looked for once and kept for the keys
 * before it.
 */
function* gypLists(gyp: string, opens: RegExp): Generator<string> {
  const key = new RegExp(opens);
  let close = -1;
  for (let m = key.exec(gyp); m !== null; m = key.exec(gyp)) {
    const start = m.index + m[0].length;
    if (close < start) close = gyp.indexOf(']', start);
    if (close === -1) return;
    if (close - start <= MAX_GYP_LIST) {
      yield gyp.slice(start, close);
      key.lastIndex = close + 1;
    } else key.lastIndex = m.index + 1;
  }
}

function gypStrings(list: string): string[] {
  return [...list.matchAll(GYP_STRING)].map((m) => m[1] ?? m[2] ?? '');
}

/** The commands a gyp file runs: its command expansions, and its actions' command lists. */
export function gypCommands(gyp: string): string[] {
  const out: string[] = [];
  for (const m of gyp.matchAll(GYP_EXPANSION)) {
    out.push(m[1] as string);
    if (out.length > MAX_ENTRIES) return out;
  }
  for (const list of gypLists(gyp, GYP_ACTION)) {
    out.push(gypStrings(list).map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(' '));
    if (out.length > MAX_ENTRIES) return out;
  }
  return out;
}

/** The files a gyp file includes (`.gypi`), relative to it. */
export function gypIncludes(gyp: string): string[] {
  const out: string[] = [];
  for (const list of gypLists(gyp, GYP_INCLUDES)) {
    out.push(...gypStrings(list));
    if (out.length > MAX_ENTRIES) break;
  }
  return out.slice(0, MAX_ENTRIES + 1);
}
