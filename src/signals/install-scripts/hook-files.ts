/**
 * The files install hooks run, read out of the artifact and followed the way they load each
 * other: a hook's entries (`entries.ts`) are resolved as Node resolves them — `./setup` is
 * `setup`, `setup.js`, `setup.cjs`, `setup.mjs` or a folder's `package.json` main, `exports`
 * and `index` file; a package name is a folder of `node_modules` inside the archive (a bundled
 * package) or the package itself — and every JavaScript file read adds the literal specifiers it
 * loads (`js-requires.ts`), a shell script the commands it runs, a gyp file the commands of its
 * expansions and actions and the files it includes. A specifier that resolves to nothing in the archive (a Node built-in, a
 * dependency installed beside the package, a missing file) is not followed: dependencies are
 * judged as packages of their own.
 *
 * Bounded in rounds (one pass over the archive each), in files and in bytes; whatever a bound
 * leaves unread or reads only in part is reported, so the policy can hold code Airlock did not
 * see in full instead of allowing it.
 */
import { builtinModules } from 'node:module';
import { isPlainObject } from '../../core/index.ts';
import { commandEntries, gypCommands, gypIncludes, type CommandEntry } from './entries.ts';
import { moduleSpecifiers } from './js-requires.ts';

export interface ArchiveFile {
  /** The file's first bytes, up to the read's bounds. */
  readonly bytes: Buffer;
  /** Its whole size in the archive. */
  readonly size: number;
}

/** How much of the files one read keeps. */
export interface ArchiveReadBounds {
  /** Bytes kept of each file. */
  readonly maxBytesEach: number;
  /** Bytes kept of all files together; files past it come back empty, with their size. */
  readonly maxTotalBytes: number;
}

/** Reads named package-relative files of the artifact within the bounds (the gate's `ArtifactContent.readFiles`). */
export type ReadArchiveFiles = (paths: readonly string[], bounds: ArchiveReadBounds) => Promise<ReadonlyMap<string, ArchiveFile>>;

export interface HookFileLimits {
  /** Files read in all. */
  readonly maxFiles: number;
  /** Artifact bytes walked in all passes together: a big artifact gets fewer passes. */
  readonly maxWalkBytes: number;
  /** Bytes read of each file. */
  readonly maxBytesEach: number;
  /** Bytes read in all. */
  readonly maxTotalBytes: number;
  /** Passes over the archive: how deep loads are followed. */
  readonly maxRounds: number;
}

/**
 * Sized so that the install code of the popular packages with install hooks is read to the end:
 * nx's post-install loads 271 files (2.2 MB) over 11 passes of its 5.9 MB tarball, read and
 * analysed in 1.06 s against 0.15 s for the inspection pass; cypress's 22 files take 5 passes
 * (`npm run bench:install-code`). A pass walks the whole archive, so the passes are bounded in
 * bytes as well.
 */
export const DEFAULT_HOOK_FILE_LIMITS: HookFileLimits = {
  maxFiles: 512,
  maxWalkBytes: 256 * 1024 * 1024,
  maxBytesEach: 4 * 1024 * 1024,
  maxTotalBytes: 16 * 1024 * 1024,
  maxRounds: 16,
};

/** Candidate paths asked for per pass (a package name alone is 7 per `node_modules` folder above). */
const MAX_CANDIDATES = 4096;
/** Unread entries listed (all are counted as unread by the list being non-empty). */
const MAX_LISTED = 32;
/** Distinct things to load followed in all; past it the rest is reported unread. */
const MAX_WANTS = 16_384;

/** Where a hook's command runs: the package's folder (`''`) or a bundled package's. */
export interface HookStart {
  readonly folder: string;
  readonly entries: readonly CommandEntry[];
}

export interface HookFiles {
  /** Path → text of every file read, in the order found. */
  readonly files: ReadonlyMap<string, string>;
  /** Files read only in part (longer than a bound allowed). */
  readonly truncated: readonly string[];
  /** What the bounds left unread (specifiers or paths, the first `MAX_LISTED`). */
  readonly unread: readonly string[];
}

type Want = { readonly spec: string; readonly node: boolean; readonly fromDir: string; readonly startFolder: string };

const BUILTINS = new Set(builtinModules);
const utf8 = new TextDecoder('utf-8', { fatal: false });
const NODE_EXTENSIONS = ['', '.js', '.cjs', '.mjs'];
const INDEX_FILES = ['index.js', 'index.cjs', 'index.mjs'];
const SCRIPT_FILE = /\.(?:c?js|mjs|ts|cts|mts)$/;
const SHELL_FILE = /\.(?:sh|bash|zsh|command)$/;

function joinPath(dir: string, rel: string): string | null {
  const parts = dir === '' ? [] : dir.split('/');
  for (const part of rel.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      // Above the archive's root is outside the package: not Airlock's to read.
      if (parts.length === 0) return null;
      parts.pop();
    } else parts.push(part);
  }
  return parts.join('/');
}

function dirOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? '' : path.slice(0, slash);
}

function under(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

/** The folders a bare specifier may resolve to, nearest first (Node's node_modules lookup). */
function packageFolders(spec: string, fromDir: string, selfName: string): string[] {
  const parts = spec.split('/');
  const nameLen = spec.startsWith('@') ? 2 : 1;
  const name = parts.slice(0, nameLen).join('/');
  const sub = parts.slice(nameLen).join('/');
  const out: string[] = [];
  if (name === selfName) out.push(sub);
  const dirs = fromDir === '' ? [] : fromDir.split('/');
  for (let n = dirs.length; n >= 0; n--) {
    if (n > 0 && dirs[n - 1] === 'node_modules') continue;
    const folder = under(under(dirs.slice(0, n).join('/'), 'node_modules'), name);
    out.push(sub === '' ? folder : `${folder}/${sub}`);
  }
  return out;
}

/** A file tried for a want; `folder`: a folder's package.json, read for its entry points. */
interface Candidate {
  readonly path: string;
  readonly folder: boolean;
}

const file = (path: string): Candidate => ({ path, folder: false });

/** Where a want may be found: each base path with the files tried for it, in Node's order. */
function candidates(want: Want, selfName: string): Candidate[][] {
  if (!want.node) {
    const p = want.spec.startsWith('/') ? null : joinPath(want.fromDir, want.spec);
    return p === null || p === '' ? [] : [[file(p)]];
  }
  const spec = want.spec;
  if (spec.startsWith('node:') || BUILTINS.has(spec)) return [];
  let bases: string[];
  if (spec === '.' || spec === '..' || spec.startsWith('./') || spec.startsWith('../')) {
    const p = joinPath(want.fromDir, spec);
    bases = p === null ? [] : [p];
  } else if (spec.startsWith('/') || /^[A-Za-z][A-Za-z+.-]*:/.test(spec)) {
    return [];
  } else {
    bases = packageFolders(spec, want.fromDir, selfName);
  }
  return bases.map((p) => [
    ...(p === '' ? [] : NODE_EXTENSIONS.map((ext) => file(p + ext))),
    { path: under(p, 'package.json'), folder: true },
    ...INDEX_FILES.map((f) => file(under(p, f))),
  ]);
}

/** The entry points a folder's package.json names: `main` and every fixed `exports` target. */
function packageEntries(text: string): string[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    return [];
  }
  if (!isPlainObject(doc)) return [];
  const out: string[] = [];
  const main = doc['main'];
  if (typeof main === 'string' && main !== '') out.push(main.startsWith('./') || main.startsWith('../') ? main : `./${main}`);
  const visit = (v: unknown, depth: number): void => {
    if (out.length >= 64 || depth > 8) return;
    if (typeof v === 'string') {
      if (v.startsWith('./') && !v.includes('*')) out.push(v);
    } else if (typeof v === 'object' && v !== null) {
      for (const x of Array.isArray(v) ? v : Object.values(v)) visit(x, depth + 1);
    }
  };
  visit(doc['exports'], 0);
  return out;
}

/** What a file read adds: the loads of a script, the commands of a shell script or a gyp file. */
function followUps(path: string, text: string, want: Want): Want[] {
  const entry = (e: CommandEntry): Want => ({ spec: e.spec, node: e.node, fromDir: want.startFolder, startFolder: want.startFolder });
  if (path.endsWith('.json')) return [];
  if (path.endsWith('.gyp') || path.endsWith('.gypi')) {
    // gyp runs a file's expansions and actions, and reads its includes, relative to the file.
    const here = (e: CommandEntry): Want => ({ spec: e.spec, node: e.node, fromDir: dirOf(path), startFolder: want.startFolder });
    return [...gypCommands(text).flatMap(commandEntries), ...gypIncludes(text).map((spec) => ({ spec, node: false }))].map(here);
  }
  if (want.node || SCRIPT_FILE.test(path)) return moduleSpecifiers(text).map((spec) => ({ spec, node: true, fromDir: dirOf(path), startFolder: want.startFolder }));
  if (SHELL_FILE.test(path) || text.startsWith('#!/bin/sh') || text.startsWith('#!/bin/bash') || text.startsWith('#!/usr/bin/env bash')) {
    return commandEntries(text).map(entry);
  }
  return [];
}

/**
 * Reads the files the hooks run, following what they load; see the module comment. `archiveBytes`
 * is the artifact's size, which each pass walks.
 */
export async function readHookFiles(
  starts: readonly HookStart[],
  read: ReadArchiveFiles,
  selfName: string,
  archiveBytes: number,
  limits: HookFileLimits = DEFAULT_HOOK_FILE_LIMITS,
): Promise<HookFiles> {
  const files = new Map<string, string>();
  const truncated: string[] = [];
  const unread: string[] = [];
  const asked = new Set<string>();
  /** Every file a pass returned, chosen or not (a later want may resolve to it). */
  const got = new Map<string, ArchiveFile>();
  const seenWants = new Set<string>();
  let bytes = 0;
  let pending: Want[] = [];
  let overflow = false;
  const want = (w: Want): void => {
    const key = `${w.node ? 'n' : 'f'}\0${w.fromDir}\0${w.spec}`;
    if (seenWants.has(key)) return;
    if (seenWants.size >= MAX_WANTS) {
      if (!overflow && unread.length < MAX_LISTED) unread.push(`more than ${MAX_WANTS} files and modules to follow`);
      overflow = true;
      return;
    }
    seenWants.add(key);
    pending.push(w);
  };
  for (const s of starts) for (const e of s.entries) want({ spec: e.spec, node: e.node, fromDir: s.folder, startFolder: s.folder });

  for (let round = 0; pending.length > 0; round++) {
    const wants = pending;
    pending = [];
    const walked = round * archiveBytes;
    if (round >= limits.maxRounds || walked + archiveBytes > limits.maxWalkBytes || files.size >= limits.maxFiles || bytes >= limits.maxTotalBytes) {
      for (const w of wants) if (candidates(w, selfName).length > 0 && unread.length < MAX_LISTED) unread.push(w.spec);
      break;
    }
    const resolved: { readonly w: Want; readonly bases: Candidate[][] }[] = [];
    const paths = new Set<string>();
    for (const w of wants) {
      const bases = candidates(w, selfName);
      const fresh = bases.flat().filter((c) => !asked.has(c.path) && !paths.has(c.path));
      // Past the candidates one pass asks for, a want waits for the next pass (or is left unread
      // when the passes run out) rather than being looked up in part.
      if (paths.size + fresh.length > MAX_CANDIDATES) pending.push(w);
      else {
        for (const c of fresh) paths.add(c.path);
        resolved.push({ w, bases });
      }
    }
    for (const p of paths) asked.add(p);
    const fresh = paths.size === 0 ? new Map<string, ArchiveFile>() : await read([...paths], { maxBytesEach: limits.maxBytesEach, maxTotalBytes: limits.maxTotalBytes - bytes });
    for (const [path, f] of fresh) {
      got.set(path, f);
      bytes += f.bytes.length;
    }
    for (const { w, bases } of resolved) {
      for (const list of bases) {
        const hit = list.find((c) => got.has(c.path));
        if (hit === undefined) continue;
        const found = hit.path;
        if (files.has(found)) break;
        if (files.size >= limits.maxFiles) {
          if (unread.length < MAX_LISTED) unread.push(found);
          break;
        }
        const file = got.get(found) as ArchiveFile;
        if (file.bytes.length < file.size) truncated.push(found);
        const text = utf8.decode(file.bytes);
        if (hit.folder) {
          // A folder: its package.json's entry points, then its index files, next round.
          const folder = dirOf(found);
          for (const e of packageEntries(text)) want({ spec: e, node: true, fromDir: folder, startFolder: w.startFolder });
          for (const f of INDEX_FILES) if (got.has(under(folder, f))) want({ spec: `./${f}`, node: true, fromDir: folder, startFolder: w.startFolder });
          break;
        }
        files.set(found, text);
        for (const next of followUps(found, text, w)) want(next);
        break;
      }
    }
  }
  return { files, truncated, unread };
}
