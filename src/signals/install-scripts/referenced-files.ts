/**
 * Files an install command runs (`node install.js`, `sh ./setup.sh`, `python3 scripts/x.py`), so
 * the artifact phase can read them from the tarball and analyse their content too. Paths are
 * normalised and confined to the package: absolute paths and `..` are dropped.
 */
import type { InstallHook } from './types.ts';

const RUNNERS = /(?:^|[;&|(\s])(?:node|nodejs|sh|bash|zsh|python3?|ruby|perl|bun|deno(?:\s+run)?|tsx|ts-node)\s+(?:-[\w-]+\s+)*["']?([\w@./-]+\.(?:c?js|mjs|ts|sh|py|rb|pl))["']?/g;
const DIRECT = /(?:^|[;&|(\s])\.\/([\w@./-]+)/g;

function normalise(path: string): string | null {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') return null;
    parts.push(part);
  }
  return parts.length === 0 ? null : parts.join('/');
}

export function referencedScriptFiles(hooks: readonly InstallHook[]): string[] {
  const out = new Set<string>();
  for (const hook of hooks) {
    if (hook.kind !== 'npm-lifecycle') continue;
    const text = hook.content.slice(0, 4096);
    for (const re of [RUNNERS, DIRECT]) {
      for (const m of text.matchAll(re)) {
        const raw = m[1];
        if (raw === undefined || raw.startsWith('/')) continue;
        const path = normalise(raw);
        if (path !== null) out.add(path);
      }
    }
  }
  return [...out].sort();
}
