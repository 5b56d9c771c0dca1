/**
 * State of one top-level file's scan: findings, byte budget, deadline. Every source an analyzer
 * sees is metered through it, so the limits hold whatever the analyzer does.
 */
import type { ByteSource, FormatId, ScanFinding, ScanLimits } from '../types.ts';
import { ScanAbortedError, ScanLimitError } from './errors.ts';
import { TimeSlice } from './time-slice.ts';

export class ScanRun {
  readonly limits: ScanLimits;
  readonly signal: AbortSignal;
  readonly findings: ScanFinding[] = [];
  format: FormatId = 'unknown';
  bytesRead = 0;
  readonly #timeoutSignal: AbortSignal;
  readonly #slice = new TimeSlice();

  constructor(limits: ScanLimits, timeoutSignal: AbortSignal, signal: AbortSignal) {
    this.limits = limits;
    this.#timeoutSignal = timeoutSignal;
    this.signal = signal;
  }

  /** Throws when the scan must stop (deadline or cancellation). Cheap: call it often. */
  checkAlive(): void {
    if (this.signal.aborted) throw new ScanAbortedError(this.#timeoutSignal.aborted ? 'timeout' : 'cancelled');
  }

  /**
   * `checkAlive` at a point where the scan may wait: past its time slice, the event loop gets a
   * turn first, so that the deadline can fire between the members and reads of content already in
   * memory (which never wait on their own).
   */
  async checkpoint(): Promise<void> {
    if (this.#slice.due()) await this.#slice.yield();
    this.checkAlive();
  }

  account(bytes: number): void {
    this.bytesRead += bytes;
    if (this.bytesRead > this.limits.maxBytesRead) {
      throw new ScanLimitError(
        'maxBytesRead',
        `read budget of ${this.limits.maxBytesRead} bytes exhausted`,
        'file',
      );
    }
  }

  report(finding: ScanFinding): void {
    this.findings.push(finding);
  }
}

/** A source whose reads count against the run's byte budget and respect its deadline. */
export class MeteredSource implements ByteSource {
  readonly size: number;
  readonly inner: ByteSource;
  readonly #run: ScanRun;

  constructor(inner: ByteSource, run: ScanRun) {
    this.inner = inner instanceof MeteredSource ? inner.inner : inner;
    this.size = inner.size;
    this.#run = run;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    await this.#run.checkpoint();
    const bytes = await this.inner.read(offset, length);
    this.#run.account(bytes.length);
    return bytes;
  }
}
