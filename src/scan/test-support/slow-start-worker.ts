/**
 * A scan worker that takes `SLOW_START_MS` to start: it waits, then loads the real entry, which
 * says it is ready once the scanner is loaded. For testing that a worker's start-up is not
 * counted against its first scan's deadline, without depending on how fast a start is.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { SLOW_START_MS } from './slow-start.ts';

await sleep(SLOW_START_MS);
await import('../worker/worker-entry.ts');
