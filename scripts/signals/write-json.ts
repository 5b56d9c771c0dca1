/** Write a JSON data file atomically (temporary file in the same folder, fsync, rename). */
import { open, rename, rm } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';

export async function writeJsonAtomic(path: string, text: string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await open(tmp, 'wx');
  try {
    await fh.writeFile(text, 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** One entry per line for arrays of small rows: diff-friendly and compact. */
export function formatRowsJson(head: Record<string, unknown>, rows: Record<string, readonly unknown[]>): string {
  const lines = ['{'];
  const headEntries = Object.entries(head);
  headEntries.forEach(([k, v]) => lines.push(`  ${JSON.stringify(k)}: ${JSON.stringify(v)},`));
  const rowEntries = Object.entries(rows);
  rowEntries.forEach(([k, list], i) => {
    lines.push(`  ${JSON.stringify(k)}: [`);
    list.forEach((row, j) => lines.push(`    ${JSON.stringify(row)}${j < list.length - 1 ? ',' : ''}`));
    lines.push(`  ]${i < rowEntries.length - 1 ? ',' : ''}`);
  });
  lines.push('}', '');
  return lines.join('\n');
}
