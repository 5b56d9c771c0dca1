/** How long `slow-start-worker.ts` waits before it loads the scan worker's entry. */
export const SLOW_START_MS = 3000;
