/** Worker thread: runs scans off the main event loop; one request at a time. */
import { parentPort, type MessagePort } from 'node:worker_threads';
import { scan, scanBytes, scanFile } from '../api.ts';
import type { ByteSource, FileScanResult } from '../types.ts';
import type { RangeAnswer, ToWorker, WorkerRequest, WorkerResponse } from './protocol.ts';

if (parentPort === null) throw new Error('worker-entry.ts must run in a worker thread');
const port = parentPort;

/**
 * A `source` request's bytes, read by the pool's thread: each read is a `read` message answered
 * by a `range` one. The pool checks nothing the scanner asks for beyond its own bounds; a read that
 * comes back longer than asked is cut, one that fails fails the scan's read.
 */
class PortSource implements ByteSource {
  readonly size: number;
  readonly #id: number;
  readonly #port: MessagePort;
  readonly #waiting = new Map<number, { resolve: (b: Uint8Array) => void; reject: (e: Error) => void; length: number }>();
  #seq = 0;

  constructor(port: MessagePort, id: number, size: number) {
    this.#port = port;
    this.#id = id;
    this.size = size;
  }

  read(offset: number, length: number): Promise<Uint8Array> {
    const end = Math.min(this.size, offset + length);
    if (end <= offset) return Promise.resolve(new Uint8Array(0));
    const seq = ++this.#seq;
    return new Promise((resolve, reject) => {
      this.#waiting.set(seq, { resolve, reject, length: end - offset });
      this.#port.postMessage({ id: this.#id, kind: 'read', seq, offset, length: end - offset } satisfies WorkerResponse);
    });
  }

  answer(msg: RangeAnswer): void {
    const waiting = this.#waiting.get(msg.seq);
    if (waiting === undefined) return;
    this.#waiting.delete(msg.seq);
    if (!msg.ok) waiting.reject(new Error(msg.error));
    else waiting.resolve(msg.bytes.length > waiting.length ? msg.bytes.subarray(0, waiting.length) : msg.bytes);
  }
}

let current: { readonly id: number; readonly source: PortSource | null } | null = null;

function run(req: WorkerRequest): Promise<FileScanResult> {
  switch (req.kind) {
    case 'file':
      return scanFile(req.file, req.options, req.path);
    case 'bytes':
      return scanBytes(req.bytes, req.path, req.options);
    case 'source': {
      const source = new PortSource(port, req.id, req.size);
      current = { id: req.id, source };
      return scan(source, req.path, req.options);
    }
  }
}

port.on('message', (msg: ToWorker) => {
  if (msg.kind === 'range') {
    if (current?.id === msg.id) current.source?.answer(msg);
    return;
  }
  current = { id: msg.id, source: null };
  run(msg).then(
    (result) => port.postMessage({ id: msg.id, kind: 'done', ok: true, result } satisfies WorkerResponse),
    (err: unknown) => port.postMessage({ id: msg.id, kind: 'done', ok: false, error: err instanceof Error ? err.message : String(err) } satisfies WorkerResponse),
  );
});
port.postMessage({ kind: 'ready' } satisfies WorkerResponse);
