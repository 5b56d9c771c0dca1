/**
 * QWERTY adjacency: two keys are neighbours when they sit side by side on a row or touch on
 * the staggered row above or below. Digits and the letters under them count (`1`/`q`).
 */
const ROWS: readonly (readonly [string, number])[] = [
  ['1234567890-', 0],
  ['qwertyuiop', 0.5],
  ['asdfghjkl', 0.75],
  ['zxcvbnm', 1.25],
];

interface KeyPos {
  readonly row: number;
  readonly x: number;
}

function buildPositions(): ReadonlyMap<string, KeyPos> {
  const out = new Map<string, KeyPos>();
  ROWS.forEach(([keys, offset], row) => {
    for (let c = 0; c < keys.length; c++) out.set(keys[c] as string, { row, x: c + offset });
  });
  return out;
}

const POSITIONS = buildPositions();

export function areKeyboardNeighbours(a: string, b: string): boolean {
  if (a === b) return false;
  const pa = POSITIONS.get(a.toLowerCase());
  const pb = POSITIONS.get(b.toLowerCase());
  if (pa === undefined || pb === undefined) return false;
  const dy = Math.abs(pa.row - pb.row);
  const dx = Math.abs(pa.x - pb.x);
  if (dy === 0) return dx === 1;
  return dy === 1 && dx <= 0.75;
}
