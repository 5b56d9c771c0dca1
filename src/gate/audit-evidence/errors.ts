/** What is wrong with a segment, and where: its line (1-based) and, for an event, its seq. */
export class SegmentError extends Error {
  readonly line: number | null;
  readonly seq: number | null;

  constructor(message: string, where: { readonly line?: number; readonly seq?: number } = {}) {
    super(message);
    this.name = 'SegmentError';
    this.line = where.line ?? null;
    this.seq = where.seq ?? null;
  }
}
