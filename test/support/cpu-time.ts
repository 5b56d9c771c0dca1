/**
 * The CPU time this process spends on a piece of synchronous work, for tests that bound how long
 * parsing hostile input may take (a quadratic scan of a 1 MB page costs seconds of CPU, a linear
 * one milliseconds). The wall clock is no such measure on a loaded machine: a 30 ms parse of the
 * pypi page tests took 230 ms of wall time here while other test files shared the two cores.
 * CPU time counts only this process's own work (its other threads too, such as the collector's).
 */
export function cpuMs(work: () => void): number {
  const before = process.cpuUsage();
  work();
  const { user, system } = process.cpuUsage(before);
  return (user + system) / 1000;
}

/** `cpuMs` of asynchronous work: with nothing else running meanwhile, as in a test of its own. */
export async function cpuMsOf(work: () => Promise<void>): Promise<number> {
  const before = process.cpuUsage();
  await work();
  const { user, system } = process.cpuUsage(before);
  return (user + system) / 1000;
}
