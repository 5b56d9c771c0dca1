import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * Who owns a staging folder: host name, pid and the process start time (from /proc where
 * available), so that a restarted process that got the same pid — a container's pid 1 — is not
 * mistaken for the one that crashed.
 */
export interface ProcessIdentity {
  readonly host: string;
  readonly pid: number;
  /** Process start time in clock ticks since boot; '' when the platform does not tell. */
  readonly start: string;
}

export function sanitizeHost(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9.-]/g, '-').slice(0, 64);
  return cleaned === '' ? 'host' : cleaned;
}

/** Field 22 of /proc/<pid>/stat, or '' (no /proc, no such process, unreadable). */
export function processStartTime(pid: number): string {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return '';
  }
  // The command name (field 2) is in parentheses and may contain spaces: split after the last ')'.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return rest[19] ?? '';
}

export function currentProcessIdentity(): ProcessIdentity {
  return { host: sanitizeHost(hostname()), pid: process.pid, start: processStartTime(process.pid) };
}

/**
 * Whether the process is still running on this host. A pid that exists but started at another
 * time is a different process (pid reuse): the owner is gone.
 */
export function isProcessAlive(owner: ProcessIdentity): boolean {
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    // EPERM: it exists but belongs to someone else: alive. ESRCH: gone.
    if ((err as { code?: unknown }).code !== 'EPERM') return false;
  }
  if (owner.start === '') return true;
  const now = processStartTime(owner.pid);
  return now === '' || now === owner.start;
}
