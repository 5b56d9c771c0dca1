/**
 * The process warnings (`process.emitWarning`, such as the YAML reader's YAMLWarning) emitted while
 * `work` runs. Warnings are emitted on a later tick, so one is waited for before the listener goes.
 */
export async function processWarnings(work: () => void | Promise<void>): Promise<string[]> {
  const warnings: string[] = [];
  const onWarning = (w: Error): void => {
    warnings.push(`${w.name}: ${w.message}`);
  };
  process.on('warning', onWarning);
  try {
    await work();
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('warning', onWarning);
  }
  return warnings;
}
