/**
 * A shell command line split into simple commands and their words, the way `sh` would split it
 * closely enough to tell what a package script runs (`node setup.js && npm run build`). Quotes and
 * backslashes are honoured; `;`, `&`, `|`, `&&`, `||`, newlines, parentheses, backquotes and
 * `$(` end a simple command, so the commands of a subshell or a substitution are listed too.
 * Redirections stay words (`2>/dev/null`). Leading `NAME=value` assignments are dropped. Linear
 * in the line's length; a line longer than `MAX_COMMAND_CHARS` (4 MiB, more than any script or
 * file the install-behaviour analysis reads) is read up to it.
 */

export const MAX_COMMAND_CHARS = 4 * 1024 * 1024;

const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

/** The simple commands of a command line, each its words (never empty). */
export function shellCommands(line: string): string[][] {
  const text = line.length > MAX_COMMAND_CHARS ? line.slice(0, MAX_COMMAND_CHARS) : line;
  const commands: string[][] = [];
  let words: string[] = [];
  let word = null as string | null;
  const endWord = (): void => {
    if (word === null) return;
    // Assignments before the command name set its environment; they are not the command.
    if (!(words.length === 0 && ASSIGNMENT.test(word))) words.push(word);
    word = null;
  };
  const endCommand = (): void => {
    endWord();
    if (words.length > 0) commands.push(words);
    words = [];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === "'") {
      const close = text.indexOf("'", i + 1);
      const end = close === -1 ? text.length : close;
      word = (word ?? '') + text.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let s: string = word ?? '';
      let j = i + 1;
      for (; j < text.length && text[j] !== '"'; j++) {
        if (text[j] === '\\' && j + 1 < text.length && '"\\$`\n'.includes(text[j + 1] as string)) j++;
        s += text[j];
      }
      word = s;
      i = j;
    } else if (c === '\\') {
      if (i + 1 < text.length && text[i + 1] !== '\n') word = (word ?? '') + text[i + 1];
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      endWord();
    } else if (c === '\n' || c === ';' || c === '&' || c === '|' || c === '(' || c === ')' || c === '`') {
      endCommand();
    } else if (c === '$' && text[i + 1] === '(') {
      endCommand();
      i++;
    } else if (c === '#' && word === null) {
      // A comment runs to the end of the line.
      const nl = text.indexOf('\n', i);
      i = nl === -1 ? text.length : nl - 1;
    } else {
      word = (word ?? '') + c;
    }
  }
  endCommand();
  return commands;
}

/** Commands that run the rest of their words as a command (`env`, `cross-env NODE_ENV=x`, `exec`). */
const WRAPPERS = new Set(['env', 'cross-env', 'cross-env-shell', 'exec', 'nohup', 'time', 'command']);

/**
 * The words of a simple command from the command it runs: wrappers, their options and their
 * assignments are skipped (`cross-env NODE_ENV=production node x.js` → `node x.js`); `--` ends a
 * wrapper's options.
 */
export function commandProper(words: readonly string[]): readonly string[] {
  let i = 0;
  while (i < words.length && WRAPPERS.has(baseName(words[i] as string))) {
    i++;
    while (i < words.length) {
      const w = words[i] as string;
      if (w === '--') {
        i++;
        break;
      }
      if (w.startsWith('-') || ASSIGNMENT.test(w)) i++;
      else break;
    }
  }
  return words.slice(i);
}

/** The last path component of a command name (`/usr/bin/node` → `node`). */
export function baseName(word: string): string {
  const slash = word.lastIndexOf('/');
  return slash === -1 ? word : word.slice(slash + 1);
}
