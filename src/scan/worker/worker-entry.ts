/** Worker thread: runs scans off the main event loop; one request at a time. */
import { parentPort } from 'node:worker_threads';
import { scanBytes, scanFile } from '../api.ts';
import type { WorkerRequest, WorkerResponse } from './protocol.ts';

if (parentPort === null) throw new Error('worker-entry.ts must run in a worker thread');
const port = parentPort;

port.on('message', (req: WorkerRequest) => {
  const run = req.kind === 'file' ? scanFile(req.file, req.options, req.path) : scanBytes(req.bytes, req.path, req.options);
  run.then(
    (result) => port.postMessage({ id: req.id, ok: true, result } satisfies WorkerResponse),
    (err: unknown) => port.postMessage({ id: req.id, ok: false, error: err instanceof Error ? err.message : String(err) } satisfies WorkerResponse),
  );
});
