/**
 * The extended headers before a tar entry, applied as Python's tarfile applies them (tar.ts says
 * what that is and how it was checked): a local header's records, over the global ones as they
 * were when it was read, to the next entry, the first header that names or sizes it winning;
 * global records to every later entry. Only the records that name or size an entry are kept,
 * and all global records together are bounded, so `g` headers cannot grow memory.
 */
import { ScanLimitError, ScanUnscannableError } from '../../engine/errors.ts';
import { isUstar, tarName, tarString } from '../../../core/tar/header.ts';
import type { TarExtensionKind } from '../../../core/tar/pax.ts';
import { parseTarfilePax, pythonInt } from '../../../core/tar/pax-tarfile.ts';
import { trimTrailing } from '../../../core/trim.ts';

const SPARSE_KEY = 'GNU.sparse.';
const selectKey = (key: string): boolean => key === 'path' || key === 'size' || key.startsWith(SPARSE_KEY);
const rstripSlashes = (s: string): string => trimTrailing(s, '/');

/** An entry's name and size as tarfile gives them, and the size that places the next header. */
export interface TarfileEntry {
  readonly name: string;
  readonly size: number;
  readonly framed: number;
}

export class TarfileHeaders {
  readonly #maxBytes: number;
  readonly #anomalies: string[];
  // For the next entry: the first name and local pax size set, how many headers named it, bytes read.
  #name: string | undefined;
  #longName = false;
  #size: number | undefined;
  #namers = 0;
  #bytes = 0;
  #globalPath: string | undefined;
  #globalSize: number | undefined;
  #globalBytes = 0;
  /** Kinds of anomaly already recorded: each once per archive, so a flood of headers adds none. */
  readonly #reported = new Set<string>();

  constructor(maxBytes: number, anomalies: string[]) {
    this.#maxBytes = maxBytes;
    this.#anomalies = anomalies;
  }

  /** Counts an extended header of `size` bytes at `offset` before its data is read; throws past the bounds. */
  reserve(kind: TarExtensionKind, size: number, offset: number): void {
    const max = this.#maxBytes;
    if (kind !== 'pax-global') {
      this.#bytes += size;
      if (this.#bytes > max) throw new ScanLimitError('maxHeaderBytes', `tar extended headers of more than ${max} bytes for one entry`, 'local', offset);
      return;
    }
    this.#globalBytes += size;
    if (this.#globalBytes > max) throw new ScanLimitError('maxHeaderBytes', `tar global pax headers of more than ${max} bytes in all`, 'local', offset);
  }

  /** Takes the data of an extended header of `own` bytes, read to the end of its last block as tarfile reads it. */
  take(kind: TarExtensionKind, data: Uint8Array, own: number, offset: number): void {
    if (data.subarray(own).some((x) => x !== 0)) this.once('padding', `extended header at ${offset} has bytes in its padding: Python's tarfile reads them, tar does not`);
    if (kind === 'gnu-longname') {
      this.#named(tarString(data, 0, data.length), true);
      return;
    }
    if (kind === 'gnu-longlink') return;
    const pax = parseTarfilePax(data, selectKey);
    if (pax.malformed !== null) {
      const readers = pax.refused ? "Python's tarfile refuses it too (its archive ends there or does not open); the records before the bad one apply" : "listed as Python's tarfile read it before its stricter parser (3.13), which refuses it";
      this.once(pax.refused ? 'refused' : 'malformed', `pax header at ${offset}: ${pax.malformed}; ${readers}`);
    }
    for (const key of pax.records.keys()) {
      if (key.startsWith(SPARSE_KEY)) throw new ScanUnscannableError('tar.sparse', `pax header at ${offset} has ${key}: Python's tarfile rebuilds the entry from a sparse map the scanner does not read`, offset);
    }
    const path = pax.records.get('path');
    const size = pax.records.get('size');
    const sized = size === undefined ? undefined : (pythonInt(size, 'size', offset) ?? 0);
    if (kind === 'pax') {
      const name = path ?? this.#globalPath;
      if (name !== undefined) this.#named(rstripSlashes(name), false);
      this.#size ??= sized ?? this.#globalSize;
      return;
    }
    if (path !== undefined) this.#globalPath = path;
    if (sized !== undefined) this.#globalSize = sized;
    for (const key of ['path', 'size']) {
      if (pax.records.has(key)) this.once(`global ${key}`, `global pax header at ${offset} sets ${key}: Python's tarfile applies it to every later entry without one of its own`);
    }
  }

  /** The entry whose header `h` at `offset` is, of tarfile's `type` and header size `own`; clears what was pending. */
  entry(h: Uint8Array, offset: number, type: string, own: number): TarfileEntry {
    const dir = type === '5';
    let name: string;
    if (this.#name !== undefined) name = this.#longName && dir ? this.#name.replace(/\/$/, '') : this.#name;
    else if (this.#globalPath !== undefined) name = rstripSlashes(this.#globalPath);
    else name = dir ? rstripSlashes(tarName(h)) : tarName(h);
    if (!isUstar(h) && h[345] !== 0) this.once('prefix', `tar header at ${offset} has a path prefix without the ustar magic: Python's tarfile joins it to the name, tar does not`);
    if (this.#namers > 1) this.once('names', `entry ${name} at ${offset} is named by more than one extended header: listed as Python's tarfile names it, by the first`);
    const entry = { name, size: this.#size ?? this.#globalSize ?? own, framed: this.#size ?? own };
    this.#name = undefined;
    this.#longName = false;
    this.#size = undefined;
    this.#namers = 0;
    this.#bytes = 0;
    return entry;
  }

  /** Records an anomaly of `kind` unless one was recorded; the walker's own go through it too. */
  once(kind: string, message: string): void {
    if (this.#reported.has(kind)) return;
    this.#reported.add(kind);
    this.#anomalies.push(message);
  }

  #named(name: string, longName: boolean): void {
    this.#namers++;
    if (this.#name !== undefined) return;
    this.#name = name;
    this.#longName = longName;
  }
}
