/**
 * Runs scans in worker threads so hostile files never block the server's event loop. Each scan
 * has a hard deadline: when it passes, the worker is terminated (whatever it was stuck in) and
 * replaced, and the file gets an `unscannable` result — a time-out never turns into a pass.
 * Workers start on the first scan that needs one (a pool nothing scans with costs no thread and
 * no memory), and a worker that died or was killed is replaced when the next scan comes.
 */
import { getCompileCacheDir } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';
import { isMarkedAsUntransferable, Worker } from 'node:worker_threads';
import type { ByteSource, FileScanResult } from '../types.ts';
import { finding } from '../engine/findings.ts';
import { resolveLimits } from '../engine/limits.ts';
import type { RangeAnswer, WorkerRequest, WorkerResponse, WorkerScanOptions } from './protocol.ts';

export interface ScanPoolOptions {
  /** Worker threads (default: available parallelism, at most 4). */
  readonly size?: number;
  /** Extra time past the scan's own `timeoutMs` before the worker is killed. Default 5 s. */
  readonly graceMs?: number;
  /** Heap limit per worker in MB (default 512). */
  readonly maxHeapMb?: number;
  /** The workers' script (default: the scanner's entry); a test gives one that wraps it. */
  readonly entry?: URL;
}

interface Job {
  readonly request: WorkerRequest;
  readonly deadlineMs: number;
  readonly resolve: (r: FileScanResult) => void;
  readonly transfer: ArrayBuffer[];
  /** A `source` request's bytes, read here for the worker. */
  readonly source: ByteSource | null;
  /** Whether the bytes `source` reads are the pool's to hand over (else copied). */
  readonly handOver: boolean;
}

interface Slot {
  worker: Worker | undefined;
  job: Job | undefined;
  timer: NodeJS.Timeout | undefined;
}

type Task = WorkerRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

export const WORKER_ENTRY = new URL('./worker-entry.ts', import.meta.url);

/**
 * A worker's first code (run as given): the compile cache this thread uses turned on in
 * the worker too, then `entry`. A worker is a Node instance of its own: without it, every worker
 * started strips the scanner's TypeScript with a stripper of its own, which stays loaded with it.
 * The cache is written once the entry has loaded (src/cli/prime-compile-cache.ts fills it ahead).
 * `npm run bench:start` measures a worker started this way against one started from its entry.
 */
export function workerBoot(entry: URL): string {
  const dir = getCompileCacheDir();
  const cache = dir === undefined ? '' : `m.enableCompileCache(${JSON.stringify(dirname(dir))});`;
  // process.getBuiltinModule, not require: the code runs as a module when the process was started with --input-type=module.
  return `const m = process.getBuiltinModule('node:module');${cache}import(${JSON.stringify(entry.href)}).then(() => m.flushCompileCache());`;
}

/**
 * How long a new worker may take to start before its first scan's deadline begins: starting one
 * (a thread, a V8 isolate, the scanner's modules) takes about 0.2 s, which is not the file's time.
 * A worker that never comes up still fails the scan, after this plus the deadline.
 */
const START_GRACE_MS = 30_000;

function late(job: Job): string {
  return `scan did not finish within ${job.deadlineMs} ms; worker terminated`;
}

function failed(path: string, rule: string, message: string): FileScanResult {
  return { path, format: 'unknown', verdict: 'unscannable', findings: [finding(rule, 'unscannable', message, {})] };
}

/** Whether the view is the whole of a buffer that may be handed to another thread. */
function ownsBuffer(bytes: Uint8Array): bytes is Uint8Array<ArrayBuffer> {
  const { buffer } = bytes;
  return buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === buffer.byteLength && !isMarkedAsUntransferable(buffer);
}

/**
 * Bytes to hand to a worker: these, when the caller gives them away (`transfer`) and they are the
 * whole of a buffer that may move; else a copy of their own (a view such as a Buffer's slice, or
 * memory the caller keeps, would be detached or handed over with more than these bytes).
 */
function toHandOver(bytes: Uint8Array, transfer: boolean): Uint8Array<ArrayBuffer> {
  return transfer && ownsBuffer(bytes) ? bytes : new Uint8Array(bytes);
}

export class ScanWorkerPool {
  readonly #slots: Slot[] = [];
  readonly #queue: Job[] = [];
  readonly #graceMs: number;
  readonly #maxHeapMb: number;
  readonly #entry: URL;
  #nextId = 1;
  #closed = false;

  constructor(options: ScanPoolOptions = {}) {
    const size = Math.max(1, options.size ?? Math.min(4, availableParallelism()));
    this.#graceMs = options.graceMs ?? 5000;
    this.#maxHeapMb = options.maxHeapMb ?? 512;
    this.#entry = options.entry ?? WORKER_ENTRY;
    for (let i = 0; i < size; i++) this.#slots.push({ worker: undefined, job: undefined, timer: undefined });
  }

  /** Worker threads running now (0 until the first scan, and after `close`). */
  get workers(): number {
    return this.#slots.filter((s) => s.worker !== undefined).length;
  }

  /** Starts the slot's worker; events of a replaced worker are ignored. */
  #start(slot: Slot): Worker {
    const worker = new Worker(workerBoot(this.#entry), { eval: true, resourceLimits: { maxOldGenerationSizeMb: this.#maxHeapMb } });
    worker.unref();
    slot.worker = worker;
    worker.on('message', (msg: WorkerResponse) => {
      const job = slot.job;
      if (msg.kind === 'ready') {
        if (slot.worker === worker && job !== undefined) this.#arm(slot, job, job.deadlineMs, late(job));
        return;
      }
      if (slot.worker !== worker || job === undefined || job.request.id !== msg.id) return;
      if (msg.kind === 'read') this.#read(slot, worker, job, msg);
      else this.#finish(slot, msg.ok ? msg.result : failed(job.request.path, 'scan.error', `scanner error: ${msg.error}`));
    });
    const onDeath = (why: string): void => {
      if (slot.worker !== worker || this.#closed) return;
      const job = slot.job;
      if (job !== undefined) this.#finish(slot, failed(job.request.path, 'scan.error', `scan worker died: ${why}`), true);
      else slot.worker = undefined;
    };
    worker.on('error', (err) => onDeath(err.message));
    worker.on('exit', (code) => onDeath(`exit code ${code}`));
    return worker;
  }

  /** Reads a range of a `source` job's bytes for its worker; an answer for a job that has ended is dropped. */
  #read(slot: Slot, worker: Worker, job: Job, msg: Extract<WorkerResponse, { kind: 'read' }>): void {
    const { id, seq, offset, length } = msg;
    const answer = (a: RangeAnswer, transfer: ArrayBuffer[] = []): void => {
      if (slot.worker !== worker || slot.job !== job) return;
      try {
        worker.postMessage(a, transfer);
      } catch (err) {
        this.#finish(slot, failed(job.request.path, 'scan.error', `cannot hand read bytes to the scan worker: ${err instanceof Error ? err.message : String(err)}`), true);
      }
    };
    const source = job.source;
    if (source === null || !Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > source.size) {
      answer({ id, kind: 'range', seq, ok: false, error: `no bytes ${offset}+${length} to read for this scan` });
      return;
    }
    source.read(offset, length).then(
      (bytes) => {
        const data = toHandOver(bytes, job.handOver);
        answer({ id, kind: 'range', seq, ok: true, bytes: data }, [data.buffer]);
      },
      (err: unknown) => answer({ id, kind: 'range', seq, ok: false, error: err instanceof Error ? err.message : String(err) }),
    );
  }

  #finish(slot: Slot, result: FileScanResult, replace = false): void {
    const job = slot.job;
    if (slot.timer !== undefined) clearTimeout(slot.timer);
    slot.timer = undefined;
    slot.job = undefined;
    if (replace) {
      // Killed or dead: the next scan starts a new worker.
      void slot.worker?.terminate();
      slot.worker = undefined;
    } else slot.worker?.unref();
    job?.resolve(result);
    this.#pump();
  }

  /** Ends the job's scan as timed out (and its worker) `ms` from now, instead of when it was due. */
  #arm(slot: Slot, job: Job, ms: number, why: string): void {
    if (slot.timer !== undefined) clearTimeout(slot.timer);
    slot.timer = setTimeout(() => this.#finish(slot, failed(job.request.path, 'scan.timeout', why), true), ms);
  }

  #pump(): void {
    for (const slot of this.#slots) {
      if (slot.job !== undefined) continue;
      const job = this.#queue.shift();
      if (job === undefined) return;
      slot.job = job;
      const started = slot.worker === undefined;
      const worker = slot.worker ?? this.#start(slot);
      worker.ref();
      // A new worker's start is not the file's time: the deadline begins when it is ready.
      if (started) this.#arm(slot, job, START_GRACE_MS + job.deadlineMs, `the scan worker did not start within ${START_GRACE_MS} ms; worker terminated`);
      else this.#arm(slot, job, job.deadlineMs, late(job));
      try {
        worker.postMessage(job.request, job.transfer);
      } catch (err) {
        this.#finish(slot, failed(job.request.path, 'scan.error', `cannot hand the scan to a worker: ${err instanceof Error ? err.message : String(err)}`));
      }
    }
  }

  #submit(request: Task, transfer: ArrayBuffer[], source: ByteSource | null = null, handOver = false): Promise<FileScanResult> {
    if (this.#closed) return Promise.resolve(failed(request.path, 'scan.error', 'scan pool is closed'));
    const limits = resolveLimits(request.options.limits);
    return new Promise<FileScanResult>((resolve) => {
      this.#queue.push({
        request: { ...request, id: this.#nextId++ } as WorkerRequest,
        deadlineMs: limits.timeoutMs + this.#graceMs,
        resolve,
        transfer,
        source,
        handOver,
      });
      this.#pump();
    });
  }

  /**
   * Scans a file by path in a worker, under `name` (its path by default). Never rejects: failures
   * are `unscannable` results.
   */
  scanFile(path: string, options: WorkerScanOptions = {}, name = path): Promise<FileScanResult> {
    return this.#submit({ kind: 'file', path: name, file: path, options }, []);
  }

  /**
   * Scans bytes in a worker (copied; pass `transfer: true` to hand the buffer over instead, which
   * detaches it here). Bytes that do not own their whole buffer (a view into a larger one, Node's
   * shared pool) are copied whatever `transfer` says: handing the buffer over would hand over (and
   * detach) more than these bytes.
   */
  scanBytes(bytes: Uint8Array, path: string, options: WorkerScanOptions = {}, transfer = false): Promise<FileScanResult> {
    const data = toHandOver(bytes, transfer);
    return this.#submit({ kind: 'bytes', path, bytes: data, options }, [data.buffer]);
  }

  /**
   * Scans bytes only this thread can read (a remote store's object, read by range) in a worker:
   * the worker asks for each range it needs, this thread reads it and hands it over. The event loop
   * turns while reads wait, and whatever decodes the bytes (a member inflated in one synchronous
   * run) holds the worker's thread, not this one. A read that fails fails the scan's read, as it
   * would here; a source that never answers is the deadline's to end. Each range read is copied to
   * be handed over; `transfer: true` says the source's reads return fresh bytes nobody else holds
   * (a store's range reads), which are then handed over as they are when they own their buffer.
   */
  scanSource(source: ByteSource, path: string, options: WorkerScanOptions = {}, transfer = false): Promise<FileScanResult> {
    return this.#submit({ kind: 'source', path, size: source.size, options }, [], source, transfer);
  }

  /** Ends every scan (each `unscannable`) and stops the workers; resolves once they have exited. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const job of this.#queue.splice(0)) job.resolve(failed(job.request.path, 'scan.error', 'scan pool closed'));
    await Promise.all(
      this.#slots.map(async (s) => {
        if (s.timer !== undefined) clearTimeout(s.timer);
        s.job?.resolve(failed(s.job.request.path, 'scan.error', 'scan pool closed'));
        s.job = undefined;
        const worker = s.worker;
        s.worker = undefined;
        await worker?.terminate();
      }),
    );
  }
}
